import Curation
import Foundation
import Mixer

/// `kind: generate`: samples completions from a local model into samples records (what `vote` reads).
/// Settings: `model` (required), `samples`, `temperature` (0.7), `top_p`, `top_k`, `seed`, `max_new_tokens`,
/// `batch`, and budget forcing `min_thinking`, `max_thinking`, `max_waits`, `thinking_delimiters`.
///
/// Shareable: run as N tasks, task i generates for the i-th of N equal runs of the records (`ShardSpec.range`).
/// Every task reads all the prompts, so the ids made unique (`#2`) are one run's; each sample is seeded by
/// (seed, prompt id, sample index), never by its batch, so the merged records are one run's.
struct GenerateStageRunner: StageRunner {
    static let kind = "generate"
    static let shareable = true
    static let settingKeys: Set<String> = GenerationStageSettings.keys

    var s: GenerationStageSettings

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        s = GenerationStageSettings(seed: runSeed)
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            _ = try s.read(key, value, doc, spec.entry)
        }
        if s.model.isEmpty { throw doc.error(spec.node, spec.entry, "a generate stage needs `model`") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a generate stage needs an input") }
    }

    var settings: JSONValue { s.json }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let (modelPath, data) = s.split(inputs)
        let gen = try s.generator(modelPath: modelPath, threads: context.threads)
        let range: Range<Int>? = try context.share.map { share in
            var total = 0
            try RecordReader(files: data).forEach { _ in total += 1 }
            return share.range(of: total)
        }
        let reader = RecordReader(files: data)
        var options = ShardOptions(prefix: "part", workers: context.threads)
        options.share = context.share
        let writer = try ShardedWriter(directory: output, options: options)
        var rep = StageReport(stage: "generate")
        var ids = UniqueIDs()
        var pending: [(RawRecord, GenerationRequest)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            for ((rec, req), comps) in zip(pending, try gen.generate(pending.map(\.1))) {
                var r = rec
                if !rec.has("id") { r = r.setting("id", to: .string(req.id)) }
                r = r.setting("completions", to: .array(comps.map { .string($0.text) }))
                r = r.setting("completion_meta", to: .array(comps.map(Generate.meta)))
                try writer.write(r)
            }
            pending.removeAll()
        }
        var index = 0, considered = 0
        try reader.forEach { rec in
            defer { index += 1 }
            let id = ids.claim(try RecordID.of(rec))
            if let range, !range.contains(index) { return }
            considered += 1
            var req = GenerationRequest(id: id, samples: s.samples, maxTokens: s.maxNewTokens, temperature: s.temperature ?? 0.7,
                                        topP: s.topP, seed: s.seed)
            try Generate.setPrompt(of: &req, from: rec)
            pending.append((rec, req))
            if pending.count >= 16 { try flush() }
        }
        try flush()
        let manifest = try writer.finish()
        rep.absorb(reader.counts)
        if let share = context.share {
            // A share's records in are its run of them (the reader read them all); share 0 alone counts
            // the input's bytes, so the merged report counts them once.
            rep.recordsIn = considered
            if share.index > 0 { rep.bytesIn = 0 }
        }
        rep.recordsOut = manifest.records
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        return StageOutcome(report: rep, manifest: manifest, summary: "\(manifest.records) prompts x \(s.samples) samples", shareOutputs: [manifest],
                            slices: range.map { ["records \($0.lowerBound)..<\($0.upperBound) of \(data.joined(separator: ", "))"] } ?? [])
    }
}
