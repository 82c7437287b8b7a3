/// The comparison IFEval's counting instructions take: `"less than"` (actual < threshold) or
/// `"at least"` (actual >= threshold). `"at most"` is not an IFEval relation and is rejected.
public enum Relation: String, Sendable, CaseIterable {
    case lessThan = "less than"
    case atLeast = "at least"

    public func holds(_ actual: Int, _ threshold: Int) -> Bool {
        switch self {
        case .lessThan: return actual < threshold
        case .atLeast: return actual >= threshold
        }
    }
}

/// Typed, validating access to one constraint's kwargs. `null` values count as absent (IFBench writes
/// every kwarg name with `null` for the unused ones); a non-null kwarg the instruction does not take is
/// an error, since it is almost always a misspelt name that would otherwise be silently ignored.
public struct Kwargs: Sendable {
    public let id: String
    public let values: [String: JSONValue]

    init(id: String, object: JSONObject, accepted: [String]) throws {
        self.id = id
        var v: [String: JSONValue] = [:]
        for e in object.entries where !e.value.isNull { v[e.key] = e.value }
        let unknown = v.keys.filter { !accepted.contains($0) }.sorted()
        if !unknown.isEmpty {
            let takes = accepted.isEmpty ? "takes no kwargs" : "takes " + accepted.joined(separator: ", ")
            throw ConstraintError.invalidKwargs(id: id, reason: "unexpected kwarg \(unknown.joined(separator: ", ")) (\(id) \(takes))")
        }
        values = v
    }

    func fail(_ reason: String) -> ConstraintError { .invalidKwargs(id: id, reason: reason) }

    private func describe(_ v: JSONValue) -> String {
        let text = JSONWriter.string(v)
        return text.count > 40 ? String(text.prefix(40)) + "..." : text
    }

    /// An integer kwarg; integral numbers written as floats (`5.0`, as IFBench does) are accepted.
    func int(_ name: String, in range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        guard let v = values[name] else { throw fail("missing kwarg \(name) (an integer)") }
        guard case .number = v, let n = v.intValue else {
            throw fail("kwarg \(name) must be an integer, found \(v.typeName) \(describe(v))")
        }
        guard range.contains(n) else {
            let upper = range.upperBound == Int.max ? "" : " and at most \(range.upperBound)"
            throw fail("kwarg \(name) must be at least \(range.lowerBound)\(upper), found \(n)")
        }
        return n
    }

    func double(_ name: String, in range: ClosedRange<Double>) throws -> Double {
        guard let v = values[name] else { throw fail("missing kwarg \(name) (a number)") }
        guard let d = v.doubleValue else { throw fail("kwarg \(name) must be a number, found \(v.typeName) \(describe(v))") }
        guard range.contains(d) else { throw fail("kwarg \(name) must be between \(range.lowerBound) and \(range.upperBound), found \(d)") }
        return d
    }

    func string(_ name: String, allowEmpty: Bool = false) throws -> String {
        guard let v = values[name] else { throw fail("missing kwarg \(name) (a string)") }
        guard let s = v.stringValue else { throw fail("kwarg \(name) must be a string, found \(v.typeName) \(describe(v))") }
        if !allowEmpty && s.trimmingWhitespace().isEmpty { throw fail("kwarg \(name) must not be empty") }
        return s
    }

    func optionalString(_ name: String) throws -> String? {
        values[name] == nil ? nil : try string(name)
    }

    /// A list of strings; a single string is accepted as a one-element list.
    func strings(_ name: String) throws -> [String] {
        guard let v = values[name] else { throw fail("missing kwarg \(name) (a list of strings)") }
        if let s = v.stringValue, !s.trimmingWhitespace().isEmpty { return [s] }
        guard let a = v.arrayValue else { throw fail("kwarg \(name) must be a list of strings, found \(v.typeName) \(describe(v))") }
        var out: [String] = []
        for (i, item) in a.enumerated() {
            guard let s = item.stringValue, !s.trimmingWhitespace().isEmpty else {
                throw fail("kwarg \(name)[\(i)] must be a non-empty string, found \(item.typeName) \(describe(item))")
            }
            out.append(s)
        }
        if out.isEmpty { throw fail("kwarg \(name) must not be an empty list") }
        return out
    }

    func relation(_ name: String) throws -> Relation {
        let s = try string(name)
        guard let r = Relation(rawValue: s) else {
            throw fail("kwarg \(name) must be \"less than\" or \"at least\", found \"\(s)\"")
        }
        return r
    }
}
