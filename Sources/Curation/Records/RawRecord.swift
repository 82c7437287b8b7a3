/// One JSONL record as it was read: its exact bytes and where its top-level fields are.
///
/// Stages read only the fields they need and write the record back byte for byte when they did not
/// change it, so unknown fields, key order, number spellings and whitespace all survive (DESIGN.md
/// section 8: parsing and re-serialising every record would cost more than the whole stage budget).
public struct RawRecord: Sendable {
    /// The line's bytes, without its newline.
    public private(set) var bytes: [UInt8]
    /// Top-level fields in order.
    public private(set) var fields: [FieldSpan]
    /// Where the record came from.
    public var location: SourceLocation

    /// Validates `bytes` as a JSON object. Throws `CurationError.badRecord` naming the location.
    public init(bytes: [UInt8], location: SourceLocation) throws {
        self.bytes = bytes
        self.location = location
        do {
            self.fields = try bytes.withUnsafeBytes { try JSONParser.scanTopLevel($0) }
        } catch let e as JSONSyntaxError {
            throw CurationError.badRecord(location, reason: e.description, kind: e.kind)
        }
    }

    /// A record whose bytes are known to be a valid JSON object with these top-level fields (a Parquet
    /// row rendered by the reader, `ParquetFile.forEachRow(...withFields:)`): no validation pass.
    init(validBytes bytes: [UInt8], fields: [FieldSpan], location: SourceLocation) {
        self.bytes = bytes
        self.fields = fields
        self.location = location
    }

    /// Builds a record from a decoded object (for records a stage creates).
    public init(object: JSONObject, location: SourceLocation) {
        let b = JSONWriter.bytes(.object(object))
        self.bytes = b
        self.location = location
        // Our own writer's output always scans; fall back to no fields rather than trap.
        self.fields = (try? b.withUnsafeBytes { try JSONParser.scanTopLevel($0) }) ?? []
    }

    public func has(_ key: String) -> Bool { fields.contains { $0.key == key } }

    /// The byte range of the last occurrence of a field's value.
    public func span(_ key: String) -> Range<Int>? { fields.last(where: { $0.key == key })?.value }

    /// The raw JSON text of a field's value.
    public func rawValue(_ key: String) -> ArraySlice<UInt8>? { span(key).map { bytes[$0] } }

    /// Whether a field is present with the JSON value `null`.
    public func isNull(_ key: String) -> Bool {
        guard let r = span(key) else { return false }
        return bytes[r.lowerBound] == UInt8(ascii: "n")
    }

    /// Decodes one field (nil when absent).
    public func value(_ key: String) throws -> JSONValue? {
        guard let r = span(key) else { return nil }
        do {
            return try bytes.withUnsafeBytes { try JSONParser.parse(UnsafeRawBufferPointer(rebasing: $0[r])) }
        } catch let e as JSONSyntaxError {
            throw CurationError.badRecord(location, reason: "field \"\(key)\": \(e.reason)", kind: e.kind)
        }
    }

    /// A string field. Absent or null gives nil; another type is an error naming the field.
    public func string(_ key: String) throws -> String? {
        guard let r = span(key) else { return nil }
        switch bytes[r.lowerBound] {
        case UInt8(ascii: "\""):
            return try value(key)?.stringValue
        case UInt8(ascii: "n"):
            return nil
        default:
            throw typeError(key, expected: "string")
        }
    }

    /// A string field that must be present.
    public func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw missing(key) }
        return s
    }

    /// The decoded whole record.
    public func object() throws -> JSONObject {
        guard let o = try bytes.withUnsafeBytes({ buf -> JSONValue in
            do { return try JSONParser.parse(buf) } catch let e as JSONSyntaxError {
                throw CurationError.badRecord(location, reason: e.description, kind: e.kind)
            }
        }).objectValue else { throw CurationError.badRecord(location, reason: "not a JSON object") }
        return o
    }

    public func missing(_ key: String) -> CurationError {
        .badRecord(location, reason: "missing required field \"\(key)\"", kind: .missingField)
    }

    public func typeError(_ key: String, expected: String) -> CurationError {
        let found = (try? value(key))??.typeName ?? "nothing"
        return .badRecord(location, reason: "field \"\(key)\" should be \(expected), found \(found)", kind: .wrongType)
    }

    // MARK: - Editing by splicing

    /// Returns the record with `key` set to `value`: an existing value's bytes are replaced in place,
    /// a new field is appended before the closing brace. Every other byte is unchanged.
    public func setting(_ key: String, to value: JSONValue) -> RawRecord {
        setting(key, rawJSON: JSONWriter.bytes(value))
    }

    /// Like `setting(_:to:)` with the value's JSON text already serialised.
    public func setting(_ key: String, rawJSON: [UInt8]) -> RawRecord {
        var copy = self
        if let r = span(key) {
            copy.bytes.replaceSubrange(r, with: rawJSON)
        } else {
            guard let close = bytes.lastIndex(of: UInt8(ascii: "}")) else { return self }
            var insert: [UInt8] = fields.isEmpty ? [] : [UInt8(ascii: ",")]
            JSONWriter.writeString(key, into: &insert)
            insert.append(UInt8(ascii: ":"))
            insert.append(contentsOf: rawJSON)
            copy.bytes.insert(contentsOf: insert, at: close)
        }
        copy.fields = (try? copy.bytes.withUnsafeBytes { try JSONParser.scanTopLevel($0) }) ?? fields
        return copy
    }

    /// Returns the record without `key` (all occurrences).
    public func removing(_ key: String) -> RawRecord {
        guard has(key), var obj = try? object() else { return self }
        obj.entries.removeAll { $0.key == key }
        return RawRecord(object: obj, location: location)
    }
}
