/// The three disjoint sets of problems: pretraining documents, the training pool, and the eval set.
///
/// Disjoint by construction: the split of a problem is a function of its canonical parameters' hash under a
/// fixed key (`SynthProblem.canonicalHash`), so no problem can be drawn into two splits, whatever the seeds
/// or counts of the runs that drew them. (Near-duplicates across splits, same operations with other
/// numbers, do exist: they are different problems, and `near_miss` planting makes them on purpose.)
public enum SynthSplit: String, Sendable, CaseIterable, Hashable {
    case pretrain, train, eval

    /// The hash key of the partition. Never a run seed: changing it would move problems between splits.
    public static let partitionKey: UInt64 = 0x5359_4E54_4831_3620

    /// Slices of eighths: eval 1/8, pretrain 3/8, train 4/8 of the problem space.
    public static func of(hash: UInt64) -> SynthSplit {
        switch hash % 8 {
        case 0: return .eval
        case 1, 2, 3: return .pretrain
        default: return .train
        }
    }

    public static func of(_ problem: SynthProblem) -> SynthSplit { of(hash: problem.canonicalHash) }

    /// Per-split stream tag, so the three splits draw independent candidates.
    var streamTag: UInt64 { XXH3.hash64("synth/split/" + rawValue) }
}

/// The problems of one split, with how they were found: `candidates = problems.count + otherSplit + duplicates + invalid`.
public struct SynthProblemSet: Sendable {
    public var split: SynthSplit
    public var problems: [SynthProblem]
    public var candidates = 0
    /// Candidates whose canonical hash put them in another split.
    public var otherSplit = 0
    /// Candidates already drawn for this split.
    public var duplicates = 0
    /// Draws that could not make a valid chain (rare: every operation ran out of room).
    public var invalid = 0
}

/// Draws the problems of one split.
public enum SynthProblemSource {
    /// `count` distinct problems of `split`. Candidate j comes from its own stream (seed, split, j), so
    /// the first n problems of a split are the same whatever count is asked: a larger eval set extends a
    /// smaller one. Gives up with `SynthError.problemSpaceExhausted` after 64 candidates per problem (plus
    /// 10,000), which only a very narrow difficulty range reaches.
    public static func generate(split: SynthSplit, count: Int, difficulty: SynthDifficulty, seed: UInt64) throws -> SynthProblemSet {
        var set = SynthProblemSet(split: split, problems: [])
        set.problems.reserveCapacity(count)
        var seen = Set<String>()
        let budget = count * 64 + 10_000
        var j: UInt64 = 0
        while set.problems.count < count {
            guard set.candidates < budget else {
                throw SynthError.problemSpaceExhausted(split: split.rawValue, wanted: count, found: set.problems.count, candidates: set.candidates)
            }
            var rng = SplitMix64(seed: seed ^ split.streamTag, stream: j)
            j &+= 1
            set.candidates += 1
            let u = rng.unitDouble()
            guard let p = SynthProblem.sample(difficulty: difficulty, latent: u, rng: &rng) else { set.invalid += 1; continue }
            guard SynthSplit.of(p) == split else { set.otherSplit += 1; continue }
            guard seen.insert(p.canonicalKey).inserted else { set.duplicates += 1; continue }
            set.problems.append(p)
        }
        return set
    }
}
