/// A JSON value that keeps what a round trip must not change: object key order and the exact text of
/// numbers (`1.0` stays `1.0`, `1e3` stays `1e3`). Used where a stage needs a whole field decoded;
/// records themselves stay raw bytes (see `RawRecord`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var doubleValue: Double? { if case .number(let n) = self { return Double(n) }; return nil }
    public var intValue: Int? {
        if case .number(let n) = self { return Int(n) ?? Double(n).flatMap { $0 == $0.rounded() && abs($0) < 9e15 ? Int($0) : nil } }
        return nil
    }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The JSON type's name, for error messages ("expected string, found number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func int(_ v: Int) -> JSONValue { .number(String(v)) }
    /// A double written with Swift's shortest round-tripping form (`0.5`, `1e-07`); integral values keep `.0`.
    public static func double(_ v: Double) -> JSONValue {
        guard v.isFinite else { return .null }
        return .number(v.description)
    }
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A JSON object with its keys in their original order.
public struct JSONObject: Sendable, Hashable, Sequence {
    public var entries: [Entry]
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) { self.key = key; self.value = value }
    }
    public init(_ entries: [Entry] = []) { self.entries = entries }
    public init(_ pairs: KeyValuePairs<String, JSONValue>) { self.entries = pairs.map { Entry(key: $0.key, value: $0.value) } }

    /// The last value for `key` (JSON objects with repeated keys: the last one wins, as in Python).
    public subscript(key: String) -> JSONValue? {
        get { entries.last(where: { $0.key == key })?.value }
        set {
            if let i = entries.lastIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append(Entry(key: key, value: v))
            }
        }
    }
    public var keys: [String] { entries.map(\.key) }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}
