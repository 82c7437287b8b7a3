/// Decides whether two answers are the same mathematical answer.
///
/// Precision first: when the forms differ in kind, or an expression cannot be parsed, the answers are
/// compared as normalised text, and anything not provably equal is not equal. A wrong "equal" would let a
/// wrong completion through self-consistency filtering; a wrong "not equal" only costs one vote.
public enum AnswerEquivalence {
    /// Whether `a` and `b` are equivalent answers.
    public static func equivalent(_ a: String, _ b: String) -> Bool {
        equivalent(ParsedAnswer(a), ParsedAnswer(b))
    }

    /// Whether a candidate answer matches a gold answer of a dataset (`gold` may be a full GSM8K solution
    /// or contain `\boxed{}`; see `AnswerExtractor.gold`).
    public static func matches(candidate: String, gold: String, dataset: AnswerDataset) -> Bool {
        let g = AnswerExtractor.gold(gold, dataset: dataset)
        return equivalent(ParsedAnswer(candidate), ParsedAnswer(g))
    }

    /// Like `matches(candidate:gold:dataset:)`, with the reason a non-match could not be decided on values.
    public static func verdict(candidate: String, gold: String, dataset: AnswerDataset) -> AnswerVerdict {
        let g = ParsedAnswer(AnswerExtractor.gold(gold, dataset: dataset)), c = ParsedAnswer(candidate)
        if equivalent(c, g) { return AnswerVerdict(equivalent: true, reason: nil) }
        return AnswerVerdict(equivalent: false, reason: c.tooDeep || g.tooDeep ? AnswerVerdict.tooDeep : nil)
    }

    public static func equivalent(_ a: ParsedAnswer, _ b: ParsedAnswer) -> Bool {
        if a.key == b.key { return true }
        if a.normalized == b.normalized && !a.normalized.isEmpty { return true }
        return equivalent(a.form, b.form)
    }

    public static func equivalent(_ a: AnswerForm, _ b: AnswerForm) -> Bool {
        switch (a, b) {
        case (.choice(let x), .choice(let y)): return x == y
        case (.number(let x), .number(let y)): return numbersEqual(x, y)
        case (.sequence(let o1, let c1, let xs), .sequence(let o2, let c2, let ys)):
            return o1 == o2 && c1 == c2 && xs.count == ys.count && zip(xs, ys).allSatisfy { equivalent($0, $1) }
        case (.set(let xs), .set(let ys)), (.union(let xs), .union(let ys)):
            return sameElements(xs, ys)
        case (.text(let x), .text(let y)): return x == y
        default: return false
        }
    }

    static func numbersEqual(_ x: NumberForm, _ y: NumberForm) -> Bool {
        if let a = x.value, let b = y.value {
            if a.isClose(to: b) { return true }
            // A percentage written as a fraction of one: 50\% = 0.5 (and 50\% = 50, compared above).
            if x.percent != y.percent {
                let (p, q) = x.percent ? (a, b) : (b, a)
                if case .exact(let r) = p, let hundred = Rational(100), let h = r.divided(by: hundred) {
                    return MathValue.exact(h).isClose(to: q)
                }
                return MathValue.approx(p.double / 100).isClose(to: q)
            }
            return false
        }
        guard x.value == nil, y.value == nil, x.variables == y.variables, x.samples.count == y.samples.count else { return false }
        return zip(x.samples, y.samples).allSatisfy { $0.isClose(to: $1) }
    }

    /// Same multiset under equivalence (greedy matching; sets of answers are small).
    static func sameElements(_ xs: [AnswerForm], _ ys: [AnswerForm]) -> Bool {
        guard xs.count == ys.count else { return false }
        var used = [Bool](repeating: false, count: ys.count)
        outer: for x in xs {
            for (k, y) in ys.enumerated() where !used[k] && equivalent(x, y) {
                used[k] = true
                continue outer
            }
            return false
        }
        return true
    }
}

/// Whether a candidate matched its gold answer and, for a non-match that is not a plain disagreement, why.
public struct AnswerVerdict: Sendable, Hashable {
    public var equivalent: Bool
    /// `too-deep` when an answer nests past the parser's limits and was compared as text; nil otherwise.
    public var reason: String?

    public static let tooDeep = "too-deep"
}
