import Curation
import Foundation
import Mixer

/// `kind: verify`: scores verifiable records (adds reward, extracted, rule); with `min_reward`, keeps only
/// records whose reward reaches it (dropped as `below-min-reward`). Settings: `dataset`, `min_reward`,
/// `on_error` (fail|skip: a record that cannot be scored stops the run, or is dropped as `unverifiable` and
/// written verbatim to `rejected.jsonl` in the stage's output directory). The work is `VerifyStage`'s,
/// shared with `curate-tool verify`.
struct VerifyStageRunner: StageRunner {
    static let shareable = true
    static let kind = "verify"
    static let settingKeys: Set<String> = Set(["dataset", "min_reward", "on_error", "float_rounding", "allow_set_relation", "strict"]).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them.
    var outputFormat = MixOutputFormat()

    var dataset = "math"
    var minReward: Double?
    var onError: ErrorPolicy = .fail
    var answers = AnswerOptions.default

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "dataset": dataset = try doc.string(value, spec.entry)
            case "min_reward": minReward = try doc.double(value, spec.entry, what: key)
            case "float_rounding": answers.floatRounding = Int(try doc.double(value, spec.entry, what: key))
            case "allow_set_relation": answers.allowSetRelation = try doc.string(value, spec.entry) == "true"
            case "strict": answers.strict = try doc.string(value, spec.entry) != "false"
            case "on_error":
                guard let p = ErrorPolicy(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "on_error should be fail or skip")
                }
                onError = p
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a verify stage needs at least one input") }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue {
        var s = JSONObject([.init(key: "dataset", value: .string(dataset)), .init(key: "min_reward", value: minReward.map { .double($0) } ?? .null)])
        // Only when set, so that recipes written before the setting keep their stage fingerprint.
        if onError != .fail { s["on_error"] = .string(onError.rawValue) }
        if answers != .default { for (k, v) in answers.json { s[k] = v } }
        return .object(s)
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let shares = try ShareRun(spec: context.share, files: inputs.flatMap(\.files), read: ReadOptions())
        let rejected = onError == .skip ? RejectedWriter(directory: output, name: shares.name("rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: onError, rejected: rejected)
        let writer = try ShardedWriter(directory: output, options: shares.apply(outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads))))
        let options = VerifyOptions(defaultDataset: dataset, minReward: minReward, threads: context.threads, answers: answers)
        var rep = try VerifyStage.run(reader: reader, options: options, rejected: rejected) { try writer.write($0) }
        let manifest = try writer.finish()
        try rejected?.finish()
        rep.bytesOut = manifest.compressedBytes
        return StageOutcome(report: rep, manifest: manifest, shareOutputs: [manifest],
                            sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (output as NSString).appendingPathComponent($0) },
                            slices: context.share == nil ? [] : shares.slices.map(\.description))
    }
}
