import Curation
import Foundation
import Mixer

/// `kind: persona`: persona-driven synthesis over the personas its inputs hold (Persona Hub layout).
///
/// Settings: `skill` (math, grade-math, code, if; required), `count` (required), `backend` (`local:PATH` — a
/// model folder or GGUF, relative to the recipe — or `openai:URL`; required), `samples`, `seed`, `model`,
/// `task_max_tokens`, `solution_max_tokens`, `task_temperature`, `solution_temperature`, `min_agreement`,
/// `dedupe` (true). The kept records (persona prompt schema) are the stage's `part-*` shards; the synthesis
/// prompts go to `prompts/`. An `openai:` backend caches every request in the stage's `cache.sqlite`, so a
/// killed stage re-run pays for nothing twice.
///
/// Shareable: run as N tasks, every task loads, dedupes and samples all the personas and synthesizes the
/// i-th of N equal runs of the slots, with its own cache (`cache-sIofN.sqlite`); requests are seeded per
/// instance, so the merged records and prompts are one run's.
struct PersonaStageRunner: StageRunner {
    static let kind = "persona"
    static let shareable = true
    static let settingKeys: Set<String> = Set(["skill", "count", "backend", "samples", "seed", "model", "task_max_tokens",
                                           "solution_max_tokens", "task_temperature", "solution_temperature",
                                           "min_agreement", "dedupe"]).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them.
    var outputFormat = MixOutputFormat()

    var skill = PersonaSkill.math
    var count = 0
    var backend = BackendSpec.openai("")
    var samples: Int?
    var seed: UInt64
    var model = "default"
    var taskMaxTokens = 256
    var solutionMaxTokens = 384
    var taskTemperature = 1.0
    var solutionTemperature = 0.7
    var minAgreement = 0.5
    var dedupe = true

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        seed = runSeed
        var saw = Set<String>()
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            saw.insert(key)
            switch key {
            case "skill":
                guard let s = PersonaSkill(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "skill should be math, grade-math, code or if")
                }
                skill = s
            case "count":
                count = try doc.integer(value, spec.entry, what: key)
                if count < 1 { throw doc.error(value, spec.entry, "count should be at least 1") }
            case "backend":
                let text = try doc.string(value, spec.entry)
                guard let b = BackendSpec(argument: text) else { throw doc.error(value, spec.entry, "backend should be local:PATH or openai:URL") }
                if case .local(let p) = b { backend = .local(doc.resolvePath(p)) } else { backend = b }
            case "samples": samples = try doc.integer(value, spec.entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
            case "seed": seed = try doc.seed(value, spec.entry)
            case "model": model = try doc.string(value, spec.entry)
            case "task_max_tokens": taskMaxTokens = try doc.integer(value, spec.entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
            case "solution_max_tokens": solutionMaxTokens = try doc.integer(value, spec.entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
            case "task_temperature": taskTemperature = try doc.double(value, spec.entry, what: key, in: 0...Double.greatestFiniteMagnitude)
            case "solution_temperature": solutionTemperature = try doc.double(value, spec.entry, what: key, in: 0...Double.greatestFiniteMagnitude)
            case "min_agreement":
                minAgreement = try doc.double(value, spec.entry, what: key)
                if !(0..<1).contains(minAgreement) { throw doc.error(value, spec.entry, "min_agreement should be in [0, 1)") }
            case "dedupe": dedupe = try doc.bool(value, spec.entry, what: key)
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        for required in ["skill", "count", "backend"] where !saw.contains(required) {
            throw doc.error(spec.node, spec.entry, "a persona stage needs \(required)")
        }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a persona stage needs personas as its input") }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue {
        .object(JSONObject([
            .init(key: "skill", value: .string(skill.rawValue)), .init(key: "count", value: .int(count)),
            .init(key: "backend", value: .string(backend.description)), .init(key: "samples", value: samples.map { .int($0) } ?? .null),
            .init(key: "seed", value: .number(String(seed))), .init(key: "model", value: .string(model)),
            .init(key: "task_max_tokens", value: .int(taskMaxTokens)), .init(key: "solution_max_tokens", value: .int(solutionMaxTokens)),
            .init(key: "task_temperature", value: .double(taskTemperature)), .init(key: "solution_temperature", value: .double(solutionTemperature)),
            .init(key: "min_agreement", value: .double(minAgreement)), .init(key: "dedupe", value: .bool(dedupe)),
        ]))
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let loaded = try PersonaLoader.load(paths: inputs.flatMap(\.files))
        guard !loaded.isEmpty else { throw PersonaError.noPersonas("the persona stage's inputs hold no persona") }
        let kept = dedupe ? try PersonaSelection.dedupe(loaded, options: MinHashOptions(shingleSize: 1, permutations: 128, threshold: 0.9),
                                                       threads: context.threads).kept : loaded
        let slots = PersonaSelection.sample(kept, count: count, seed: seed)
        let range = context.share.map { $0.range(of: slots.count) } ?? 0..<slots.count
        var vote = VoteOptions(threads: 1)
        vote.minAgreement = minAgreement
        let options = PersonaSynthesisOptions(skill: skill, count: count, samples: samples, seed: seed,
                                              taskMaxTokens: taskMaxTokens, solutionMaxTokens: solutionMaxTokens,
                                              taskTemperature: taskTemperature, solutionTemperature: solutionTemperature, vote: vote)
        let synthesis = try PersonaSynthesis(options: options)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let cacheName = context.share.map { $0.name("cache.sqlite") } ?? "cache.sqlite"
        let generator = try backend.open(model: model, cachePath: (output as NSString).appendingPathComponent(cacheName), concurrency: 4)
        var recordOptions = outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads))
        recordOptions.share = context.share
        var promptOptions = ShardOptions(prefix: "part")
        promptOptions.share = context.share
        let records = try ShardedWriter(directory: output, options: recordOptions)
        let prompts = try ShardedWriter(directory: (output as NSString).appendingPathComponent("prompts"), options: promptOptions)
        func writer(_ w: ShardedWriter) -> (JSONValue) throws -> Void {
            { value in try JSONWriter.bytes(value).withUnsafeBytes { try w.write(line: $0) } }
        }
        let result = try synthesis.run(slots: Array(slots[range]), generator: generator, prompt: writer(prompts), record: writer(records), preference: { _ in })
        var promptManifest = try prompts.finish()
        promptManifest.prefix = "prompts/" + promptManifest.prefix
        let manifest = try records.finish()
        var rep = result.report
        rep.recordsOut = manifest.records
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["personas_loaded"] = .int(loaded.count)
        rep.extra["personas_after_dedupe"] = .int(kept.count)
        return StageOutcome(report: rep, manifest: manifest,
                            summary: "kept \(manifest.records) of \(count) synthesized tasks (tasks \(result.tasksGenerated), solutions \(result.solutionsGenerated))",
                            shareOutputs: [manifest, promptManifest],
                            slices: context.share == nil ? [] : ["persona slots \(range.lowerBound)..<\(range.upperBound) of \(slots.count)"])
    }
}
