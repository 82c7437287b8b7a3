import Curation
import Foundation
import Mixer
import Yams

/// `kind: normalize`: every input record rewritten to one layout trainers take (`curate-tool normalize`).
/// Settings: `to` (chat or preference, required), `thinking_format` (s1, think, plain), `document_as`
/// (assistant), `keep_fields` (a list), and the output settings of `convert`: `max_records`, `max_bytes`,
/// `compression`, `level`, `on_error`.
struct NormalizeStageRunner: StageRunner {
    static let kind = "normalize"
    static let normalizeKeys: Set<String> = ["to", "thinking_format", "document_as", "keep_fields"]
    static let settingKeys: Set<String> = ConvertStageRunner.settingKeys.union(normalizeKeys)

    /// The output settings, read as a convert stage's.
    var output: ConvertStageRunner
    var normalizer: RecordNormalizer

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        guard case .mapping(let all) = spec.node else { throw doc.error(spec.node, spec.entry, "a stage should be a mapping") }
        // The normalisation keys form one `normalize:` mapping the mix recipe parser reads; the rest are convert's.
        var normalizePairs: [(Node, Node)] = []
        var outputPairs: [(Node, Node)] = []
        for (k, v) in all {
            if let key = k.string, Self.normalizeKeys.contains(key) { normalizePairs.append((k, v)) } else { outputPairs.append((k, v)) }
        }
        guard normalizePairs.contains(where: { $0.0.string == "to" }) else {
            throw doc.error(spec.node, spec.entry, "a normalize stage needs `to: chat` or `to: preference`")
        }
        normalizer = try MixRecipe.parseNormalize(doc, .mapping(Node.Mapping(normalizePairs)), spec.entry)
        var outSpec = spec
        outSpec.node = .mapping(Node.Mapping(outputPairs))
        output = try ConvertStageRunner(spec: outSpec, document: doc, runSeed: runSeed)
    }

    var settings: JSONValue {
        var o = output.settings.objectValue ?? JSONObject()
        o["to"] = .string(normalizer.target.rawValue)
        o["thinking_format"] = .string(normalizer.thinkingFormat.rawValue)
        o["document_as"] = normalizer.documentAs.map { .string($0) } ?? .null
        o["keep_fields"] = .array(normalizer.keptFields.map { .string($0) })
        return .object(o)
    }

    func run(inputs: [StageInput], output dir: String, context: StageContext) throws -> StageOutcome {
        let files = inputs.flatMap(\.files)
        let rejected = output.onError == .skip ? RejectedWriter(directory: dir) : nil
        let reader = RecordReader(files: files, policy: output.onError, rejected: rejected)
        let writer = try ShardedWriter(directory: dir, options: ShardOptions(
            prefix: "part", compression: output.compression, level: output.level, maxRecords: output.maxRecords,
            maxBytes: output.maxBytes, workers: context.threads, format: output.format, parquet: output.parquet))
        if let rejected { writer.rejectUnfit = { try rejected.write(line: $0, error: $1) } }
        var (report, manifest) = try NormalizeStage.run(reader: reader, writer: writer, normalizer: normalizer, threads: context.threads) { c in
            TestHooks.recordsProcessed(c.records, kind: "normalize")
        }
        try rejected?.finish()
        report.settings = settings.objectValue.map { Dictionary($0.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
        return StageOutcome(report: report, manifest: manifest)
    }
}
