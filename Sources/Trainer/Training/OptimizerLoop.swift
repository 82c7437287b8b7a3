/// The part of an optimiser step that does not depend on the objective: which items the step reads,
/// the step's learning rate, clipping, the AdamW update and the step counter, plus the checkpoint
/// (weights, moments, `TrainerState`) that lets a later run continue bit-exactly.
///
/// `SFTTrainer`, `DPOTrainer` and `RLVRTrainer` differ only in how they turn a step's items into gradients; they
/// call `begin()`, accumulate gradients in the model, then `finish()`. Keeping the rest here means
/// the schedule, clipping and resume rules cannot drift apart between the two.
final class OptimizerLoop {
    let model: LlamaModel
    let settings: TrainingLoopSettings
    let optimizer: AdamW
    let schedule: LRSchedule
    let order: DataOrder
    /// Steps this run will take in total (all epochs, or `maxSteps`).
    let totalSteps: Int
    /// A hash of the training items, saved in the checkpoint so a resume on other data fails.
    let dataHash: String
    /// `TrainerState.kind` written to checkpoints ("sft", "dpo").
    let kind: String
    /// Steps taken so far (the next step's 0-based index).
    private(set) var step = 0
    private var cachedOrder: (epoch: Int, order: [Int])?

    /// `itemCount` items (rows, pairs) are visited once per epoch, `batchSize * gradientAccumulation` a step.
    init(model: LlamaModel, settings: TrainingLoopSettings, itemCount: Int, dataHash: String, kind: String) {
        self.model = model; self.settings = settings; self.dataHash = dataHash; self.kind = kind
        order = DataOrder(count: itemCount, perStep: settings.batchSize * settings.gradientAccumulation,
                          epochs: settings.epochs, seed: settings.seed)
        totalSteps = min(order.totalSteps, settings.maxSteps ?? Int.max)
        schedule = LRSchedule(peak: settings.learningRate, warmupRatio: settings.warmupRatio, totalSteps: totalSteps,
                              decay: settings.schedule, floor: settings.minLearningRate)
        optimizer = AdamW(layout: model.layout, settings: settings.adamW, threads: model.threads)
        // The weights are about to change: quantised blocks from the load would no longer match them.
        model.quantizedWeights = nil
    }

    var isFinished: Bool { step >= totalSteps }

    /// Starts a step: its items (in data order) and its epoch, with the gradients zeroed.
    func begin() throws -> (items: [Int], epoch: Int) {
        guard !isFinished else { throw TrainerError.invalidState("training is finished (\(totalSteps) steps)") }
        let items = order.items(step: step, cachedOrder: &cachedOrder)
        let epoch = order.location(step: step).epoch
        model.zeroGradients()
        return (items, epoch)
    }

    /// Groups of at most `batchSize` items: the micro-batches whose gradients a step accumulates.
    func microBatches<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: settings.batchSize).map { items[$0..<min($0 + settings.batchSize, items.count)] }
    }

    /// Ends a step: clips the accumulated gradients, applies AdamW at the step's rate and counts the
    /// step. Returns the gradient norm before clipping and the rate used.
    ///
    /// `advance: false` applies an update without counting a step: RLVR's `num_iterations` passes over
    /// one batch of rollouts are several updates at the same step's rate (the caller zeroes the
    /// gradients between them).
    func finish(advance: Bool = true) throws -> (gradNorm: Double, learningRate: Double) {
        guard let g = model.gradients else { throw TrainerError.invalidState("no gradients") }
        let threads = model.threads
        optimizer.threads = threads
        let norm = settings.maxGradNorm > 0 ? GradientClipping.clip(g, maxNorm: settings.maxGradNorm, threads: threads)
            : GradientClipping.globalNorm(g, threads: threads)
        let lr = schedule.rate(at: step)
        optimizer.update(parameters: model.parameters, gradients: g, learningRate: lr)
        if advance { step += 1 }
        return (norm, lr)
    }

    var state: TrainerState {
        let (e, p) = order.location(step: step)
        return TrainerState(step: step, totalSteps: totalSteps, epoch: e, position: p, seed: settings.seed, dataHash: dataHash, kind: kind)
    }

    func save(to directory: String, extraFiles: [String: [UInt8]]) throws {
        try Checkpointing.save(model: model, optimizer: optimizer, state: state, to: directory, extraFiles: extraFiles)
    }

    /// Loads weights and moments, lets `verify` refuse the saved state (other data, other kind), then
    /// continues at the saved step.
    func resume(from directory: String, verify: (TrainerState) throws -> Void) throws {
        let st = try Checkpointing.restore(model: model, optimizer: optimizer, from: directory)
        try verify(st)
        guard st.step <= totalSteps else { throw TrainerError.invalidState("\(directory): checkpoint step \(st.step) is beyond \(totalSteps) steps") }
        step = st.step
    }
}
