import Curation
import Foundation

/// One RLVR prompt: its id (seeds the rollouts' streams with the step) and its tokens, the chat
/// template's generation prompt included.
public struct RLVRPrompt: Sendable, Equatable {
    public var id: String
    public var tokens: [Int32]
    public init(id: String, tokens: [Int32]) { self.id = id; self.tokens = tokens }
}

/// A verifier's verdict on one completion.
public struct RLVRReward: Sendable, Equatable {
    /// The reward (1/0 for answers, the satisfied fraction for constraints, plus any format reward).
    public var reward: Double
    /// Whether the completion is correct (every constraint, or the answer), for `accuracy`.
    public var correct: Bool
    public init(reward: Double, correct: Bool) { self.reward = reward; self.correct = correct }
}

/// What one RLVR step reports (TRL's names in `metrics.jsonl`).
public struct RLVRStepMetrics: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    /// The batch loss (mean over the step's iterations).
    public var loss: Double
    /// Mean reward over the step's completions.
    public var reward: Double
    /// Mean over groups of the rewards' standard deviation.
    public var rewardStd: Double
    /// Fraction of completions judged correct.
    public var accuracy: Double
    /// Mean k3 KL estimate per counted token (0 without a reference, beta = 0).
    public var kl: Double
    /// Fraction of counted tokens whose ratio was clipped (0 in the first iteration, where the ratio is 1).
    public var clipRatio: Double
    /// Mean completion length in tokens (the stop token included).
    public var completionLength: Double
    /// Fraction of groups whose rewards are all equal (no signal).
    public var fracRewardZeroStd: Double
    /// Fraction of completions that hit the length limit.
    public var truncatedFraction: Double
    public var learningRate: Double
    public var gradNorm: Double
    /// Completion tokens generated this step.
    public var rolloutTokens: Int
    public var rolloutSeconds: Double
    /// Completions run through forward and backward: those whose advantage is not 0 (or all counted ones
    /// with beta > 0); a completion with advantage 0 and no KL term has no gradient and is skipped.
    public var scoredCompletions: Int
    /// Tokens run through forward and backward (prompts and completions of the scored sequences).
    public var tokens: Int
    public var seconds: Double
}

/// Reinforcement learning with verifiable rewards (Tulu 3's last stage) by group-relative policy
/// optimisation: each step samples `numGenerations` completions for each of `batchSize` prompts with
/// the current policy, scores them with a verifier, normalises the rewards within each prompt's group
/// into advantages, and takes `numIterations` clipped policy-gradient updates on them. No value model
/// and no reward model.
///
/// Determinism: a step's prompts come from `DataOrder` and each completion's sampling stream from
/// (seed, prompt id, step, sample index), so a run resumed from a checkpoint at step k draws exactly
/// what the uninterrupted run drew. The reference policy (beta > 0) is the starting weights, kept as
/// a flat copy and swapped into the model to score (the scoring path, not a second model's
/// activations and caches).
public final class RLVRTrainer {
    public let model: LlamaModel
    public let tokenizer: BPETokenizer
    public let settings: RLVRSettings
    public let prompts: [RLVRPrompt]
    /// Tokens that end a completion (eos, end of turn).
    public let stopTokens: Set<Int32>
    let reward: (Int, String) throws -> RLVRReward
    let loop: OptimizerLoop
    /// The starting weights when beta > 0.
    let reference: FloatBuffer?
    /// Holds the policy's weights while the reference's are swapped in (allocated once, with `reference`).
    let swapSpace: FloatBuffer?

    public var step: Int { loop.step }
    public var totalSteps: Int { loop.totalSteps }
    public var isFinished: Bool { loop.isFinished }
    public var dataHash: String { loop.dataHash }
    public var state: TrainerState { loop.state }

    /// `model` holds the starting policy (also the reference). `reward(promptIndex, completionText)`
    /// judges one completion of `prompts[promptIndex]`.
    public init(model: LlamaModel, tokenizer: BPETokenizer, prompts: [RLVRPrompt], stopTokens: Set<Int32>,
                settings: RLVRSettings, reward: @escaping (Int, String) throws -> RLVRReward) throws {
        try settings.validate()
        guard !prompts.isEmpty else { throw TrainerError.invalidConfig("no RLVR prompts") }
        guard !stopTokens.isEmpty else { throw TrainerError.invalidConfig("RLVR needs a stop token (eos or end of turn)") }
        let longestPrompt = prompts.map(\.tokens.count).max() ?? 0
        let need = longestPrompt + settings.objective.maxCompletionLength + 2
        guard need <= model.config.maxPositionEmbeddings else {
            throw TrainerError.invalidConfig("the longest prompt (\(longestPrompt) tokens) plus max completion length \(settings.objective.maxCompletionLength) needs \(need) positions; the model has \(model.config.maxPositionEmbeddings)")
        }
        for p in prompts where p.tokens.isEmpty { throw TrainerError.invalidConfig("prompt \(p.id) has no tokens") }
        self.model = model; self.tokenizer = tokenizer; self.prompts = prompts; self.stopTokens = stopTokens
        self.settings = settings; self.reward = reward
        if settings.objective.beta > 0 {
            let copy = FloatBuffer(count: model.parameters.count)
            copy.copy(from: model.parameters)
            reference = copy
            swapSpace = FloatBuffer(count: model.parameters.count)
        } else {
            reference = nil
            swapSpace = nil
        }
        let h = XXH128Stream()
        for p in prompts {
            h.update(Array(p.id.utf8)); h.update([0])
            p.tokens.withUnsafeBytes { h.update(Array($0)) }
        }
        loop = OptimizerLoop(model: model, settings: settings.loop, itemCount: prompts.count, dataHash: h.hexDigest(), kind: "rlvr")
    }

