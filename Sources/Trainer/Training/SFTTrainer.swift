import Curation
import Foundation

/// What one optimiser step reports.
public struct StepMetrics: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    public var learningRate: Double
    public var gradNorm: Double
    /// Non-padding tokens read in the step.
    public var tokens: Int
    /// Tokens counted in the loss.
    public var lossTokens: Int
    public var seconds: Double
}

/// Supervised fine-tuning over packed (or padded) rows of examples: gradient accumulation, AdamW,
/// clipping, a warmup-then-decay schedule, periodic evaluation, checkpoints that resume bit-exactly.
///
/// Rows are formed once (best-fit decreasing, deterministic); each epoch shuffles the rows with the
/// seed. A step's result depends only on the weights, the optimiser state and the step number, which
/// is why a checkpoint (weights, moments, step) is enough to continue exactly.
public final class SFTTrainer {
    public let model: LlamaModel
    public let settings: SFTSettings
    public let optimizer: AdamW
    public let schedule: LRSchedule
    public let trainRows: [[TokenBatch.Example]]
    public let evalRows: [[TokenBatch.Example]]
    public let order: DataOrder
    /// Steps taken so far (the next step's 0-based index).
    public private(set) var step = 0
    /// Steps this run will take in total (all epochs, or `maxSteps`).
    public let totalSteps: Int
    public let dataHash: String
    let padToken: Int32
    private var cachedOrder: (epoch: Int, order: [Int])?

    public init(model: LlamaModel, train: [TokenBatch.Example], eval: [TokenBatch.Example] = [], settings: SFTSettings) throws {
        try settings.validate()
        guard !train.isEmpty else { throw TrainerError.invalidConfig("no training examples") }
        guard settings.maxLength <= model.config.maxPositionEmbeddings else {
            throw TrainerError.invalidConfig("max length \(settings.maxLength) exceeds the model's max_position_embeddings \(model.config.maxPositionEmbeddings)")
        }
        self.model = model
        self.settings = settings
        let cut = { (e: TokenBatch.Example) -> TokenBatch.Example in
            e.tokens.count <= settings.maxLength ? e
                : TokenBatch.Example(tokens: Array(e.tokens.prefix(settings.maxLength)), lossMask: Array(e.lossMask.prefix(settings.maxLength)))
        }
        let tr = train.map(cut), ev = eval.map(cut)
        func rows(_ ex: [TokenBatch.Example]) -> [[TokenBatch.Example]] {
            let layout = settings.packing ? SequencePacker.bestFitDecreasing(lengths: ex.map(\.tokens.count), capacity: settings.maxLength)
                                          : SequencePacker.padded(count: ex.count)
            return layout.map { $0.map { ex[$0] } }
        }
        trainRows = rows(tr)
        evalRows = rows(ev)
        order = DataOrder(count: trainRows.count, perStep: settings.batchSize * settings.gradientAccumulation,
                          epochs: settings.epochs, seed: settings.seed)
        totalSteps = min(order.totalSteps, settings.maxSteps ?? Int.max)
        schedule = LRSchedule(peak: settings.learningRate, warmupRatio: settings.warmupRatio, totalSteps: totalSteps,
                              decay: settings.schedule, floor: settings.minLearningRate)
        optimizer = AdamW(layout: model.layout, settings: settings.adamW)
        padToken = Int32(model.config.eosTokenId ?? 0)
        let h = XXH128Stream()
        for row in trainRows {
            for ex in row {
                ex.tokens.withUnsafeBytes { h.update($0) }
                h.update(ex.lossMask.map { $0 ? 1 : 0 })
            }
            h.update([0xFF])
        }
        dataHash = h.hexDigest()
    }

    public var isFinished: Bool { step >= totalSteps }

    /// A micro-batch of rows, padded to the longest (rounded up to 8 so activations are reused).
    func batch(_ rows: [[TokenBatch.Example]]) throws -> TokenBatch {
        let longest = rows.map { $0.reduce(0) { $0 + $1.tokens.count } }.max() ?? 1
        let length = min(settings.maxLength, (longest + 7) / 8 * 8)
        return try TokenBatch.packed(rows: rows, length: max(length, longest), padToken: padToken)
    }

