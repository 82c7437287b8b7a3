import Foundation

/// How hard the generated problems are: how many steps a problem chains and how large its numbers get.
///
/// Each problem draws a latent difficulty `u` in [0, 1); its step count and number sizes grow with `u`
/// inside the configured ranges, and the simulated teacher's error propensity grows with the same `u`.
/// Keeping one latent behind all three is what makes "harder problems are solved less often" true by
/// construction rather than by accident, and lets the teacher's overall error rate be calibrated exactly
/// (the latent is uniform, so its mean is known).
public struct SynthDifficulty: Sendable, Hashable {
    /// Fewest and most calculation steps in a problem (each step is one `<<a op b=c>>` line).
    public var minSteps: Int
    public var maxSteps: Int
    /// The largest number a problem's statement uses for its start value and its added or removed amounts.
    public var maxNumber: Int

    public static let stepLimit = 1...8
    public static let numberLimit = 10...1_000_000

    public init(minSteps: Int = 2, maxSteps: Int = 6, maxNumber: Int = 200) {
        self.minSteps = minSteps
        self.maxSteps = maxSteps
        self.maxNumber = maxNumber
    }

    public func validate() throws {
        guard Self.stepLimit.contains(minSteps) else { throw SynthError.outOfRange(.minSteps, "should be in 1...8, got \(minSteps)") }
        guard Self.stepLimit.contains(maxSteps) else { throw SynthError.outOfRange(.maxSteps, "should be in 1...8, got \(maxSteps)") }
        guard minSteps <= maxSteps else { throw SynthError.outOfRange(.minSteps, "should be at most the maximum steps (\(maxSteps)), got \(minSteps)") }
        guard Self.numberLimit.contains(maxNumber) else {
            throw SynthError.outOfRange(.maxNumber, "should be in 10...1000000, got \(maxNumber)")
        }
    }

    /// The step count for latent `u`: the range cut into equal slices, the hardest slice last.
    public func steps(latent u: Double) -> Int {
        let span = maxSteps - minSteps + 1
        return min(maxSteps, minSteps + Int(u * Double(span)))
    }

    /// The cap on start values and added/removed amounts for latent `u`: from about maxNumber^0.4 (at
    /// least 10) up to maxNumber, geometrically, so easy problems use small numbers.
    public func numberCap(latent u: Double) -> Int {
        let cap = pow(10, log10(Double(maxNumber)) * (0.4 + 0.6 * u))
        return max(10, min(maxNumber, Int(cap.rounded())))
    }

    /// The cap on multipliers and divisors for latent `u` (3 for the easiest, 12 for the hardest).
    public func factorCap(latent u: Double) -> Int { min(12, 3 + Int(u * 10)) }

    /// The largest running value a problem may reach: numbers stay readable and far from overflow.
    public var maxValue: Int { maxNumber * 1000 }
}

