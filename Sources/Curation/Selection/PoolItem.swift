/// The fields of an s1 pool item that selection reads (DESIGN.md section 4):
/// `{"id", "question", "thinking"?, "attempt"?, "ground_truth"?, "domain"?, "source", "solved_by"?,
/// "reference_answers"?}`. The record itself stays raw; this is a decoded view of it.
public struct PoolItem: Sendable {
    public var id: String
    public var question: String?
    public var thinking: String?
    public var attempt: String?
    public var groundTruth: String?
    public var domain: String?
    public var source: String?
    /// Names of reference models that solved the item.
    public var solvedBy: [String]
    /// Reference models' answers, in record order.
    public var referenceAnswers: [(model: String, answer: String)]
    /// `finish_reason` or `stop_reason`, when the record carries one (e.g. "length" for a cut-off trace).
    public var finishReason: String?

    /// Decodes the fields. Absent and null fields are nil (quality decides whether that is allowed);
    /// a field of the wrong JSON type is bad input: `CurationError.badRecord` naming the record's file,
    /// line and the field.
    public static func decode(_ r: RawRecord) throws -> PoolItem {
        let id = try RecordID.of(r)
        let gt: String?
        switch try r.value("ground_truth") {
        case nil, .null?: gt = nil
        case .string(let s)?: gt = s
        case .number(let n)?: gt = n
        case .some(let v):
            throw CurationError.badRecord(r.location, reason: "field \"ground_truth\" should be a string or number, found \(v.typeName)", kind: .wrongType)
        }
        var solved: [String] = []
        switch try r.value("solved_by") {
        case nil, .null?: break
        case .array(let a)?:
            for v in a {
                guard let s = v.stringValue else {
                    throw CurationError.badRecord(r.location, reason: "field \"solved_by\" should be a list of model names, found an element of type \(v.typeName)", kind: .wrongType)
                }
                if !s.isEmpty { solved.append(s) }
            }
        case .some(let v):
            throw CurationError.badRecord(r.location, reason: "field \"solved_by\" should be a list of model names, found \(v.typeName)", kind: .wrongType)
        }
        var refs: [(String, String)] = []
        switch try r.value("reference_answers") {
        case nil, .null?: break
        case .object(let o)?:
            for e in o.entries {
                switch e.value {
                case .string(let s): refs.append((e.key, s))
                case .number(let n): refs.append((e.key, n))
                case .null: continue
                default:
                    throw CurationError.badRecord(r.location, reason: "reference_answers[\"\(e.key)\"] should be a string, found \(e.value.typeName)", kind: .wrongType)
                }
            }
        case .some(let v):
            throw CurationError.badRecord(r.location, reason: "field \"reference_answers\" should be an object {model: answer}, found \(v.typeName)", kind: .wrongType)
        }
        let finish = try r.has("finish_reason") ? r.string("finish_reason") : r.string("stop_reason")
        return PoolItem(id: id, question: try r.string("question"), thinking: try r.string("thinking"),
                        attempt: try r.string("attempt"), groundTruth: gt, domain: try r.string("domain"),
                        source: try r.string("source"), solvedBy: solved, referenceAnswers: refs, finishReason: finish)
    }

    /// A field's value by its record name, for the required-field check.
    func field(_ name: String) -> String?? {
        switch name {
        case "question": return .some(question)
        case "thinking": return .some(thinking)
        case "attempt": return .some(attempt)
        case "ground_truth": return .some(groundTruth)
        case "domain": return .some(domain)
        case "source": return .some(source)
        default: return nil
        }
    }
}
