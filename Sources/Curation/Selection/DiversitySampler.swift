/// s1's diversity sampling (DESIGN.md section 5): repeat until the target is reached: pick a domain
/// uniformly at random among those with items left, then pick an item within it with probability
/// proportional to 2^(-rank), where rank 1 is the longest remaining reasoning trace.
///
/// Deterministic for a seed: domains are taken in sorted order, items within a domain are ordered by
/// (length descending, hash of (seed, id), id), so the result does not depend on input order, and all
/// randomness comes from one `SeededRandom` stream drawn with integer-only operations.
public struct DiversitySampler: Sendable {
    /// One item to choose from.
    public struct Entry: Sendable, Hashable {
        /// The caller's index for the item.
        public var index: Int
        public var id: String
        public var domain: String
        public var length: Int
        public init(index: Int, id: String, domain: String, length: Int) {
            self.index = index; self.id = id; self.domain = domain; self.length = length
        }
    }

    /// How an item is picked within the chosen domain: s1's 2^-rank by trace length, or uniformly (the
    /// diversity-only baseline of s1's ablation).
    public enum WithinDomain: Sendable { case longerFavoured, uniform }

    public let seed: UInt64
    public let withinDomain: WithinDomain
    public init(seed: UInt64, withinDomain: WithinDomain = .longerFavoured) { self.seed = seed; self.withinDomain = withinDomain }

    /// Picks up to `count` entries; returns their `index` values in the order they were picked.
    public func sample(_ entries: [Entry], count: Int) -> [Int] {
        guard count > 0, !entries.isEmpty else { return [] }
        // Per domain, ascending by (length, tie key) so the longest remaining item is at the end and
        // removing it (the likeliest pick) is cheap.
        var byDomain: [String: [(length: Int, key: UInt64, id: String, index: Int)]] = [:]
        for e in entries {
            byDomain[e.domain, default: []].append((e.length, XXH3.hash64(e.id, seed: seed), e.id, e.index))
        }
        var domains = byDomain.keys.sorted()
        var lists: [[(length: Int, key: UInt64, id: String, index: Int)]] = domains.map { d in
            (byDomain[d] ?? []).sorted { a, b in
                if a.length != b.length { return a.length < b.length }
                if a.key != b.key { return a.key > b.key }
                if a.id != b.id { return a.id > b.id }
                return a.index > b.index
            }
        }
        var rng = SeededRandom(seed: seed, stream: "s1/diversity")
        var picked: [Int] = []
        picked.reserveCapacity(min(count, entries.count))
        while picked.count < count, !domains.isEmpty {
            let d = rng.uniform(below: domains.count)
            let k = withinDomain == .uniform ? rng.uniform(below: lists[d].count)
                : DiversitySampler.rankOffset(remaining: lists[d].count, rng: &rng)
            let pos = lists[d].count - 1 - k
            picked.append(lists[d][pos].index)
            lists[d].remove(at: pos)
            if lists[d].isEmpty {
                lists.remove(at: d)
                domains.remove(at: d)
            }
        }
        return picked
    }

    /// A 0-based rank k in `0..<remaining` drawn with probability 2^-(k+1) / (1 - 2^-remaining).
    ///
    /// The number of leading zero bits of a uniform 64-bit word is k with probability exactly
    /// 2^-(k+1); draws at or past `remaining` are rejected, which truncates and renormalises the
    /// distribution exactly. No floating point, so every platform draws the same ranks.
    static func rankOffset(remaining: Int, rng: inout SeededRandom) -> Int {
        guard remaining > 1 else { return 0 }
        while true {
            let k = rng.next().leadingZeroBitCount
            if k < remaining && k < 64 { return k }
        }
    }
}
