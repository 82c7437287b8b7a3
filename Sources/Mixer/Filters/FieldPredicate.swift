import Curation

/// A test on one field of a record, by a dotted path into objects (`metadata.score`). A record whose
/// field is absent fails every test except `present: false` and `not_equals` (an absent field differs from
/// any value); comparisons never coerce text to numbers.
public struct FieldPredicate: Sendable, Equatable, CustomStringConvertible {
    public enum Test: Sendable, Equatable {
        case present(Bool)
        case equals(JSONScalar)
        /// Passes when the field is absent or differs from the value (`{field: x, not_equals: true}` keeps
        /// every record except those whose `x` is true).
        case notEquals(JSONScalar)
        case oneOf([JSONScalar])
        /// Inclusive bounds on a numeric field.
        case range(min: Double?, max: Double?)
    }
    public var path: [String]
    public var test: Test

    public init(path: [String], test: Test) { self.path = path; self.test = test }

    public var field: String { path.joined(separator: ".") }

    /// The drop reason the report counts records under.
    public var description: String {
        switch test {
        case .present(let p): return p ? "\(field) present" : "\(field) absent"
        case .equals(let v): return "\(field) == \(v)"
        case .notEquals(let v): return "\(field) != \(v)"
        case .oneOf(let vs): return "\(field) in [\(vs.map(\.description).joined(separator: ", "))]"
        case .range(let lo, let hi):
            switch (lo, hi) {
            case let (l?, h?): return "\(field) in \(JSONScalar.number(l))...\(JSONScalar.number(h))"
            case let (l?, nil): return "\(field) >= \(JSONScalar.number(l))"
            case let (nil, h?): return "\(field) <= \(JSONScalar.number(h))"
            default: return "\(field) is a number"
            }
        }
    }

    /// Whether the record passes. A malformed field value is a typed error naming the record.
    public func matches(_ record: RawRecord) throws -> Bool {
        guard let first = path.first else { return true }
        var value = try record.value(first)
        for key in path.dropFirst() {
            guard case .object(let o)? = value else { value = nil; break }
            value = o[key]
        }
        switch test {
        case .present(let want):
            let here = value.map { !$0.isNull } ?? false
            return here == want
        case .equals(let v):
            guard let value else { return false }
            return FieldPredicate.equal(value, v)
        case .notEquals(let v):
            guard let value else { return true }
            return !FieldPredicate.equal(value, v)
        case .oneOf(let vs):
            guard let value else { return false }
            return vs.contains { FieldPredicate.equal(value, $0) }
        case .range(let lo, let hi):
            guard let d = value?.doubleValue else { return false }
            if let lo, d < lo { return false }
            if let hi, d > hi { return false }
            return true
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONScalar) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return Double(x) == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }
}

/// Length bounds on a record's text (`RecordText.text(of:)`): in tokens of the mix's token counter and
/// in characters, counted as Unicode scalars (grapheme clustering would cost more than the whole mix).
public struct LengthBounds: Sendable, Equatable, CustomStringConvertible {
    public var minTokens: Int?
    public var maxTokens: Int?
    public var minChars: Int?
    public var maxChars: Int?

    public init(minTokens: Int? = nil, maxTokens: Int? = nil, minChars: Int? = nil, maxChars: Int? = nil) {
        self.minTokens = minTokens; self.maxTokens = maxTokens; self.minChars = minChars; self.maxChars = maxChars
    }

    public var needsChars: Bool { minChars != nil || maxChars != nil }

    /// The reason a text fails, or nil when it passes.
    public func failure(tokens: Int, chars: Int) -> String? {
        if let m = minTokens, tokens < m { return "tokens < \(m)" }
        if let m = maxTokens, tokens > m { return "tokens > \(m)" }
        if let m = minChars, chars < m { return "chars < \(m)" }
        if let m = maxChars, chars > m { return "chars > \(m)" }
        return nil
    }

    public var description: String {
        var parts: [String] = []
        if let m = minTokens { parts.append("min_tokens \(m)") }
        if let m = maxTokens { parts.append("max_tokens \(m)") }
        if let m = minChars { parts.append("min_chars \(m)") }
        if let m = maxChars { parts.append("max_chars \(m)") }
        return parts.joined(separator: ", ")
    }
}