    /// Takes one optimiser step (all its micro-batches) and returns its metrics.
    @discardableResult
    public func trainStep() throws -> StepMetrics {
        guard !isFinished else { throw TrainerError.invalidState("training is finished (\(totalSteps) steps)") }
        let t0 = Date()
        let items = order.items(step: step, cachedOrder: &cachedOrder)
        let epoch = order.location(step: step).epoch
        var micro: [TokenBatch] = []
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(start + settings.batchSize, items.count)]
            micro.append(try batch(chunk.map { trainRows[$0] }))
            start += settings.batchSize
        }
        let total = micro.reduce(0.0) { $0 + $1.weightSum }
        model.zeroGradients()
        var lossSum = 0.0
        let tokens = items.reduce(0) { n, i in n + trainRows[i].reduce(0) { $0 + $1.tokens.count } }
        for b in micro {
            let r = try model.forward(b)
            lossSum += r.lossSum
            try model.backward(normalizer: total)
        }
        guard let g = model.gradients else { throw TrainerError.invalidState("no gradients") }
        let norm = settings.maxGradNorm > 0 ? GradientClipping.clip(g, maxNorm: settings.maxGradNorm) : GradientClipping.globalNorm(g)
        let lr = schedule.rate(at: step)
        optimizer.update(parameters: model.parameters, gradients: g, learningRate: lr)
        let m = StepMetrics(step: step + 1, epoch: epoch, loss: total > 0 ? lossSum / total : 0, learningRate: lr,
                            gradNorm: norm, tokens: tokens, lossTokens: Int(total), seconds: Date().timeIntervalSince(t0))
        step += 1
        return m
    }

    /// Mean loss over the held-out rows (nil when there are none).
    public func evaluate() throws -> Double? {
        guard !evalRows.isEmpty else { return nil }
        var lossSum = 0.0, w = 0.0
        var start = 0
        while start < evalRows.count {
            let r = try model.forward(batch(Array(evalRows[start..<min(start + settings.batchSize, evalRows.count)])))
            lossSum += r.lossSum; w += r.weightSum
            start += settings.batchSize
        }
        return w > 0 ? lossSum / w : nil
    }

    public var state: TrainerState {
        let (e, p) = order.location(step: step)
        return TrainerState(step: step, totalSteps: totalSteps, epoch: e, position: p, seed: settings.seed, dataHash: dataHash, kind: "sft")
    }

    /// Writes a resumable checkpoint: an HF model folder (plus `extraFiles`, e.g. the tokenizer),
    /// `optimizer.safetensors` and `trainer_state.json`.
    public func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        try Checkpointing.save(model: model, optimizer: optimizer, state: state, to: directory, extraFiles: extraFiles)
    }

    /// Continues from a checkpoint written by `saveCheckpoint` for the same data and settings.
    public func resume(from directory: String) throws {
        let st = try Checkpointing.restore(model: model, optimizer: optimizer, from: directory)
        guard st.dataHash == dataHash else {
            throw TrainerError.invalidState("\(directory): the checkpoint was trained on different data (hash \(st.dataHash), now \(dataHash))")
        }
        guard st.step <= totalSteps else { throw TrainerError.invalidState("\(directory): checkpoint step \(st.step) is beyond \(totalSteps) steps") }
        step = st.step
    }
}

/// Saving and restoring the parts of a resumable checkpoint shared by SFT and DPO.
public enum Checkpointing {
    public static func save(model: LlamaModel, optimizer: AdamW, state: TrainerState, to directory: String,
                            extraFiles: [String: [UInt8]] = [:]) throws {
        try HFCheckpoint.save(model, to: directory, extraFiles: extraFiles)
        try optimizer.save(to: directory + "/optimizer.safetensors", layout: model.layout)
        // The state goes last: a checkpoint without it is incomplete and is not resumed from.
        try state.save(to: directory + "/trainer_state.json")
    }

    /// Loads weights and moments into `model` and `optimizer`; returns the saved state.
    public static func restore(model: LlamaModel, optimizer: AdamW, from directory: String) throws -> TrainerState {
        let st = try TrainerState.load(from: directory + "/trainer_state.json")
        let saved = try HFCheckpoint.load(from: directory)
        guard saved.config == model.config else {
            throw TrainerError.invalidConfig("\(directory): the checkpoint's config differs from the model being trained")
        }
        model.parameters.copy(from: saved.parameters)
        try optimizer.load(from: directory + "/optimizer.safetensors", layout: model.layout)
        return st
    }
}
