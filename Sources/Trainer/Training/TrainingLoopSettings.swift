/// The hyper-parameters of the optimisation loop that SFT and DPO share: the learning-rate schedule,
/// batching, epochs, AdamW, clipping and the data-order seed.
///
/// Both recipes run the same loop and differ only in their defaults and in how a step turns its items
/// into gradients, so the fields, their range checks and the objects built from them live here once.
/// `SFTSettings` and `DPOSettings` each hold one (with their recipe's defaults) and expose its fields
/// under the same names through `TrainingRecipeSettings`.
public struct TrainingLoopSettings: Sendable, Equatable {
    /// Peak learning rate.
    public var learningRate: Double
    public var schedule: LRSchedule.Decay = .linear
    /// Warmup as a fraction of the total steps.
    public var warmupRatio: Double
    /// The rate reached at the end of decay.
    public var minLearningRate: Double = 0
    public var epochs: Int
    /// Items (SFT rows of `maxLength` tokens when packing, DPO pairs) per micro-batch.
    public var batchSize: Int = 8
    /// Micro-batches per optimiser step.
    public var gradientAccumulation: Int = 1
    /// Tokens per row (SFT) or per sequence (DPO).
    public var maxLength: Int = 1024
    public var weightDecay: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-8
    /// Global-norm clipping threshold (0 = off).
    public var maxGradNorm: Double = 1
    public var seed: UInt64 = 42
    /// Stop after this many steps in total (nil: all epochs).
    public var maxSteps: Int?

    /// The fields whose defaults differ between recipes; the rest start at the shared defaults.
    public init(learningRate: Double, warmupRatio: Double, epochs: Int) {
        self.learningRate = learningRate; self.warmupRatio = warmupRatio; self.epochs = epochs
    }

    /// Checks ranges; the message names the option.
    public func validate() throws {
        func check(_ ok: Bool, _ m: String) throws { if !ok { throw TrainerError.invalidConfig(m) } }
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive")
        try check((0..<1).contains(warmupRatio), "warmup ratio must be in [0, 1)")
        try check(epochs >= 1, "epochs must be at least 1")
        try check(batchSize >= 1 && gradientAccumulation >= 1, "batch size and gradient accumulation must be at least 1")
        try check(maxLength >= 2, "max length must be at least 2")
        try check(weightDecay >= 0 && maxGradNorm >= 0, "weight decay and max grad norm must be >= 0")
        try check((0..<1).contains(beta1) && (0..<1).contains(beta2) && eps > 0, "AdamW betas must be in [0, 1) and eps positive")
        if let m = maxSteps { try check(m >= 1, "max steps must be at least 1") }
    }

    var adamW: AdamW.Settings { AdamW.Settings(beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay) }
}

/// A recipe's settings: a `TrainingLoopSettings` plus the recipe's own fields. The loop's fields read
/// and write as if declared on the recipe (`settings.learningRate = 1e-4`), which keeps one flat set
/// of names for callers while the declarations and checks exist once.
@dynamicMemberLookup
public protocol TrainingRecipeSettings: Sendable, Equatable {
    var loop: TrainingLoopSettings { get set }
}

extension TrainingRecipeSettings {
    public subscript<T>(dynamicMember field: WritableKeyPath<TrainingLoopSettings, T>) -> T {
        get { loop[keyPath: field] }
        set { loop[keyPath: field] = newValue }
    }
}
