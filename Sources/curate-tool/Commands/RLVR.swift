import ArgumentParser
import Curation
import Foundation
import Trainer

extension GRPOLossType: ExpressibleByArgument {}
extension RewardScaling: ExpressibleByArgument {}

/// `curate-tool rlvr`: reinforcement learning with verifiable rewards (GRPO and its variants).
struct RLVR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlvr",
        abstract: "Reinforcement learning with verifiable rewards: GRPO, Dr. GRPO or DAPO with the verify verifiers as rewards.",
        discussion: """
        Each step takes --batch-size prompts (default 8) from verifiable records (the verifiable layout: messages or \
        prompt, ground_truth, dataset = gsm8k, math, multiple_choice or ifeval; or eval records), samples \
        --num-generations completions of each with the current policy (seeded streams: the same run draws the same \
        completions, also after --resume), scores them as `verify` would (1/0 for answers, the satisfied fraction for \
        ifeval), normalises the rewards within each prompt's group and takes --num-iterations clipped policy-gradient \
        updates. Prompts are rendered as `eval` renders them (the task's answer instruction, the chat template's \
        generation prompt). Defaults follow TRL's GRPOConfig. Writes OUTPUT as a model folder, OUTPUT/checkpoint, \
        OUTPUT/metrics.jsonl (TRL's keys: reward, reward_std, accuracy, kl, clip_ratio, completion_length, \
        frac_reward_zero_std) and OUTPUT/report.json.
        """)

    @Option(name: .long, help: "Policy to start from (and the KL reference): a Hugging Face folder or a GGUF file.") var model: String
    @Option(name: .long, parsing: .singleValue, help: "Verifiable prompt records: files, globs or directories.") var data: [String]
    @Option(name: .shortAndLong, help: "Output directory.") var output: String
    @Option(name: .long, help: "Completions sampled per prompt (a group). Default 8.") var numGenerations = 8
    @Option(name: .long, help: "grpo (per-completion token mean, then mean), dr_grpo (sum / (completions x max completion length)) or dapo (token-level mean). Default grpo.") var lossType: GRPOLossType = .grpo
    @Option(name: .long, help: "Lower clip of the importance ratio: [1 - epsilon, 1 + epsilon-high]. Default 0.2.") var epsilon = 0.2
    @Option(name: .long, help: "Upper clip (DAPO's clip-higher, e.g. 0.28). Default: epsilon.") var epsilonHigh: Double?
    @Option(name: .long, help: "KL penalty to the starting policy (k3 estimator). Default 0: no reference is scored.") var beta = 0.0
    @Option(name: .long, help: "Optimisation passes per batch of rollouts. Default 1.") var numIterations = 1
    @Option(name: .long, help: "group: divide advantages by the group's reward std; none: do not. Default: none for dr_grpo, group otherwise.") var scaleRewards: RewardScaling?
    @Flag(name: .long, help: "Give no loss to completions cut by --max-completion-length (they still count in the batch). Default off.") var maskTruncatedCompletions = false
    @Option(name: .long, help: "Most tokens per completion. Default 256.") var maxCompletionLength = 256
    @Option(name: .long, help: "Stop tokens are masked until a completion has this many tokens (transformers' min_new_tokens); equal to --max-completion-length, every completion has that length: a fixed workload for benchmarks (Benchmarks/rlvr_bench.sh), not for training. Default 0 (off).") var minCompletionLength = 0
    @Option(name: .long, help: "Sampling temperature of the rollouts. Default 1.") var temperature = 1.0
    @Option(name: .long, help: "Nucleus mass of the rollouts. Default 1 (off).") var topP = 1.0
    @Option(name: .long, help: "Top-k of the rollouts. Default 0 (off).") var topK = 0
    @Option(name: .long, help: "Reward added when the completion states its answer with an explicit marker (#### N, \\boxed{}, The answer is). Default 0 (off).") var formatReward = 0.0
    @Option(name: .long, help: "Verifier for records without a dataset field: gsm8k, math, multiple_choice or ifeval. Default: the task each record resolves to, as eval does.") var dataset: String?
    @Option(name: .long, help: "Replace a task's answer instruction: TASK=TEXT (repeatable; empty TEXT for none), as eval.") var instruction: [String] = []
    @Option(name: .long, help: "Chat template: tulu or chatml (default: the model's, else tulu).") var template: String?
    @Option(name: .long, help: "Completions decoded together. Default 16.") var decodeBatch = 16
    @Option(name: .long, help: "Completions per forward/backward micro-batch. Default 16.") var scoreBatch = 16
    @OptionGroup var hyper: TrainHyperOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        var s = RLVRSettings()
        s.numGenerations = numGenerations
        s.objective = GRPOObjective(lossType: lossType, epsilon: epsilon, epsilonHigh: epsilonHigh, beta: beta,
                                    maxCompletionLength: maxCompletionLength)
        s.numIterations = numIterations
        s.scaleRewards = scaleRewards
        s.maskTruncatedCompletions = maskTruncatedCompletions
        s.minCompletionLength = minCompletionLength
        s.temperature = temperature; s.topP = topP; s.topK = topK
        s.decodeBatch = decodeBatch; s.scoreBatch = scoreBatch
        try hyper.apply(to: &s.loop)
        let job = RLVRJob(model: model, template: template, data: data, output: output, settings: s, dataset: dataset,
                          prompts: try Eval.promptProtocol(instruction), formatReward: formatReward, saveEvery: hyper.saveEvery,
                          resume: hyper.resume, stopAfter: hyper.stopAfter, threads: global.threadCount, quiet: global.quiet)
        let out = try job.run()
        try out.report.write(to: (output as NSString).appendingPathComponent("report.json"))
        Console.show(out.report, options: global)
    }
}
