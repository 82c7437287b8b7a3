import Foundation

/// How per-token losses of a batch of completions become one number (TRL's `loss_type`).
public enum GRPOLossType: String, Sendable, CaseIterable {
    /// Each completion's mean over its tokens, then the mean over completions (DeepSeekMath's GRPO):
    /// long completions weigh less per token.
    case grpo
    /// Dr. GRPO: the sum over every token divided by completions x max completion length, a constant,
    /// so no completion's length changes its tokens' weight; used with unscaled advantages.
    case drGRPO = "dr_grpo"
    /// DAPO: token-level, the sum over every token divided by the number of tokens, with a separate
    /// upper clip bound (`epsilonHigh`, "clip-higher").
    case dapo
}

/// Whether group advantages are divided by the group's reward standard deviation (TRL's `scale_rewards`).
public enum RewardScaling: String, Sendable, CaseIterable {
    case group
    case none
}

/// The policy-gradient objective of GRPO and its variants, kept apart from the loop so the math can be
/// checked by hand: advantages from a group's rewards, and per token the clipped importance-ratio
/// surrogate plus the k3 KL estimate to the reference policy, with its derivative in the token's
/// log-probability (what `LlamaModel.backward(logProbGradients:)` takes).
public struct GRPOObjective: Sendable, Equatable {
    public var lossType: GRPOLossType
    /// Lower clip: the ratio is clipped to [1 - epsilon, 1 + epsilonHigh].
    public var epsilon: Double
    public var epsilonHigh: Double
    /// Weight of the KL penalty to the reference policy (0: no reference needed).
    public var beta: Double
    /// The completion length `dr_grpo` divides by.
    public var maxCompletionLength: Int

    public init(lossType: GRPOLossType = .grpo, epsilon: Double = 0.2, epsilonHigh: Double? = nil, beta: Double = 0,
                maxCompletionLength: Int = 256) {
        self.lossType = lossType; self.epsilon = epsilon; self.epsilonHigh = epsilonHigh ?? epsilon
        self.beta = beta; self.maxCompletionLength = maxCompletionLength
    }

    public func validate() throws {
        func check(_ ok: Bool, _ m: String) throws { if !ok { throw TrainerError.invalidConfig(m) } }
        try check(epsilon > 0 && epsilon < 1, "epsilon must be in (0, 1)")
        try check(epsilonHigh > 0 && epsilonHigh.isFinite, "epsilon-high must be positive")
        try check(beta >= 0 && beta.isFinite, "beta must be >= 0")
        try check(maxCompletionLength >= 1, "max completion length must be at least 1")
    }

    /// Advantages of one group's rewards: reward minus the group mean, divided by the group's standard
    /// deviation (unbiased, as torch's `std`) plus 1e-4 when scaling by group. Also returns that
    /// standard deviation. A group whose rewards are all equal gets advantages of exactly 0.
    public static func advantages(_ rewards: [Double], scaling: RewardScaling) -> (advantages: [Double], std: Double) {
        guard !rewards.isEmpty else { return ([], 0) }
        let mean = rewards.reduce(0, +) / Double(rewards.count)
        var ss = 0.0
        for r in rewards { ss += (r - mean) * (r - mean) }
        let std = rewards.count > 1 ? (ss / Double(rewards.count - 1)).squareRoot() : 0
        if rewards.allSatisfy({ $0 == rewards[0] }) { return (rewards.map { _ in 0 }, 0) }
        let scale = scaling == .group ? 1 / (std + 1e-4) : 1
        return (rewards.map { ($0 - mean) * scale }, std)
    }

    /// One token's loss term and derivative, before the batch weighting.
    public struct TokenTerm: Sendable, Equatable {
        public var loss: Double
        /// d loss / d log p(token) under the current policy.
        public var dLogProb: Double
        /// The ratio left the clip range on the side where clipping removes the gradient.
        public var clipped: Bool
        /// The k3 estimate exp(ref - logp) - (ref - logp) - 1 (0 without a reference).
        public var kl: Double
    }

    /// -min(r A, clip(r) A) + beta k3, with r = exp(logp - oldLogp). The derivative of the surrogate is
    /// -A r where the unclipped term is the minimum, else 0; of k3, 1 - exp(ref - logp).
    public func token(logProb lp: Double, oldLogProb old: Double, referenceLogProb ref: Double?, advantage a: Double) -> TokenTerm {
        let ratio = Foundation.exp(lp - old)
        let clippedRatio = min(max(ratio, 1 - epsilon), 1 + epsilonHigh)
        let unclippedTerm = ratio * a, clippedTerm = clippedRatio * a
        var loss = -min(unclippedTerm, clippedTerm)
        var d = unclippedTerm <= clippedTerm ? -a * ratio : 0
        let isClipped = (ratio < 1 - epsilon && a < 0) || (ratio > 1 + epsilonHigh && a > 0)
        var kl = 0.0
        if beta > 0, let ref {
            let x = ref - lp
            let ex = Foundation.exp(x)
            kl = ex - x - 1
            loss += beta * kl
            d += beta * (1 - ex)
        }
        return TokenTerm(loss: loss, dLogProb: d, clipped: isClipped, kl: kl)
    }

    /// The weight of each token of completion `i` (with `counted` tokens in the loss) in the batch loss,
    /// given the batch's completion count and total counted tokens.
    public func tokenWeight(counted: Int, completions: Int, totalCounted: Int) -> Double {
        guard counted > 0, completions > 0 else { return 0 }
        switch lossType {
        case .grpo: return 1 / (Double(counted) * Double(completions))
        case .drGRPO: return 1 / (Double(completions) * Double(maxCompletionLength))
        case .dapo: return 1 / Double(max(1, totalCounted))
        }
    }
}
