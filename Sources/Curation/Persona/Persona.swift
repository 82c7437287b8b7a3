import Foundation

/// One persona: a short description of a person in whose voice a task is written (Persona Hub).
public struct Persona: Sendable, Hashable {
    /// The record's `id` when it has one, else `persona-` + 16 hex digits of the text's XXH3 hash, so
    /// an id does not depend on where the persona sits in its file.
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }

    /// The content id of a persona text.
    public static func contentID(_ text: String) -> String {
        let h = String(XXH3.hash64(text), radix: 16)
        return "persona-" + String(repeating: "0", count: max(0, 16 - h.count)) + h
    }
}

/// Reads persona files in the Persona Hub layout: JSONL, one `{"persona": "..."}` per line (other
/// fields are ignored; `id` is used when present). Plain, zstd or gzip; or Parquet with a `persona` or
/// `input_persona` column (Tulu 3's persona sets on the hub).
public enum PersonaLoader {
    /// The field names accepted for the persona text, in order of preference (Persona Hub writes
    /// `persona`; Tulu 3's persona data writes `input_persona`).
    public static let textFields = ["persona", "input_persona"]

    /// Loads every persona of `paths`, in file order. A line that is not a JSON object, or has no
    /// non-empty string persona, fails with `CurationError.badRecord` naming file, line and reason.
    /// Repeated ids get `#2`, `#3`, ... so ids stay unique.
    public static func load(paths: [String]) throws -> [Persona] {
        var out: [Persona] = []
        var ids = UniqueIDs()
        func handle(_ line: UnsafeRawBufferPointer, _ loc: SourceLocation) throws {
            let value: JSONValue
            do { value = try JSONParser.parse(line) } catch {
                throw CurationError.badRecord(loc, reason: "not valid JSON: \(error)")
            }
            guard let object = value.objectValue else {
                throw CurationError.badRecord(loc, reason: "expected an object like {\"persona\": \"...\"}, found \(value.typeName)")
            }
            guard let field = textFields.first(where: { object[$0] != nil }), let raw = object[field] else {
                throw CurationError.badRecord(loc, reason: "no \"persona\" field")
            }
            guard let text = raw.stringValue else {
                throw CurationError.badRecord(loc, reason: "field \"\(field)\" should be a string, found \(raw.typeName)", kind: .wrongType)
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw CurationError.badRecord(loc, reason: "field \"\(field)\" is empty") }
            let id: String
            switch object["id"] {
            case .string(let s)? where !s.isEmpty: id = s
            case .number(let n)?: id = n
            default: id = Persona.contentID(trimmed)
            }
            out.append(Persona(id: ids.claim(id), text: trimmed))
        }
        for path in paths {
            if ParquetInput.isParquet(path) {
                // Tulu 3's persona sets are Parquet on the hub: read only the id and persona columns.
                do {
                    let file = try ParquetFile(path: path)
                    let columns = (["id"] + textFields).filter { file.schema.fieldNames.contains($0) }
                    try file.forEachRow(columns: columns) { row, n in
                        try handle(row, SourceLocation(file: path, line: n + 1, offset: -1))
                    }
                } catch let e as ParquetError {
                    throw e.curationError
                }
                continue
            }
            let reader = try LineReader(path: path)
            try reader.forEachLine { line, lineNo, offset in
                try handle(line, SourceLocation(file: path, line: lineNo, offset: offset))
            }
        }
        return out
    }

    public static func load(path: String) throws -> [Persona] { try load(paths: [path]) }
}
