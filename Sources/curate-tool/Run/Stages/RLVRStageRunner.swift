import Curation
import Foundation
import Mixer
import Trainer

/// `kind: rlvr`: reinforcement learning with verifiable rewards. `model:` (a path or an input naming a
/// training stage, e.g. the `sft` stage), the verifiable prompt inputs, the GRPO settings under the
/// CLI's names in snake_case (`num_generations`, `loss_type`, `epsilon`, `epsilon_high`, `beta`,
/// `num_iterations`, `scale_rewards`, `mask_truncated_completions`, `max_completion_length`,
/// `temperature`, `top_p`, `top_k`, `format_reward`, `dataset`, `instruction` as eval's) and the shared hyper-parameters
/// (`batch_size` counts prompts per step).
struct RLVRStageRunner: StageRunner {
    static let kind = "rlvr"
    static let ownKeys: Set<String> = ["num_generations", "loss_type", "epsilon", "epsilon_high", "beta", "num_iterations", "scale_rewards",
                                       "mask_truncated_completions", "max_completion_length", "temperature", "top_p", "top_k",
                                       "format_reward", "dataset", "instruction"]
    static let settingKeys: Set<String> = TrainStageSettings.keys.union(ownKeys)

    var shared: TrainStageSettings
    var rl = RLVRSettings()
    var formatReward = 0.0
    var dataset: String?
    /// Replaces the answer instruction appended to each prompt, as the eval stage's `instruction` ("" sends the
    /// question as it is), so RLVR prompts look like the ones the model is evaluated on.
    var instruction: String?

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        shared = TrainStageSettings(seed: runSeed)
        var epsilonHigh: Double?
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            if try shared.read(key, value, doc: doc, entry: spec.entry) { continue }
            switch key {
            case "num_generations": rl.numGenerations = try doc.integer(value, spec.entry, what: key, in: 2...1024); shared.values[key] = .int(rl.numGenerations)
            case "loss_type":
                guard let t = GRPOLossType(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "loss_type should be one of \(GRPOLossType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rl.objective.lossType = t; shared.values[key] = .string(t.rawValue)
            case "epsilon": rl.objective.epsilon = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(rl.objective.epsilon)
            case "epsilon_high": epsilonHigh = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(epsilonHigh ?? 0)
            case "beta": rl.objective.beta = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(rl.objective.beta)
            case "num_iterations": rl.numIterations = try doc.integer(value, spec.entry, what: key, in: 1...64); shared.values[key] = .int(rl.numIterations)
            case "scale_rewards":
                guard let s = RewardScaling(rawValue: try doc.string(value, spec.entry)) else { throw doc.error(value, spec.entry, "scale_rewards should be group or none") }
                rl.scaleRewards = s; shared.values[key] = .string(s.rawValue)
            case "mask_truncated_completions": rl.maskTruncatedCompletions = try doc.bool(value, spec.entry, what: key); shared.values[key] = .bool(rl.maskTruncatedCompletions)
            case "max_completion_length":
                rl.objective.maxCompletionLength = try doc.integer(value, spec.entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
                shared.values[key] = .int(rl.objective.maxCompletionLength)
            case "temperature": rl.temperature = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(rl.temperature)
            case "top_p": rl.topP = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(rl.topP)
            case "top_k": rl.topK = try doc.integer(value, spec.entry, what: key, in: 0...YAMLDocument.maxWholeNumber); shared.values[key] = .int(rl.topK)
            case "format_reward": formatReward = try doc.double(value, spec.entry, what: key); shared.values[key] = .double(formatReward)
            case "instruction": instruction = try doc.string(value, spec.entry); shared.values[key] = .string(instruction ?? "")
            case "dataset": dataset = try doc.string(value, spec.entry); shared.values[key] = .string(dataset ?? "")
            default: break
            }
        }
        rl.objective.epsilonHigh = epsilonHigh ?? rl.objective.epsilon
        var probe = rl
        shared.apply(to: &probe.loop)
        do { try probe.validate() } catch { throw doc.error(spec.node, spec.entry, "\(error)") }
        if shared.model == nil { throw doc.error(spec.node, spec.entry, "an rlvr stage needs model: (a path or an input)") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "an rlvr stage needs at least one input of verifiable prompts") }
    }

    var settings: JSONValue { shared.json }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let (model, data) = shared.split(inputs)
        guard let model else { throw CurationError.invalidArgument("rlvr stage: no model") }
        var s = rl
        shared.apply(to: &s.loop)
        var prompts = EvalPromptProtocol()
        if let instruction { for t in EvalTask.allCases { prompts.instructions[t] = instruction } }
        let job = RLVRJob(model: model, template: shared.template, data: data, output: output, settings: s, dataset: dataset,
                          prompts: prompts, formatReward: formatReward, saveEvery: shared.saveEvery, threads: context.threads, quiet: context.quiet)
        let out = try job.run()
        return try TrainStageSettings.outcome(report: out.report, metrics: out.metrics, output: output,
                                              summary: String(format: "rlvr: %d steps, final reward %.3f, accuracy %.2f",
                                                              out.report.extra["steps"]?.intValue ?? 0,
                                                              out.report.extra["final_reward"]?.doubleValue ?? .nan,
                                                              out.report.extra["final_accuracy"]?.doubleValue ?? .nan))
    }
}
