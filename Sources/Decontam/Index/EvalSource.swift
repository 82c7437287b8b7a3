import Curation

/// One eval set to index: a name, a JSONL file, and how to read its instances.
public struct EvalSource: Sendable, Hashable {
    public var name: String
    public var path: String
    /// Fields whose text makes an instance; nil for the defaults (`EvalText.defaultFields`).
    public var fields: [String]?
    /// The field holding instance ids; nil: a recognised id field (`RecordID`), else `FILE:LINE`.
    public var idField: String?
    /// Also index the answer fields (`EvalText.answerFields`) and assistant turns.
    public var withAnswers: Bool
    /// Keep only records whose `field` has the string (or number) `value`, e.g. `data_source=MATH500`.
    public var selection: Selection?

    public struct Selection: Sendable, Hashable {
        public var field: String
        public var value: String
        public init(field: String, value: String) { self.field = field; self.value = value }
        public var description: String { "\(field)=\(value)" }
    }

    /// The files read as the set, in order: `[path]`, or the shards of a stage's output (`path` then names
    /// their directory); plain JSONL, `.zst` or `.gz` like every record input.
    public var files: [String]

    public init(name: String, path: String, fields: [String]? = nil, idField: String? = nil, withAnswers: Bool = false,
                selection: Selection? = nil, files: [String]? = nil) {
        self.name = name; self.path = path; self.fields = fields; self.idField = idField
        self.withAnswers = withAnswers; self.selection = selection
        self.files = files ?? [path]
    }

    /// Parses `NAME=PATH` (the `--eval` argument).
    public static func parse(_ spec: String) throws -> (name: String, path: String) {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
            throw CurationError.invalidArgument("--eval expects NAME=PATH, got \"\(spec)\"")
        }
        let name = String(spec[..<eq])
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw CurationError.invalidArgument("eval set name \"\(name)\" may hold only letters, digits, '-', '_' and '.'")
        }
        return (name, String(spec[spec.index(after: eq)...]))
    }

    /// What decides which instances the file gives, besides its bytes: stored so re-indexing the same
    /// file with the same reading is a no-op, and a different reading replaces the set.
    var readingKey: String {
        "fields=\((fields ?? EvalText.defaultFields).joined(separator: ","));answers=\(withAnswers);id=\(idField ?? "auto");select=\(selection?.description ?? "all")"
    }
}

/// Which text of an eval record is indexed.
public enum EvalText {
    /// Default instance fields: the question or prompt, and the user turns of `messages`.
    public static let defaultFields = ["question", "problem", "prompt", "messages"]
    /// Answer fields, added with `withAnswers`.
    public static let answerFields = ["answer", "solution", "canonical_solution", "response", "completion"]

    /// The instance text of one eval record. Errors name the file, line, field and problem.
    public static func text(of record: RawRecord, source: EvalSource) throws -> String {
        var parts: [String] = []
        var found = false
        let fields = source.fields ?? (defaultFields + (source.withAnswers ? answerFields : []))
        for f in fields {
            guard let v = try record.value(f) else {
                if source.fields != nil { throw record.missing(f) }
                continue
            }
            found = true
            try append(v, field: f, withAnswers: source.withAnswers, record: record, into: &parts)
        }
        if !found {
            throw CurationError.badRecord(record.location, reason: "eval record has none of the fields \(fields.joined(separator: ", ")) (name the text fields with --fields)")
        }
        return parts.joined(separator: "\n")
    }

    static func append(_ v: JSONValue, field: String, withAnswers: Bool, record: RawRecord, into parts: inout [String]) throws {
        func wrong(_ found: String) -> CurationError {
            .badRecord(record.location, reason: "field \"\(field)\" should be a string, a list of strings or a list of messages, found \(found)", kind: .wrongType)
        }
        if field == "messages", v.arrayValue == nil, !v.isNull {
            throw CurationError.badRecord(record.location, reason: "field \"messages\" should be a list of messages, found \(v.typeName)", kind: .wrongType)
        }
        switch v {
        case .string(let s): parts.append(s)
        case .number(let n): parts.append(n)
        case .null: break
        case .array(let items):
            for item in items {
                switch item {
                case .string(let s): parts.append(s)
                case .object:
                    for m in try Message.decodeList(.array([item]), field: field, at: record.location)
                    where m.role == "user" || (withAnswers && m.role == "assistant") {
                        parts.append(m.content)
                    }
                default: throw wrong("a list holding \(item.typeName)")
                }
            }
        default: throw wrong(v.typeName)
        }
    }
}
