import Curation
import Foundation

/// DPO hyper-parameters: Tulu 3's recipe (dpo_norm, beta 5, linear schedule, 10% warmup, 1 epoch, no
/// weight decay) with a learning rate scaled up for small models.
public struct DPOSettings: Sendable, Equatable {
    public var loss = DPOLoss(type: .dpoNorm, beta: 5)
    public var learningRate: Double = 5e-6
    public var schedule: LRSchedule.Decay = .linear
    public var warmupRatio: Double = 0.1
    public var minLearningRate: Double = 0
    public var epochs: Int = 1
    /// Pairs per micro-batch.
    public var batchSize: Int = 8
    public var gradientAccumulation: Int = 1
    public var maxLength: Int = 1024
    public var weightDecay: Double = 0
    public var maxGradNorm: Double = 1
    public var seed: UInt64 = 42
    public var maxSteps: Int?

    public init() {}

    public func validate() throws {
        try loss.validate()
        var s = SFTSettings()
        s.learningRate = learningRate; s.warmupRatio = warmupRatio; s.epochs = epochs; s.batchSize = batchSize
        s.gradientAccumulation = gradientAccumulation; s.maxLength = maxLength; s.weightDecay = weightDecay
        s.maxGradNorm = maxGradNorm; s.maxSteps = maxSteps
        try s.validate()
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
    public let optimizer: AdamW
    public let schedule: LRSchedule
    public let pairs: [PreferenceExample]
    let references: [ReferenceCache.Entry]
    public let order: DataOrder
    public let totalSteps: Int
    public private(set) var step = 0
    /// Reference entries computed by this trainer (0 when the cache had them all).
    public let referencesComputed: Int
    public let dataHash: String
    private var cachedOrder: (epoch: Int, order: [Int])?

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
        order = DataOrder(count: pairs.count, perStep: settings.batchSize * settings.gradientAccumulation, epochs: settings.epochs, seed: settings.seed)
        totalSteps = min(order.totalSteps, settings.maxSteps ?? Int.max)
        schedule = LRSchedule(peak: settings.learningRate, warmupRatio: settings.warmupRatio, totalSteps: totalSteps,
                              decay: settings.schedule, floor: settings.minLearningRate)
        optimizer = AdamW(layout: model.layout, settings: AdamW.Settings(weightDecay: settings.weightDecay))
        let h = XXH128Stream()
        for p in pairs { h.update(Array(p.contentHash.utf8)) }
        dataHash = h.hexDigest()
    }

    public var isFinished: Bool { step >= totalSteps }

    @discardableResult
    public func trainStep() throws -> DPOStepMetrics {
        guard !isFinished else { throw TrainerError.invalidState("training is finished (\(totalSteps) steps)") }
        let t0 = Date()
        let items = order.items(step: step, cachedOrder: &cachedOrder)
        let epoch = order.location(step: step).epoch
        let inv = 1 / Double(max(1, items.count))
        model.zeroGradients()
        var loss = 0.0, cr = 0.0, rr = 0.0, acc = 0.0, tokens = 0
        var start = 0
        while start < items.count {
            let chunk = Array(items[start..<min(start + settings.batchSize, items.count)])
            start += settings.batchSize
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
        guard let grads = model.gradients else { throw TrainerError.invalidState("no gradients") }
        let norm = settings.maxGradNorm > 0 ? GradientClipping.clip(grads, maxNorm: settings.maxGradNorm) : GradientClipping.globalNorm(grads)
        let lr = schedule.rate(at: step)
        optimizer.update(parameters: model.parameters, gradients: grads, learningRate: lr)
        step += 1
        return DPOStepMetrics(step: step, epoch: epoch, loss: loss, chosenReward: cr, rejectedReward: rr, accuracy: acc,
                              margin: cr - rr, learningRate: lr, gradNorm: norm, tokens: tokens, seconds: Date().timeIntervalSince(t0))
    }

    public var state: TrainerState {
        let (e, p) = order.location(step: step)
        return TrainerState(step: step, totalSteps: totalSteps, epoch: e, position: p, seed: settings.seed, dataHash: dataHash, kind: "dpo")
    }

    public func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        try Checkpointing.save(model: model, optimizer: optimizer, state: state, to: directory, extraFiles: extraFiles)
    }

    /// Continues from a checkpoint (call after init, which computed references with the starting weights).
    public func resume(from directory: String) throws {
        let st = try Checkpointing.restore(model: model, optimizer: optimizer, from: directory)
        guard st.dataHash == dataHash, st.kind == "dpo" else {
            throw TrainerError.invalidState("\(directory): the checkpoint was trained on different data or is not a DPO checkpoint")
        }
        guard st.step <= totalSteps else { throw TrainerError.invalidState("\(directory): checkpoint step \(st.step) is beyond \(totalSteps) steps") }
        step = st.step
    }
}
