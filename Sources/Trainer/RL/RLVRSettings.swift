/// RLVR hyper-parameters, named and defaulted as TRL's `GRPOConfig` where TRL has the same knob
/// (num_generations 8, loss_type grpo, epsilon 0.2, beta 0, num_iterations 1, scale_rewards group,
/// max_completion_length 256, temperature 1, learning rate 1e-6), so its users feel at home.
public struct RLVRSettings: TrainingRecipeSettings {
    /// Completions sampled per prompt (a group).
    public var numGenerations = 8
    public var objective = GRPOObjective()
    /// Optimisation passes over each batch of rollouts (the importance ratio departs from 1 after the first).
    public var numIterations = 1
    /// nil: `none` for `dr_grpo` (its paper's unscaled advantages), `group` otherwise.
    public var scaleRewards: RewardScaling?
    /// Truncated completions (no stop token within the limit) count in the batch but get no loss.
    public var maskTruncatedCompletions = false
    /// Stop tokens are masked until a completion has this many tokens (transformers' `min_new_tokens`);
    /// 0 (default) for none. Equal to the max completion length, every completion has that fixed length:
    /// a benchmark's fixed workload (`Benchmarks/rlvr_bench.sh`), not a training setting.
    public var minCompletionLength = 0
    /// Sampling of the rollouts.
    public var temperature = 1.0
    public var topP = 1.0
    public var topK = 0
    /// Completions decoded together.
    public var decodeBatch = 16
    /// Completions per forward/backward micro-batch when scoring rollouts.
    public var scoreBatch = 16
    /// The loop's fields; `batchSize` counts prompts per step (each with `numGenerations` completions),
    /// `maxLength` bounds prompt + completion.
    public var loop: TrainingLoopSettings = {
        var l = TrainingLoopSettings(learningRate: 1e-6, warmupRatio: 0, epochs: 1)
        l.batchSize = 4
        return l
    }()

    public init() {}

    public var rewardScaling: RewardScaling { scaleRewards ?? (objective.lossType == .drGRPO ? .none : .group) }

    public func validate() throws {
        func check(_ ok: Bool, _ m: String) throws { if !ok { throw TrainerError.invalidConfig(m) } }
        try objective.validate()
        try loop.validate()
        try check(numGenerations >= 2 && numGenerations <= 1024, "num generations must be in 2...1024 (a group needs two completions to compare)")
        try check(numIterations >= 1 && numIterations <= 64, "num iterations must be in 1...64")
        try check(temperature > 0 && temperature.isFinite, "temperature must be positive (rollouts are sampled)")
        try check(topP > 0 && topP <= 1, "top-p must be in (0, 1]")
        try check(topK >= 0, "top-k must be >= 0")
        try check(minCompletionLength >= 0 && minCompletionLength <= objective.maxCompletionLength,
                  "min completion length must be in 0...max completion length")
        try check(decodeBatch >= 1 && decodeBatch <= 1024 && scoreBatch >= 1 && scoreBatch <= 4096, "decode and score batches must be positive")
        try check(loop.gradientAccumulation == 1, "RLVR takes all of a step's rollouts in one update: gradient accumulation must be 1")
    }
}
