import Curation
import Foundation
import Mixer
import Yams

/// `kind: synth`: the synthetic task family (see `curate-tool synth`) as a recipe stage. A stage writes one
/// output, `emit` (eval, train, pretrain, samples or pool; required), as its `part-*` shards; a recipe that
/// needs several declares one synth stage per output with the same settings, and gets the same problems in
/// each (generation is a function of the settings and seed), so e.g. a decontam stage can index the eval
/// stage and scan the train stage. Inputs are optional: persona files (Persona Hub layout) give problems
/// their voice. Settings (defaults as the CLI's): `seed` (the run's), `eval_count`, `train_count`,
/// `pretrain_count`, `min_steps`, `max_steps`, `max_number`, `samples`, `error_rate`, `systematic_share`,
/// `systematic_agreement`, `plant_dose`, `plant_items`, `plant_kinds` (list), `defect_share`,
/// `weak_solver_threshold`, `self_check_words` (list). Report: problems in (candidates) = kept + dropped (other-split, duplicate,
/// invalid-chain), plus the output's figures (teacher error rate, planted counts, pool defects).
struct SynthStageRunner: StageRunner {
    static let kind = "synth"
    static let settingKeys: Set<String> = (Set(["emit", "seed"] + SynthParameter.allCases.map(\.setting))).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them.
    var outputFormat = MixOutputFormat()

    var options: SynthOptions

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        options = SynthOptions(seed: runSeed)
        var emit: SynthOutput?
        var nodes: [SynthParameter: Node] = [:]
        func whole(_ v: Node, _ key: String) throws -> Int { try doc.integer(v, spec.entry, what: key) }
        func real(_ v: Node, _ key: String) throws -> Double { try doc.double(v, spec.entry, what: key) }
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            if let p = SynthParameter(rawValue: key) { nodes[p] = value }
            switch key {
            case "emit":
                let name = try doc.string(value, spec.entry)
                guard let o = SynthOutput(rawValue: name) else {
                    throw doc.error(value, spec.entry, "emit should be one of \(SynthOutput.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
                }
                emit = o
            case "seed": options.seed = try doc.seed(value, spec.entry)
            case "eval_count": options.evalCount = try whole(value, key)
            case "train_count": options.trainCount = try whole(value, key)
            case "pretrain_count": options.pretrainCount = try whole(value, key)
            case "min_steps": options.difficulty.minSteps = try whole(value, key)
            case "max_steps": options.difficulty.maxSteps = try whole(value, key)
            case "max_number": options.difficulty.maxNumber = try whole(value, key)
            case "samples": options.teacher.samples = try whole(value, key)
            case "error_rate": options.teacher.errorRate = try real(value, key)
            case "systematic_share": options.teacher.systematicShare = try real(value, key)
            case "systematic_agreement": options.teacher.systematicAgreement = try real(value, key)
            case "plant_dose": options.plant.dose = try whole(value, key)
            case "plant_items": options.plant.items = try whole(value, key)
            case "plant_kinds":
                var kinds: [SynthPlantKind] = []
                for (name, node) in try doc.scalarList(value, spec.entry) {
                    guard let k = SynthPlantKind(rawValue: name.replacingOccurrences(of: "-", with: "_")) else {
                        throw doc.error(node, spec.entry, "plant_kinds: unknown kind \"\(name)\" (verbatim, recased, embedded, near_miss)")
                    }
                    kinds.append(k)
                }
                options.plant.kinds = kinds
            case "defect_share": options.pool.defectShare = try real(value, key)
            case "weak_solver_threshold": options.pool.weakSolverThreshold = try real(value, key)
            case "self_check_words": options.pool.selfCheckWords = try doc.scalarList(value, spec.entry).map(\.0)
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        guard let emit else { throw doc.error(spec.node, spec.entry, "a synth stage needs emit (\(SynthOutput.allCases.map(\.rawValue).joined(separator: ", ")))") }
        options.outputs = [emit]
        do { try options.validate() } catch let e as SynthError {
            let node: Node? = { if case .outOfRange(let p, _) = e { return nodes[p] }; return nil }()
            throw doc.error(node ?? spec.node, spec.entry, e.message(naming: { $0.setting }))
        }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue { options.json }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let files = inputs.flatMap(\.files)
        let personas = files.isEmpty ? [] : try PersonaLoader.load(paths: files)
        let synthesizer = try Synthesizer(options: options, personas: personas)
        let writer = try ShardedWriter(directory: output, options: outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads)))
        var rep = try synthesizer.run(threads: context.threads) { _, value in
            try JSONWriter.bytes(value).withUnsafeBytes { try writer.write(line: $0) }
        }
        let manifest = try writer.finish()
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["personas"] = .int(personas.count)
        let emitted = options.outputs.first?.rawValue ?? "?"
        return StageOutcome(report: rep, manifest: manifest, summary: "\(manifest.records) \(emitted) records from \(rep.recordsOut) problems")
    }
}
