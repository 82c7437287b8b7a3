import Foundation

/// Learning-rate schedules: linear warmup from 0, then constant, cosine or linear decay to a floor.
public struct LRSchedule: Sendable, Equatable {
    public enum Decay: String, Sendable, Equatable, CaseIterable { case constant, cosine, linear }

    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decay: Decay
    /// The learning rate reached at the end of decay (absolute, not a fraction).
    public var floor: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, decay: Decay = .cosine, floor: Double = 0) {
        self.peak = peak; self.warmupSteps = max(0, warmupSteps); self.totalSteps = max(1, totalSteps)
        self.decay = decay; self.floor = floor
    }

    /// Warmup steps as a fraction of the total (Tulu 3 uses 3%).
    public init(peak: Double, warmupRatio: Double, totalSteps: Int, decay: Decay = .cosine, floor: Double = 0) {
        self.init(peak: peak, warmupSteps: Int((warmupRatio * Double(totalSteps)).rounded(.up)), totalSteps: totalSteps,
                  decay: decay, floor: floor)
    }

    /// The rate for 0-based `step` (the step about to be taken): peak * (step + 1) / warmup during
    /// warmup, then decay over the remaining steps, reaching `floor` at the last step.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let span = totalSteps - warmupSteps
        guard span > 1 else { return decay == .constant ? peak : (step >= totalSteps - 1 ? floor : peak) }
        let progress = min(1, Double(step - warmupSteps) / Double(span - 1))
        switch decay {
        case .constant: return peak
        case .linear: return floor + (peak - floor) * (1 - progress)
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + Foundation.cos(Double.pi * progress))
        }
    }
}
