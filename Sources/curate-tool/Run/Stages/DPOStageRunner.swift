import Curation
import Foundation
import Mixer
import Trainer

/// `kind: dpo`: preference optimisation. `model:` (a path or an input naming a training stage, e.g.
/// the `sft` stage), the preference inputs, `loss`, `beta`, `gamma`, `label_smoothing` and the shared
/// hyper-parameters. Reference log-probs are cached in the stage's output folder.
struct DPOStageRunner: StageRunner {
    static let kind = "dpo"
    static let settingKeys: Set<String> = TrainStageSettings.keys.union(["loss", "beta", "gamma", "label_smoothing"])

    var shared: TrainStageSettings
    var loss = DPOLoss(type: .dpoNorm, beta: 5)

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        shared = TrainStageSettings(seed: runSeed)
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            if try shared.read(key, value, doc: doc, entry: spec.entry) { continue }
            switch key {
            case "loss":
                guard let t = DPOLossType(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "loss should be one of \(DPOLossType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                loss.type = t; shared.values[key] = .string(t.rawValue)
            case "beta": loss.beta = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(loss.beta)
            case "gamma": loss.gamma = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(loss.gamma)
            case "label_smoothing": loss.labelSmoothing = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(loss.labelSmoothing)
            default: break
            }
        }
        do { try loss.validate() } catch { throw doc.error(spec.node, spec.entry, "\(error)") }
        if shared.model == nil { throw doc.error(spec.node, spec.entry, "a dpo stage needs model: (a path or an input)") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a dpo stage needs at least one input") }
    }

    var settings: JSONValue { shared.json }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let (model, data) = shared.split(inputs)
        guard let model else { throw CurationError.invalidArgument("dpo stage: no model") }
        var s = DPOSettings()
        s.loss = loss
        shared.apply(to: &s.loop)
        let job = DPOJob(model: model, template: shared.template, data: data, output: output, settings: s,
                         saveEvery: shared.saveEvery, threads: context.threads, quiet: context.quiet)
        let out = try job.run()
        let acc = out.report.extra["final_reward_accuracy"]?.doubleValue ?? .nan
        return try TrainStageSettings.outcome(report: out.report, metrics: out.metrics, output: output,
                                              summary: String(format: "dpo: %d steps, final reward accuracy %.2f, %d reference log-probs computed",
                                                              out.report.extra["steps"]?.intValue ?? 0, acc, out.referencesComputed))
    }
}
