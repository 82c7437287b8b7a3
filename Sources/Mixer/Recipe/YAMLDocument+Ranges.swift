import Foundation
import Yams

/// Typed getters with the range checked where the value is read, so a recipe's bad setting fails
/// when the recipe is loaded, naming its line, instead of when its stage runs after earlier stages
/// (issue 13, item 19: `level: -5` failed only after the stages before it had run).
extension YAMLDocument {
    /// A whole number in `range`; the message names the setting and the range.
    public func integer(_ node: Node, _ entry: String, what: String, in range: ClosedRange<Int>) throws -> Int {
        let v = try integer(node, entry, what: what)
        guard range.contains(v) else { throw error(node, entry, "\(what) should be \(Self.describe(range)), found \(v)") }
        return v
    }

    /// A number in `range` (finite by construction: `double` refuses infinities and NaN).
    public func double(_ node: Node, _ entry: String, what: String, in range: ClosedRange<Double>) throws -> Double {
        let v = try double(node, entry, what: what)
        guard range.contains(v) else { throw error(node, entry, "\(what) should be between \(range.lowerBound) and \(range.upperBound), found \(v)") }
        return v
    }

    /// A seed: a whole number of 0 or more (a negative seed used to trap in `UInt64(_:)`).
    public func seed(_ node: Node, _ entry: String, what: String = "seed") throws -> UInt64 {
        UInt64(try integer(node, entry, what: what, in: 0...Self.maxWholeNumber))
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound >= maxWholeNumber { return range.lowerBound == 0 ? "0 or more" : "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }
}