    /// A completion to learn from: its prompt, tokens, advantage and whether its tokens count.
    struct Rollout {
        var prompt: Int
        var completion: [Int32]
        var text: String
        var truncated: Bool
        var reward: RLVRReward
        var advantage = 0.0
        var counted: Bool
    }

    /// Samples the step's completions with the current policy.
    func rollouts(_ items: [Int]) throws -> (rollouts: [Rollout], tokens: Int, seconds: Double) {
        let t0 = Date()
        let decoder = try TextDecoder(model: model, tokenizer: tokenizer, maxBatch: settings.decodeBatch)
        let sampling = SamplingOptions(temperature: settings.temperature, topP: settings.topP, topK: settings.topK, seed: settings.loop.seed)
        let jobs = items.map { i in
            var job = DecodeJob(promptID: "\(prompts[i].id)#step\(loop.step)", promptTokens: prompts[i].tokens, samples: settings.numGenerations,
                                maxNewTokens: settings.objective.maxCompletionLength, sampling: sampling, stopTokens: stopTokens)
            job.minNewTokens = settings.minCompletionLength
            return job
        }
        let decoded = try decoder.run(jobs)
        var out: [Rollout] = []
        var tokens = 0
        for (k, samples) in decoded.enumerated() {
            for s in samples {
                let completion = s.tokens + (s.stopToken.map { [$0] } ?? [])
                tokens += s.tokens.count
                let truncated = s.stopToken == nil
                let verdict = try reward(items[k], s.text)
                guard verdict.reward.isFinite else { throw TrainerError.invalidState("prompt \(prompts[items[k]].id): the reward is not finite") }
                out.append(Rollout(prompt: items[k], completion: completion, text: s.text, truncated: truncated, reward: verdict,
                                   counted: !completion.isEmpty && !(truncated && settings.maskTruncatedCompletions)))
            }
        }
        return (out, tokens, Date().timeIntervalSince(t0))
    }

    /// Log-probabilities of every completion token under the model's current weights, in micro-batches.
    func completionLogProbs(_ seqs: [TokenBatch.Example], indices: [Int]) throws -> [[Double]] {
        var out = [[Double]](repeating: [], count: seqs.count)
        for chunk in stride(from: 0, to: indices.count, by: settings.scoreBatch) {
            let part = Array(indices[chunk..<min(chunk + settings.scoreBatch, indices.count)])
            let ex = part.map { seqs[$0] }
            let packed = try SequenceScorer.pack(ex, length: 8, padToken: Int32(model.config.eosTokenId ?? 0))
            _ = try model.forward(packed.batch)
            let lp = model.tokenLogProbs
            for (k, s) in part.enumerated() {
                var v: [Double] = []
                for i in 1..<ex[k].tokens.count where ex[k].lossMask[i] { v.append(Double(lp[SequenceScorer.targetIndex(packed, sequence: k, token: i)])) }
                out[s] = v
            }
        }
        return out
    }

