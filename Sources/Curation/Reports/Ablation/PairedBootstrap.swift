/// Confidence intervals and p-values for an ablation table by a two-level paired bootstrap.
///
/// Each resample draws the seeds with replacement, then, within each drawn seed, the eval items with
/// replacement, and takes every variant's mean over the *same* draws, so differences between variants
/// are paired at both levels. Two levels because both sources of noise are real: a different seed
/// trains a different model (between-seed variance), and a different eval set of the same size gives
/// a different score (within-seed, item variance); resampling only items would pretend the three
/// seeds' models are the only ones that could have been trained.
///
/// Intervals are percentile intervals of the resampled statistic; the p-value of a difference is the
/// two-sided bootstrap p-value, 2 * min(P(d* <= 0), P(d* >= 0)), with the +1 correction so it is never 0.
/// The draws come from a fixed-seed `SeededRandom`, so the same scores always give the same report.
public struct PairedBootstrap: Sendable {
    public struct Options: Sendable, Equatable {
        public var resamples = 10_000
        public var seed: UInt64 = 0xAB1A_7E5E_ED5E_ED00
        public var confidence = 0.95
        public init(resamples: Int = 10_000, seed: UInt64 = 0xAB1A_7E5E_ED5E_ED00, confidence: Double = 0.95) {
            self.resamples = resamples
            self.seed = seed
            self.confidence = confidence
        }
    }

    /// An interval [lo, hi].
    public struct Interval: Sendable, Equatable {
        public var lo: Double
        public var hi: Double
        public init(_ lo: Double, _ hi: Double) { self.lo = lo; self.hi = hi }
        public func contains(_ x: Double) -> Bool { lo <= x && x <= hi }
        public var width: Double { hi - lo }
    }

    /// One variant's estimate.
    public struct Summary: Sendable, Equatable {
        public var mean: Double
        public var ci: Interval
        public var perSeed: [Double]
        public var nSeeds: Int
        public var nItems: Int
    }

    /// A variant against the baseline (variant minus baseline).
    public struct Difference: Sendable, Equatable {
        public var diff: Double
        public var ci: Interval
        public var pValue: Double
        /// Standard deviation of the resampled differences (the difference's standard error).
        public var standardError: Double
    }

    public struct Result: Sendable, Equatable {
        public var baseline: String
        public var summaries: [String: Summary]
        /// Every variant except the baseline.
        public var differences: [String: Difference]
        public var options: Options
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Resamples `scores` and summarises every variant and its difference to `baseline`.
    public func analyze(_ scores: PairedScores, baseline: String) throws -> Result {
        guard let base = scores.index(of: baseline) else {
            throw StatisticsError.invalidInput("baseline \(baseline) is not one of the variants \(scores.variants)")
        }
        guard options.resamples >= 100, options.resamples <= 1_000_000 else {
            throw StatisticsError.invalidInput("resamples must be in 100...1000000 (got \(options.resamples))")
        }
        guard options.confidence > 0.5, options.confidence < 1 else {
            throw StatisticsError.invalidInput("confidence must be in (0.5, 1) (got \(options.confidence))")
        }
        let nv = scores.variants.count, ns = scores.seeds.count, b = options.resamples
        // means[v * b + k]: variant v's mean in resample k.
        var means = [Double](repeating: 0, count: nv * b)
        var rng = SeededRandom(seed: options.seed, stream: "ablation/paired-bootstrap")
        var seedMeans = [Double](repeating: 0, count: nv)
        var sums = [Double](repeating: 0, count: nv)
        for k in 0..<b {
            for v in 0..<nv { seedMeans[v] = 0 }
            for _ in 0..<ns {
                let s = rng.uniform(below: ns)
                let n = scores.itemsPerSeed[s]
                for v in 0..<nv { sums[v] = 0 }
                if n == 1 {
                    for v in 0..<nv { sums[v] = scores.scores[v][s][0] }
                } else {
                    for _ in 0..<n {
                        let i = rng.uniform(below: n)
                        for v in 0..<nv { sums[v] += scores.scores[v][s][i] }
                    }
                }
                for v in 0..<nv { seedMeans[v] += sums[v] / Double(n) }
            }
            for v in 0..<nv { means[v * b + k] = seedMeans[v] / Double(ns) }
        }
        let alpha = 1 - options.confidence
        var summaries: [String: Summary] = [:]
        var differences: [String: Difference] = [:]
        for v in 0..<nv {
            let dist = Array(means[(v * b)..<((v + 1) * b)])
            summaries[scores.variants[v]] = Summary(
                mean: scores.mean(v), ci: Self.percentileInterval(dist, alpha: alpha),
                perSeed: scores.perSeedMeans(v), nSeeds: ns, nItems: scores.totalItems)
            guard v != base else { continue }
            var diffs = [Double](repeating: 0, count: b)
            var atOrBelow = 0, atOrAbove = 0
            for k in 0..<b {
                let d = means[v * b + k] - means[base * b + k]
                diffs[k] = d
                if d <= 0 { atOrBelow += 1 }
                if d >= 0 { atOrAbove += 1 }
            }
            let p = min(1, 2 * Double(min(atOrBelow, atOrAbove) + 1) / Double(b + 1))
            differences[scores.variants[v]] = Difference(
                diff: scores.mean(v) - scores.mean(base), ci: Self.percentileInterval(diffs, alpha: alpha),
                pValue: p, standardError: Self.standardDeviation(diffs))
        }
        return Result(baseline: baseline, summaries: summaries, differences: differences, options: options)
    }

    /// The (alpha/2, 1 - alpha/2) percentiles, by linear interpolation between order statistics.
    static func percentileInterval(_ values: [Double], alpha: Double) -> Interval {
        let sorted = values.sorted()
        return Interval(quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2))
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard let first = sorted.first else { return .nan }
        guard sorted.count > 1 else { return first }
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }

    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}
