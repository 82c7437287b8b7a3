import Curation
import Foundation

/// DPO hyper-parameters: Tulu 3's recipe (dpo_norm, beta 5, linear schedule, 10% warmup, 1 epoch, no
/// weight decay) with a learning rate scaled up for small models.
public struct DPOSettings: TrainingRecipeSettings {
    public var loss = DPOLoss(type: .dpoNorm, beta: 5)
    /// The loop's fields (`learningRate`, `batchSize` in pairs, `maxLength`, ...).
    public var loop = TrainingLoopSettings(learningRate: 5e-6, warmupRatio: 0.1, epochs: 1)

    public init() {}

    public func validate() throws {
        try loss.validate()
        try loop.validate()
    }
}

/// What one DPO step reports (means over the step's pairs).
public struct DPOStepMetrics: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    public var chosenReward: Double
    public var rejectedReward: Double
    /// Fraction of pairs whose chosen reward beats the rejected one.
    public var accuracy: Double
    public var margin: Double
    public var learningRate: Double
    public var gradNorm: Double
    public var tokens: Int
    public var seconds: Double
}

/// Direct preference optimisation over preference examples, with reference log-probabilities from a
/// `ReferenceCache` (filled with the starting weights before the first step).
public final class DPOTrainer {
    public let model: LlamaModel
    public let settings: DPOSettings
    public let pairs: [PreferenceExample]
    let references: [ReferenceCache.Entry]
    /// Reference entries computed by this trainer (0 when the cache had them all).
    public let referencesComputed: Int
    /// Data order, schedule, optimiser, step count and checkpoints (shared with SFT).
    let loop: OptimizerLoop

    public var optimizer: AdamW { loop.optimizer }
    public var schedule: LRSchedule { loop.schedule }
    public var order: DataOrder { loop.order }
    public var totalSteps: Int { loop.totalSteps }
    public var step: Int { loop.step }
    public var dataHash: String { loop.dataHash }

    /// `model` must hold the starting (reference) weights: missing reference log-probs are computed with it.
    public init(model: LlamaModel, pairs: [PreferenceExample], cache: inout ReferenceCache, settings: DPOSettings) throws {
        try settings.validate()
        guard !pairs.isEmpty else { throw TrainerError.invalidConfig("no preference pairs") }
        guard settings.maxLength <= model.config.maxPositionEmbeddings else {
            throw TrainerError.invalidConfig("max length \(settings.maxLength) exceeds max_position_embeddings \(model.config.maxPositionEmbeddings)")
        }
        self.model = model; self.settings = settings; self.pairs = pairs
        if settings.loss.type.needsReference {
            referencesComputed = try cache.fill(pairs, model: model, rowLength: settings.maxLength)
            var refs: [ReferenceCache.Entry] = []
            for p in pairs {
                guard let e = cache.lookup(p) else { throw TrainerError.invalidState("reference log-probs missing for \(p.id)") }
                refs.append(e)
            }
            references = refs
        } else {
            referencesComputed = 0
            references = pairs.map { _ in ReferenceCache.Entry(chosen: 0, rejected: 0) }
        }
        let h = XXH128Stream()
        for p in pairs { h.update(Array(p.contentHash.utf8)) }
        loop = OptimizerLoop(model: model, settings: settings.loop, itemCount: pairs.count, dataHash: h.hexDigest(), kind: "dpo")
    }

    public var isFinished: Bool { loop.isFinished }

    @discardableResult
    public func trainStep() throws -> DPOStepMetrics {
        let t0 = Date()
        let (items, epoch) = try loop.begin()
        let inv = 1 / Double(max(1, items.count))
        var loss = 0.0, cr = 0.0, rr = 0.0, acc = 0.0, tokens = 0
        for chunk in loop.microBatches(items) {
            let seqs = chunk.flatMap { [pairs[$0].chosen, pairs[$0].rejected] }
            tokens += seqs.reduce(0) { $0 + $1.tokens.count }
            let packed = try SequenceScorer.pack(seqs, length: settings.maxLength, padToken: Int32(model.config.eosTokenId ?? 0))
            _ = try model.forward(packed.batch)
            let lp = model.tokenLogProbs
            var g = [Float](repeating: 0, count: lp.count)
            for (k, item) in chunk.enumerated() {
                let pair = pairs[item]
                func sum(_ s: Int) -> Double {
                    let ex = seqs[s]
                    var t = 0.0
                    for i in 1..<ex.tokens.count where ex.lossMask[i] { t += Double(lp[SequenceScorer.targetIndex(packed, sequence: s, token: i)]) }
                    return t
                }
                let ref = references[item]
                let r = settings.loss.compute(PairLogProbs(policyChosen: sum(2 * k), policyRejected: sum(2 * k + 1),
                                                           referenceChosen: ref.chosen, referenceRejected: ref.rejected,
                                                           chosenTokens: pair.chosenTokens, rejectedTokens: pair.rejectedTokens))
                loss += r.loss * inv; cr += r.chosenReward * inv; rr += r.rejectedReward * inv
                acc += (r.chosenReward > r.rejectedReward ? 1 : 0) * inv
                for (s, d) in [(2 * k, r.dChosen), (2 * k + 1, r.dRejected)] {
                    let ex = seqs[s]
                    for i in 1..<ex.tokens.count where ex.lossMask[i] {
                        g[SequenceScorer.targetIndex(packed, sequence: s, token: i)] = Float(d * inv)
                    }
                }
            }
            try model.backward(logProbGradients: g)
        }
        let (norm, lr) = try loop.finish()
        return DPOStepMetrics(step: loop.step, epoch: epoch, loss: loss, chosenReward: cr, rejectedReward: rr, accuracy: acc,
                              margin: cr - rr, learningRate: lr, gradNorm: norm, tokens: tokens, seconds: Date().timeIntervalSince(t0))
    }

    public var state: TrainerState { loop.state }

    public func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        try loop.save(to: directory, extraFiles: extraFiles)
    }

    /// Continues from a checkpoint (call after init, which computed references with the starting weights).
    public func resume(from directory: String) throws {
        try loop.resume(from: directory) { st in
            guard st.dataHash == dataHash, st.kind == "dpo" else {
                throw TrainerError.invalidState("\(directory): the checkpoint was trained on different data or is not a DPO checkpoint")
            }
        }
    }
}
