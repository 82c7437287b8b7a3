/// SFT hyper-parameters. Defaults follow Tulu 3's recipe (linear schedule, 3% warmup, 2 epochs, no
/// weight decay, clipping at 1) scaled for models of millions rather than billions of parameters:
/// a larger learning rate, shorter sequences and smaller batches.
public struct SFTSettings: Sendable, Equatable {
    public var learningRate: Double = 1e-4
    public var schedule: LRSchedule.Decay = .linear
    public var warmupRatio: Double = 0.03
    /// The rate reached at the end of decay.
    public var minLearningRate: Double = 0
    public var epochs: Int = 2
    /// Rows (of `maxLength` tokens when packing) per micro-batch.
    public var batchSize: Int = 8
    /// Micro-batches per optimiser step.
    public var gradientAccumulation: Int = 1
    public var maxLength: Int = 1024
    public var weightDecay: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-8
    /// Global-norm clipping threshold (0 = off).
    public var maxGradNorm: Double = 1
    public var seed: UInt64 = 42
    /// Best-fit-decreasing packing (true) or one example per row, padded (false).
    public var packing: Bool = true
    /// Stop after this many steps in total (nil: all epochs).
    public var maxSteps: Int?

    public init() {}

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
