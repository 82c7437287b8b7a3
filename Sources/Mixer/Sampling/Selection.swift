/// Turns an amount into a number of copies per available record.
///
/// Every amount kind is one rule: each record gets `full` copies, and the records with the smallest
/// sampling keys get one more until the remainder is met. So `fraction: 0.25` takes the quarter of the
/// records with the smallest keys, `repeat: 2.5` takes every record twice plus that same kind of half,
/// and `count`/`tokens` beyond the source's size take full copies first. Keys depend on (seed, source,
/// id), so the choice is independent of input order and sharding.
public struct Selection: Sendable, Equatable {
    /// Copies every available record gets.
    public var full: Int
    /// How many records (smallest keys first) get one copy more.
    public var extra: Int
    /// What the amount asked for, in its own unit (records for fraction/repeat/count, tokens for tokens/share).
    public var target: Double

    public init(full: Int, extra: Int, target: Double) { self.full = full; self.extra = extra; self.target = target }

    /// A candidate: its key, its tokens, and its index among the source's available records (ties).
    public struct Candidate: Sendable {
        public var key: UInt64
        public var tokens: UInt32
        public var index: UInt32
        public init(key: UInt64, tokens: UInt32, index: UInt32) { self.key = key; self.tokens = tokens; self.index = index }
    }

    /// Plans the copies for `candidates`, sorting them by key in place (the `extra` first ones get a copy more).
    ///
    /// - Parameters:
    ///   - totalTokens: the recipe's total, for `share`.
    public static func plan(_ amount: Amount, candidates: inout [Candidate], totalTokens: Int?) -> Selection {
        candidates.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
        let n = candidates.count
        let sourceTokens = candidates.reduce(0) { $0 + Int($1.tokens) }
        switch amount {
        case .fraction(let f):
            let k = min(n, Int((f * Double(n)).rounded()))
            return Selection(full: 0, extra: k, target: f * Double(n))
        case .repeats(let r):
            let full = Int(r.rounded(.down))
            let k = min(n, Int(((r - Double(full)) * Double(n)).rounded()))
            return Selection(full: full, extra: k, target: r * Double(n))
        case .count(let c):
            guard n > 0 else { return Selection(full: 0, extra: 0, target: Double(c)) }
            return Selection(full: c / n, extra: c % n, target: Double(c))
        case .tokens(let t):
            return byTokens(Double(t), candidates: candidates, sourceTokens: sourceTokens)
        case .share(let s):
            return byTokens(s * Double(totalTokens ?? 0), candidates: candidates, sourceTokens: sourceTokens)
        }
    }

    /// Full copies while the whole source fits in the budget, then records by key until the remainder
    /// is met: the record that crosses the budget is taken when that lands nearer to it than stopping.
    static func byTokens(_ target: Double, candidates: [Candidate], sourceTokens: Int) -> Selection {
        guard sourceTokens > 0, target > 0 else { return Selection(full: 0, extra: 0, target: target) }
        let full = Int((target / Double(sourceTokens)).rounded(.down))
        let rest = target - Double(full * sourceTokens)
        var sum = 0.0
        var k = 0
        while k < candidates.count {
            let t = Double(candidates[k].tokens)
            if sum + t >= rest {
                if (sum + t - rest) < (rest - sum) { k += 1 }
                break
            }
            sum += t
            k += 1
        }
        return Selection(full: full, extra: k, target: target)
    }
}
