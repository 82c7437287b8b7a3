/// Record ids (DESIGN.md section 4): a record without one gets `FILE:LINE`; eval sets name theirs
/// `key`, `task_id`, `gid` and the like; outputs are made unique with `#2`, `#3`, ...
public enum RecordID {
    /// Id fields recognised, in order of preference.
    public static let recognisedFields = ["id", "key", "task_id", "gid", "uid", "idx", "question_id", "problem_id"]

    /// The record's id: `field` if given, else the first recognised field, else `FILE:LINE` (the file's
    /// last path component). Numbers are used as their text.
    public static func of(_ record: RawRecord, field: String? = nil) throws -> String {
        let candidates = field.map { [$0] } ?? recognisedFields
        for f in candidates {
            guard let v = try record.value(f) else { continue }
            switch v {
            case .string(let s) where !s.isEmpty: return s
            case .number(let n): return n
            case .null, .string: continue
            default:
                throw CurationError.badRecord(record.location, reason: "id field \"\(f)\" should be a string or number, found \(v.typeName)", kind: .wrongType)
            }
        }
        return fallback(record.location)
    }

    public static func fallback(_ loc: SourceLocation) -> String {
        let name = loc.file.split(separator: "/").last.map(String.init) ?? loc.file
        return "\(name):\(loc.line)"
    }
}

/// Hands out unique output ids: the first copy keeps its id, later copies get `#2`, `#3`, ...
public struct UniqueIDs {
    private var seen: [String: Int] = [:]
    public init() {}
    public mutating func claim(_ id: String) -> String {
        let n = (seen[id] ?? 0) + 1
        seen[id] = n
        return n == 1 ? id : "\(id)#\(n)"
    }
}
