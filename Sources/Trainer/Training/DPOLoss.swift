import Foundation

/// The DPO family of preference losses (DESIGN.md section 5), on one pair's sequence log-probabilities.
///
/// With r = log pi(y|x) - log pi_ref(y|x) summed over completion tokens and delta = r_w - r_l:
/// - sigmoid: -(1-e) log s(b delta) - e log s(-b delta) (e = label smoothing; e > 0 is the robust form)
/// - dpo_norm (Tulu 3): sigmoid on per-token mean log-probs (r / |y| on both sides)
/// - ipo: (r_w/|y_w| - r_l/|y_l| - 1/(2b))^2
/// - hinge: max(0, 1 - b delta)
/// - simpo: -log s(b (avg_w - avg_l) - gamma), with avg the policy's mean log-prob (no reference)
public enum DPOLossType: String, Sendable, CaseIterable, Equatable {
    case sigmoid, dpoNorm = "dpo_norm", ipo, hinge, simpo

    /// Whether the loss needs reference log-probabilities.
    public var needsReference: Bool { self != .simpo }
}

/// One pair's inputs: policy and reference summed log-probs and completion lengths.
public struct PairLogProbs: Sendable, Equatable {
    public var policyChosen: Double
    public var policyRejected: Double
    public var referenceChosen: Double
    public var referenceRejected: Double
    public var chosenTokens: Int
    public var rejectedTokens: Int
    public init(policyChosen: Double, policyRejected: Double, referenceChosen: Double, referenceRejected: Double,
                chosenTokens: Int, rejectedTokens: Int) {
        self.policyChosen = policyChosen; self.policyRejected = policyRejected
        self.referenceChosen = referenceChosen; self.referenceRejected = referenceRejected
        self.chosenTokens = chosenTokens; self.rejectedTokens = rejectedTokens
    }
}

/// One pair's loss, its gradient with respect to the policy's summed log-probs, and the rewards.
public struct PairLoss: Sendable, Equatable {
    public var loss: Double
    /// dLoss / d(sum of chosen log-probs), dLoss / d(sum of rejected log-probs).
    public var dChosen: Double
    public var dRejected: Double
    /// Implicit rewards b * r (per-token means for dpo_norm, ipo and simpo).
    public var chosenReward: Double
    public var rejectedReward: Double
    public var margin: Double { chosenReward - rejectedReward }
}

public struct DPOLoss: Sendable, Equatable {
    public var type: DPOLossType
    public var beta: Double
    /// Label smoothing e for sigmoid / dpo_norm.
    public var labelSmoothing: Double
    /// SimPO's target margin.
    public var gamma: Double

    public init(type: DPOLossType, beta: Double, labelSmoothing: Double = 0, gamma: Double = 0.5) {
        self.type = type; self.beta = beta; self.labelSmoothing = labelSmoothing; self.gamma = gamma
    }

    public func validate() throws {
        guard beta > 0, beta.isFinite else { throw TrainerError.invalidConfig("beta must be positive") }
        guard (0..<0.5).contains(labelSmoothing) else { throw TrainerError.invalidConfig("label smoothing must be in [0, 0.5)") }
        guard gamma.isFinite else { throw TrainerError.invalidConfig("gamma must be finite") }
    }

    /// log s(x), stable for large |x|.
    static func logSigmoid(_ x: Double) -> Double { x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)) }
    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

    public func compute(_ p: PairLogProbs) -> PairLoss {
        let nw = Double(max(1, p.chosenTokens)), nl = Double(max(1, p.rejectedTokens))
        let b = beta
        switch type {
        case .sigmoid, .dpoNorm:
            // z = b * delta, with delta in sums (sigmoid) or per-token means (dpo_norm).
            let sw = type == .dpoNorm ? 1 / nw : 1.0, sl = type == .dpoNorm ? 1 / nl : 1.0
            let rw = (p.policyChosen - p.referenceChosen) * sw, rl = (p.policyRejected - p.referenceRejected) * sl
            let z = b * (rw - rl), e = labelSmoothing
            let loss = -(1 - e) * Self.logSigmoid(z) - e * Self.logSigmoid(-z)
            // d/dz: -(1-e) s(-z) + e s(z)
            let dz = -(1 - e) * Self.sigmoid(-z) + e * Self.sigmoid(z)
            return PairLoss(loss: loss, dChosen: dz * b * sw, dRejected: -dz * b * sl, chosenReward: b * rw, rejectedReward: b * rl)
        case .ipo:
            let rw = (p.policyChosen - p.referenceChosen) / nw, rl = (p.policyRejected - p.referenceRejected) / nl
            let h = rw - rl - 1 / (2 * b)
            return PairLoss(loss: h * h, dChosen: 2 * h / nw, dRejected: -2 * h / nl, chosenReward: b * rw, rejectedReward: b * rl)
        case .hinge:
            let rw = p.policyChosen - p.referenceChosen, rl = p.policyRejected - p.referenceRejected
            let m = 1 - b * (rw - rl)
            return PairLoss(loss: max(0, m), dChosen: m > 0 ? -b : 0, dRejected: m > 0 ? b : 0, chosenReward: b * rw, rejectedReward: b * rl)
        case .simpo:
            let aw = p.policyChosen / nw, al = p.policyRejected / nl
            let z = b * (aw - al) - gamma
            let dz = -Self.sigmoid(-z)
            return PairLoss(loss: -Self.logSigmoid(z), dChosen: dz * b / nw, dRejected: -dz * b / nl, chosenReward: b * aw, rejectedReward: b * al)
        }
    }
}
