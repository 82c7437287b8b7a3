/// SFT hyper-parameters. Defaults follow Tulu 3's recipe (linear schedule, 3% warmup, 2 epochs, no
/// weight decay, clipping at 1) scaled for models of millions rather than billions of parameters:
/// a larger learning rate, shorter sequences and smaller batches. The loop's fields
/// (`learningRate`, `batchSize`, `maxLength`, ...) are those of `TrainingLoopSettings`.
public struct SFTSettings: TrainingRecipeSettings {
    public var loop = TrainingLoopSettings(learningRate: 1e-4, warmupRatio: 0.03, epochs: 2)
    /// Best-fit-decreasing packing (true) or one example per row, padded (false).
    public var packing: Bool = true

    public init() {}

    /// Checks ranges; the message names the option.
    public func validate() throws { try loop.validate() }
}
