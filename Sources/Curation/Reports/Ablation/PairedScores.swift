/// The scores of an ablation's variants, paired by seed and by eval item: `scores[v][s][i]` is variant
/// `v`'s score on item `i` of seed `s` (1/0 for a correct/incorrect answer, or any per-item number).
///
/// Why paired: in a lab, seed `s` gives every variant the same model init, data draw, data order and
/// eval items, so item `i` of seed `s` is the same question for every variant. Comparing variants
/// item by item removes the item-difficulty and seed noise they share, which is most of the noise
/// (a paired interval on a difference is several times narrower than two separate intervals).
///
/// A per-run number (the fraction of data a rule removed, a false-positive rate) is one "item" per seed.
public struct PairedScores: Sendable, Equatable {
    public var variants: [String]
    public var seeds: [UInt64]
    /// [variant][seed][item].
    public var scores: [[[Double]]]

    /// Checks the shape: every variant has every seed, and for each seed the same number of items
    /// (at least one); all scores finite.
    public init(variants: [String], seeds: [UInt64], scores: [[[Double]]]) throws {
        guard !variants.isEmpty else { throw StatisticsError.invalidInput("no variants") }
        guard Set(variants).count == variants.count else { throw StatisticsError.invalidInput("duplicate variant names") }
        guard !seeds.isEmpty else { throw StatisticsError.invalidInput("no seeds") }
        guard scores.count == variants.count else {
            throw StatisticsError.invalidInput("\(scores.count) score tables for \(variants.count) variants")
        }
        for (v, perSeed) in scores.enumerated() {
            guard perSeed.count == seeds.count else {
                throw StatisticsError.invalidInput("variant \(variants[v]): \(perSeed.count) seeds of scores, expected \(seeds.count)")
            }
            for (s, items) in perSeed.enumerated() {
                guard !items.isEmpty else { throw StatisticsError.invalidInput("variant \(variants[v]) seed \(seeds[s]): no items") }
                guard items.count == scores[0][s].count else {
                    throw StatisticsError.invalidInput(
                        "variant \(variants[v]) seed \(seeds[s]): \(items.count) items, variant \(variants[0]) has \(scores[0][s].count) (items must be paired)")
                }
                guard items.allSatisfy(\.isFinite) else {
                    throw StatisticsError.invalidInput("variant \(variants[v]) seed \(seeds[s]): a score is not finite")
                }
            }
        }
        self.variants = variants
        self.seeds = seeds
        self.scores = scores
    }

    /// Items per seed (the same for every variant).
    public var itemsPerSeed: [Int] { scores[0].map(\.count) }
    public var totalItems: Int { itemsPerSeed.reduce(0, +) }

    public func index(of variant: String) -> Int? { variants.firstIndex(of: variant) }

    /// A variant's mean over items, per seed.
    public func perSeedMeans(_ v: Int) -> [Double] { scores[v].map { $0.reduce(0, +) / Double($0.count) } }

    /// A variant's point estimate: the mean over seeds of the per-seed item means (each seed weighs the same).
    public func mean(_ v: Int) -> Double {
        let m = perSeedMeans(v)
        return m.reduce(0, +) / Double(m.count)
    }
}

public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidInput(let why): return "statistics: \(why)"
        }
    }
}
