/// A samples record as voting reads it (DESIGN.md section 4): either all of a prompt's completions in
/// `completions: [string]`, or one completion per record in `completion`, records of a prompt sharing `id`.
public struct SampleRecord: Sendable {
    public enum Layout: String, Sendable { case list, perCompletion = "per_completion" }

    public var record: RawRecord
    public var layout: Layout
    public var id: String
    /// All completions (list layout) or the one completion (per-completion layout).
    public var completions: [String]
    public var groundTruth: String?
    public var dataset: AnswerDataset
    /// `source`, else `dataset`, else "(none)": the per-source report key.
    public var source: String

    /// The layout of a record without decoding it; throws when it has neither field.
    public static func layout(of r: RawRecord) throws -> Layout {
        if r.has("completions") { return .list }
        if r.has("completion") { return .perCompletion }
        throw CurationError.badRecord(r.location, reason: "a samples record needs \"completions\" (a list of strings) or \"completion\" (one record per completion, sharing \"id\")", kind: .notSamples)
    }

    /// The id grouping per-completion records: a real id field is required, because the `FILE:LINE`
    /// fallback would make every completion its own prompt and silently drop them all as no-majority.
    public static func groupID(of r: RawRecord) throws -> String {
        let id = try RecordID.of(r)
        if id == RecordID.fallback(r.location) && !RecordID.recognisedFields.contains(where: { r.has($0) }) {
            throw CurationError.badRecord(r.location, reason: "a record with \"completion\" needs an \"id\" shared by the other completions of its prompt; this record has none", kind: .missingID)
        }
        return id
    }

    /// Decodes and checks one record.
    public init(_ r: RawRecord, defaultDataset: AnswerDataset) throws {
        record = r
        layout = try SampleRecord.layout(of: r)
        switch layout {
        case .list:
            id = try RecordID.of(r)
            guard let v = try r.value("completions"), case .array(let items) = v else {
                throw CurationError.badRecord(r.location, reason: r.typeError("completions", expected: "a list of strings").reason, kind: .completionsNotAList)
            }
            var out: [String] = []
            out.reserveCapacity(items.count)
            for (k, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw CurationError.badRecord(r.location, reason: "completions[\(k)] should be a string, found \(item.typeName)", kind: .completionsNotAList)
                }
                out.append(s)
            }
            completions = out
        case .perCompletion:
            id = try SampleRecord.groupID(of: r)
            guard let s = try r.string("completion") else { throw r.typeError("completion", expected: "string") }
            completions = [s]
        }
        switch try r.value("ground_truth") {
        case nil, .null?: groundTruth = nil
        case .string(let s)?: groundTruth = s
        case .number(let n)?: groundTruth = n
        case let other?:
            throw CurationError.badRecord(r.location, reason: "field \"ground_truth\" should be a string or number for voting, found \(other.typeName)", kind: .wrongType)
        }
        let datasetName = try r.string("dataset")
        if let name = datasetName {
            guard let d = AnswerDataset(name: name) else {
                throw CurationError.badRecord(r.location, reason: "dataset \"\(name)\" has no answer extractor (voting supports gsm8k, math, multiple_choice)", kind: .unknownDataset)
            }
            dataset = d
        } else {
            dataset = defaultDataset
        }
        let src = (try? r.string("source")) ?? nil
        source = src ?? datasetName ?? "(none)"
    }
}
