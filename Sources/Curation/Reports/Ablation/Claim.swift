import Foundation

/// A lab file's claim about a metric ("contamination inflates accuracy", "decontamination is no worse
/// than removing the planted items by label") and its verdict, read from the interval of the
/// difference `variant - baseline` at the report's confidence level.
///
/// The verdict never comes from the point estimate alone: `supported` needs the whole interval on the
/// claim's side of the margin, `contradicted` needs the whole interval on the other side, and anything
/// in between is `inconclusive` (the lab could not tell at its size: more seeds or items would).
public struct Claim: Sendable, Equatable {
    public enum Direction: String, Sendable, CaseIterable {
        /// variant - baseline > margin.
        case greater
        /// variant - baseline < -margin.
        case less
        /// Non-inferiority: variant - baseline > -margin (the variant is not worse by more than margin).
        case noWorse = "no_worse"
        /// Non-superiority: variant - baseline < margin.
        case noBetter = "no_better"
        /// Equivalence: |variant - baseline| < margin.
        case equivalent
    }

    public enum Verdict: String, Sendable {
        case supported, contradicted, inconclusive
    }

    public var metric: String
    public var variant: String
    public var baseline: String
    public var direction: Direction
    /// In the metric's units (0.05 = five points of accuracy); not negative.
    public var margin: Double
    public var text: String

    public init(metric: String, variant: String, baseline: String, direction: Direction, margin: Double, text: String = "") throws {
        guard margin >= 0, margin.isFinite else { throw StatisticsError.invalidInput("claim margin must be a finite number >= 0 (got \(margin))") }
        if direction == .equivalent && margin == 0 {
            throw StatisticsError.invalidInput("an equivalence claim needs a margin > 0")
        }
        self.metric = metric
        self.variant = variant
        self.baseline = baseline
        self.direction = direction
        self.margin = margin
        self.text = text
    }

    /// The verdict for an interval of `variant - baseline`.
    public func verdict(for ci: PairedBootstrap.Interval) -> Verdict {
        let m = margin
        switch direction {
        case .greater:
            if ci.lo > m { return .supported }
            if ci.hi < m { return .contradicted }
        case .less:
            if ci.hi < -m { return .supported }
            if ci.lo > -m { return .contradicted }
        case .noWorse:
            if ci.lo > -m { return .supported }
            if ci.hi < -m { return .contradicted }
        case .noBetter:
            if ci.hi < m { return .supported }
            if ci.lo > m { return .contradicted }
        case .equivalent:
            if ci.lo > -m && ci.hi < m { return .supported }
            if ci.lo > m || ci.hi < -m { return .contradicted }
        }
        return .inconclusive
    }
}

/// How small a difference an eval of a given size can detect.
public enum DetectableDifference {
    /// The smallest true difference in accuracy that a two-sided test at level `alpha` detects with
    /// probability `power`, for a baseline accuracy `rate`, `items` eval items per seed and `seeds`
    /// seeds, paired on items: (z(1 - alpha/2) + z(power)) * sqrt(2 p (1 - p) (1 - rho) / (items * seeds)),
    /// with rho the correlation of two variants' answers on the same item (0 gives the unpaired bound;
    /// pairing only lowers it). The normal approximation to the binomial; seed-to-seed variance adds
    /// to it, which is why the report also gives each comparison's bootstrap standard error.
    public static func forAccuracy(rate: Double, items: Int, seeds: Int, alpha: Double = 0.05, power: Double = 0.8,
                                   itemCorrelation rho: Double = 0) -> Double {
        guard items > 0, seeds > 0, rate > 0, rate < 1, alpha > 0, alpha < 1, power > 0, power < 1 else { return .nan }
        let z = normalQuantile(1 - alpha / 2) + normalQuantile(power)
        let r = min(max(rho, 0), 0.999)
        return z * (2 * rate * (1 - rate) * (1 - r) / Double(items * seeds)).squareRoot()
    }

    /// The same from a measured standard error: the difference a comparison with this standard error
    /// detects at `alpha` with `power`.
    public static func fromStandardError(_ se: Double, alpha: Double = 0.05, power: Double = 0.8) -> Double {
        (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low {
            let q = (-2 * log(1 - p)).squareRoot()
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
