import ArgumentParser
import Trainer

/// Hyper-parameters SFT and DPO share on the command line.
struct TrainHyperOptions: ParsableArguments {
    @Option(name: .long, help: "Peak learning rate (default: SFT 1e-4, DPO 5e-6, RLVR 1e-6).") var lr: Double?
    @Option(name: .long, help: "Schedule after warmup: linear, cosine or constant.") var schedule = "linear"
    @Option(name: .long, help: "Warmup as a fraction of the steps (default: SFT 0.03, DPO 0.1, RLVR 0).") var warmupRatio: Double?
    @Option(name: .long, help: "Epochs (default: SFT 2, DPO 1, RLVR 1).") var epochs: Int?
    @Option(name: .long, help: "Rows (SFT) or pairs (DPO) per micro-batch; prompts per step (RLVR).") var batchSize = 8
    @Option(name: .long, help: "Micro-batches per optimiser step.") var gradAccum = 1
    @Option(name: .long, help: "Tokens per row / longest sequence.") var maxLength = 1024
    @Option(name: .long, help: "AdamW weight decay (not applied to norms).") var weightDecay = 0.0
    @Option(name: .long, help: "Clip gradients to this global norm (0: off).") var maxGradNorm = 1.0
    @Option(name: .long, help: "Stop after this many steps (the schedule is fitted to it).") var maxSteps: Int?
    @Option(name: .long, help: "Seed for data order and new weights.") var seed: UInt64 = 42
    @Option(name: .long, help: "Save a resumable checkpoint every N steps (always at the end).") var saveEvery = 0
    @Flag(name: .long, help: "Continue from OUTPUT/checkpoint.") var resume = false
    @Option(name: .long, help: ArgumentHelp("Halt after N steps, as an interruption would (testing).", visibility: .hidden)) var stopAfter: Int?

    var decay: LRSchedule.Decay {
        get throws {
            guard let d = LRSchedule.Decay(rawValue: schedule) else { throw ValidationError("--schedule should be linear, cosine or constant") }
            return d
        }
    }

    /// Sets the loop settings from the flags; the ones without a flag-level default (learning rate,
    /// warmup, epochs) keep the recipe's own when not given.
    func apply(to s: inout TrainingLoopSettings) throws {
        if let v = lr { s.learningRate = v }
        s.schedule = try decay
        if let v = warmupRatio { s.warmupRatio = v }
        if let v = epochs { s.epochs = v }
        s.batchSize = batchSize; s.gradientAccumulation = gradAccum; s.maxLength = maxLength
        s.weightDecay = weightDecay; s.maxGradNorm = maxGradNorm; s.maxSteps = maxSteps; s.seed = seed
    }
}