    @discardableResult
    public func trainStep() throws -> RLVRStepMetrics {
        let t0 = Date()
        let (items, epoch) = try loop.begin()
        var (rolls, rolloutTokens, rolloutSeconds) = try rollouts(items)
        // Scoring reads only the completion tokens' log-probs: no logits for the prompts' positions.
        let headOnly = model.logitsForWeightedTokensOnly
        model.logitsForWeightedTokensOnly = true
        defer { model.logitsForWeightedTokensOnly = headOnly }
        let G = settings.numGenerations
        var stds: [Double] = []
        var zeroStd = 0
        for g in stride(from: 0, to: rolls.count, by: G) {
            let group = g..<min(g + G, rolls.count)
            let (adv, std) = GRPOObjective.advantages(rolls[group].map(\.reward.reward), scaling: settings.rewardScaling)
            for (k, i) in group.enumerated() { rolls[i].advantage = adv[k] }
            stds.append(std)
            if std == 0 { zeroStd += 1 }
        }
        // Sequences to score: counted completions whose tokens can move the loss (a zero advantage
        // moves it only through the KL term).
        let obj = settings.objective
        let seqs = rolls.map { r in
            TokenBatch.Example(tokens: prompts[r.prompt].tokens + r.completion,
                               lossMask: Array(repeating: false, count: prompts[r.prompt].tokens.count) + Array(repeating: true, count: r.completion.count))
        }
        let active = rolls.indices.filter { rolls[$0].counted && (rolls[$0].advantage != 0 || obj.beta > 0) }
        let totalCounted = rolls.filter(\.counted).reduce(0) { $0 + $1.completion.count }
        var refLogProbs: [[Double]]?
        if obj.beta > 0, let ref = reference, let current = swapSpace, !active.isEmpty {
            current.copy(from: model.parameters)
            model.parameters.copy(from: ref)
            defer { model.parameters.copy(from: current) }
            refLogProbs = try completionLogProbs(seqs, indices: active)
        }
        var oldLogProbs = [[Double]](repeating: [], count: rolls.count)
        var lossSum = 0.0, klSum = 0.0, clipped = 0, termCount = 0
        var norm = 0.0, lr = schedule(step: loop.step)
        var tokens = 0
        for iteration in 0..<settings.numIterations {
            if iteration > 0 { model.zeroGradients() }
            for chunk in stride(from: 0, to: active.count, by: settings.scoreBatch) {
                let part = Array(active[chunk..<min(chunk + settings.scoreBatch, active.count)])
                let ex = part.map { seqs[$0] }
                tokens += ex.reduce(0) { $0 + $1.tokens.count }
                let packed = try SequenceScorer.pack(ex, length: 8, padToken: Int32(model.config.eosTokenId ?? 0))
                _ = try model.forward(packed.batch)
                let lp = model.tokenLogProbs
                var g = [Float](repeating: 0, count: lp.count)
                for (k, s) in part.enumerated() {
                    let r = rolls[s]
                    let w = obj.tokenWeight(counted: r.completion.count, completions: rolls.count, totalCounted: totalCounted)
                    var j = 0
                    var current: [Double] = []
                    for i in 1..<ex[k].tokens.count where ex[k].lossMask[i] {
                        let at = SequenceScorer.targetIndex(packed, sequence: k, token: i)
                        let p = Double(lp[at])
                        current.append(p)
                        // The first pass's log-probs are the rollout policy's ("old"): its ratio is exactly 1.
                        let old = iteration == 0 ? p : oldLogProbs[s][j]
                        let term = obj.token(logProb: p, oldLogProb: old, referenceLogProb: refLogProbs?[s][j], advantage: r.advantage)
                        lossSum += term.loss * w
                        klSum += term.kl
                        if term.clipped { clipped += 1 }
                        termCount += 1
                        g[at] = Float(term.dLogProb * w)
                        j += 1
                    }
                    if iteration == 0 { oldLogProbs[s] = current }
                }
                // backward takes d(loss)/d(log p) per token, as DPO's.
                try model.backward(logProbGradients: g)
            }
            if model.gradients == nil { model.zeroGradients() }
            (norm, lr) = try loop.finish(advance: iteration == settings.numIterations - 1)
        }
        let n = Double(max(1, rolls.count))
        let iters = Double(settings.numIterations)
        return RLVRStepMetrics(
            step: loop.step, epoch: epoch, loss: lossSum / iters,
            reward: rolls.reduce(0) { $0 + $1.reward.reward } / n,
            rewardStd: stds.isEmpty ? 0 : stds.reduce(0, +) / Double(stds.count),
            accuracy: Double(rolls.filter(\.reward.correct).count) / n,
            kl: termCount > 0 ? klSum / Double(termCount) : 0,
            clipRatio: termCount > 0 ? Double(clipped) / Double(termCount) : 0,
            completionLength: Double(rolls.reduce(0) { $0 + $1.completion.count }) / n,
            fracRewardZeroStd: stds.isEmpty ? 0 : Double(zeroStd) / Double(stds.count),
            truncatedFraction: Double(rolls.filter(\.truncated).count) / n,
            learningRate: lr, gradNorm: norm, rolloutTokens: rolloutTokens, rolloutSeconds: rolloutSeconds,
            scoredCompletions: active.count, tokens: tokens, seconds: Date().timeIntervalSince(t0))
    }

    func schedule(step: Int) -> Double { loop.schedule.rate(at: step) }

    public func saveCheckpoint(to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        try loop.save(to: directory, extraFiles: extraFiles)
    }

    /// Continues from a checkpoint (call after init, which kept the starting weights as the reference).
    public func resume(from directory: String) throws {
        try loop.resume(from: directory) { st in
            guard st.dataHash == dataHash, st.kind == "rlvr" else {
                throw TrainerError.invalidState("\(directory): the checkpoint was trained on other prompts or is not an RLVR checkpoint")
            }
        }
    }
}

extension RLVRTrainer: ResumableTrainer {}
