import Curation
import Foundation
import Mixer

/// `kind: eval`: evaluates a local model on eval items (gsm8k / math / ifeval); writes one graded record per
/// item and puts the accuracy in the summary. Settings: those of `generate` plus `task` (auto), `limit` and
/// `instruction` (replaces the answer instruction appended to the question; "" sends the question as it is,
/// as a model trained on bare questions saw them).
struct EvalStageRunner: StageRunner {
    static let kind = "eval"
    static let settingKeys: Set<String> = GenerationStageSettings.keys.union(["task", "limit", "instruction"])

    var s: GenerationStageSettings
    var task: EvalTask?
    var limit: Int?
    var instruction: String?

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        s = GenerationStageSettings(seed: runSeed)
        s.maxNewTokens = 512
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            if try s.read(key, value, doc, spec.entry) { continue }
            switch key {
            case "task":
                let t = try doc.string(value, spec.entry)
                if t != "auto" {
                    guard let k = EvalTask(rawValue: t) else { throw doc.error(value, spec.entry, "task must be gsm8k, math, ifeval or auto") }
                    task = k
                }
            case "limit": limit = try doc.integer(value, spec.entry, what: key)
            case "instruction": instruction = try doc.string(value, spec.entry)
            default: break
            }
        }
        if s.model.isEmpty { throw doc.error(spec.node, spec.entry, "an eval stage needs `model`") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "an eval stage needs an input") }
    }

    var settings: JSONValue {
        guard case .object(var o) = s.json else { return s.json }
        o["task"] = .string(task?.rawValue ?? "auto")
        o["limit"] = limit.map(JSONValue.int) ?? .null
        if let instruction { o["instruction"] = .string(instruction) }
        return .object(o)
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let (modelPath, data) = s.split(inputs)
        let items = try Eval.loadItems(data, task: task, limit: limit)
        let gen = try s.generator(modelPath: modelPath, threads: context.threads)
        let settings = EvalSettings(samples: s.samples, temperature: s.temperature ?? (s.samples > 1 ? 0.7 : 0), topP: s.topP,
                                    seed: s.seed, maxTokens: s.maxNewTokens, answerMarker: s.budget?.endDelimiter)
        var prompts = EvalPromptProtocol()
        if let instruction { for t in EvalTask.allCases { prompts.instructions[t] = instruction } }
        let results = try Evaluator.run(items, generator: gen, prompts: prompts, settings: settings)
        let writer = try ShardedWriter(directory: output, options: ShardOptions(prefix: "part", workers: context.threads))
        for r in results {
            guard case .object(let o) = r.json else { continue }
            try writer.write(RawRecord(object: o, location: SourceLocation(file: "eval", line: 0, offset: 0)))
        }
        let manifest = try writer.finish()
        let sum = Evaluator.summarize(results)
        var rep = StageReport(stage: "eval")
        rep.recordsIn = items.count
        rep.recordsOut = manifest.records
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["accuracy"] = .double(sum.accuracy)
        rep.extra["majority_at_k"] = .double(sum.majorityAtK)
        rep.extra["pass_at_k"] = .double(sum.passAtK)
        rep.extra["samples"] = .int(s.samples)
        rep.extra["avg_thinking_tokens"] = .double(sum.avgThinkingTokens)
        return StageOutcome(report: rep, manifest: manifest,
                            summary: String(format: "accuracy %.1f%%, majority@%d %.1f%%, pass@%d %.1f%%, avg thinking %.0f tokens",
                                            100 * sum.accuracy, s.samples, 100 * sum.majorityAtK, s.samples, 100 * sum.passAtK, sum.avgThinkingTokens))
    }
}
