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
    public let trainRows: [[TokenBatch.Example]]
    public let evalRows: [[TokenBatch.Example]]
    let padToken: Int32
    /// Data order, schedule, optimiser, step count and checkpoints (shared with DPO).
    let loop: OptimizerLoop

    public var optimizer: AdamW { loop.optimizer }
    public var schedule: LRSchedule { loop.schedule }
    public var order: DataOrder { loop.order }
    /// Steps taken so far (the next step's 0-based index).
    public var step: Int { loop.step }
    /// Steps this run will take in total (all epochs, or `maxSteps`).
    public var totalSteps: Int { loop.totalSteps }
    public var dataHash: String { loop.dataHash }

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
        padToken = Int32(model.config.eosTokenId ?? 0)
        let h = XXH128Stream()
        for row in trainRows {
            for ex in row {
                ex.tokens.withUnsafeBytes { h.update($0) }
                h.update(ex.lossMask.map { $0 ? 1 : 0 })
            }
            h.update([0xFF])
        }
        loop = OptimizerLoop(model: model, settings: settings.loop, itemCount: trainRows.count, dataHash: h.hexDigest(), kind: "sft")
    }

    public var isFinished: Bool { loop.isFinished }

    /// A micro-batch of rows, padded to the longest (rounded up to 8 so activations are reused).
    func batch(_ rows: [[TokenBatch.Example]]) throws -> TokenBatch {
        let longest = rows.map { $0.reduce(0) { $0 + $1.tokens.count } }.max() ?? 1
        let length = min(settings.maxLength, (longest + 7) / 8 * 8)
        return try TokenBatch.packed(rows: rows, length: max(length, longest), padToken: padToken)
    }

    /// Takes one optimiser step (all its micro-batches) and returns its metrics.
    @discardableResult
    public func trainStep() throws -> StepMetrics {
        let t0 = Date()
        let (items, epoch) = try loop.begin()
        let micro = try loop.microBatches(items).map { try batch($0.map { trainRows[$0] }) }
        let total = micro.reduce(0.0) { $0 + $1.weightSum }
        var lossSum = 0.0
        let tokens = items.reduce(0) { n, i in n + trainRows[i].reduce(0) { $0 + $1.tokens.count } }
        for b in micro {
            let r = try model.forward(b)
            lossSum += r.lossSum
            try model.backward(normalizer: total)
        }
        let (norm, lr) = try loop.finish()
        return StepMetrics(step: loop.step, epoch: epoch, loss: total > 0 ? lossSum / total : 0, learningRate: lr,
                           gradNorm: norm, tokens: tokens, lossTokens: Int(total), seconds: Date().timeIntervalSince(t0))
    }

    /// Mean loss over the held-out rows (nil when there are none).
    public func evaluate() throws -> Double? {
        guard !evalRows.isEmpty else { return nil }
        var lossSum = 0.0, w = 0.0
        for rows in loop.microBatches(evalRows) {
            let r = try model.forward(batch(Array(rows)))
            lossSum += r.lossSum; w += r.weightSum
        }
        return w > 0 ? lossSum / w : nil
    }

    public var state: TrainerState { loop.state }

    /// Writes a resumable checkpoint: an HF model folder (plus `extraFiles`, e.g. the tokenizer),
    /// `optimizer.safetensors` and `trainer_state.json`.
    public func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        try loop.save(to: directory, extraFiles: extraFiles)
    }

    /// Continues from a checkpoint written by `saveCheckpoint` for the same data and settings.
    public func resume(from directory: String) throws {
        try loop.resume(from: directory) { st in
            guard st.dataHash == dataHash else {
                throw TrainerError.invalidState("\(directory): the checkpoint was trained on different data (hash \(st.dataHash), now \(dataHash))")
            }
        }
    }
}
