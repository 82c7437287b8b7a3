/// Decides whether two answers are the same mathematical answer.
///
/// Precision first: when the forms differ in kind, or an expression cannot be parsed, the answers are
/// compared as normalised text, and anything not provably equal is not equal. A wrong "equal" would let a
/// wrong completion through self-consistency filtering; a wrong "not equal" only costs one vote.
public enum AnswerEquivalence {
    /// Whether `a` and `b` are equivalent answers (`a` is the gold). Each may be a bare answer or a whole
    /// response: its final answer is found first (`AnswerExtractor.finalAnswer(in:)`), as math-verify
    /// parses both sides.
    public static func equivalent(_ a: String, _ b: String, options: AnswerOptions = .default) -> Bool {
        compare(gold: a, candidate: b, options: options).equivalent
    }

    /// Both sides' final answers, parsed, and the verdict.
    public static func compare(gold: String, candidate: String, options: AnswerOptions = .default) -> AnswerComparison {
        let g = responseAnswer(gold), c = responseAnswer(candidate)
        guard let gp = g?.parsed, let cp = c?.parsed else {
            return AnswerComparison(gold: g, candidate: c, equivalent: false, reason: nil)
        }
        let ok = equivalent(gp, cp, options: options)
        return AnswerComparison(gold: g, candidate: c, equivalent: ok, reason: !ok && (gp.tooDeep || cp.tooDeep) ? AnswerVerdict.tooDeep : nil)
    }

    /// A side's answer: bare answers are taken whole (fast path: nothing to find), responses extracted.
    static func responseAnswer(_ text: String) -> ExtractedAnswer? {
        var text = text
        // One lone `$` is a currency sign (`$1,000.99`, `2,74 $`), not a math delimiter.
        if text.utf8.count < 256, text.utf8.filter({ $0 == UInt8(ascii: "$") }).count == 1, !hasEscapedDollar(text) {
            text = text.replacingOccurrences(of: "$", with: " ")
        }
        if isBareAnswer(text) { return ExtractedAnswer(text: text, rule: .lastMath) }
        return AnswerExtractor.finalAnswer(in: text)
    }

    /// No delimiters, markers or sentences: an answer as written (`\frac{1}{2}`, `18 dollars`).
    static func isBareAnswer(_ text: String) -> Bool {
        var s = text
        return s.withUTF8 { b -> Bool in
            for c in b where c == UInt8(ascii: "$") { return false }
            if b.count >= 2 {
                for k in 0..<(b.count - 1) where b[k] == UInt8(ascii: "\\") && (b[k + 1] == UInt8(ascii: "(") || b[k + 1] == UInt8(ascii: "[")) { return false }
            }
            var sc = AnswerExtractor.Scanner(b: b)
            if sc.lastMarker() != nil { return false }
            return !AnswerExtractor.looksLikeProse(b)
        }
    }

    /// Whether a candidate answer matches a gold answer of a dataset (`gold` may be a full GSM8K solution
    /// or contain `\boxed{}`; see `AnswerExtractor.gold`).
    public static func matches(candidate: String, gold: String, dataset: AnswerDataset, options: AnswerOptions = .default) -> Bool {
        let g = AnswerExtractor.gold(gold, dataset: dataset)
        return equivalent(ParsedAnswer(g), ParsedAnswer(candidate), options: options)
    }

    /// Like `matches(candidate:gold:dataset:)`, with the reason a non-match could not be decided on values.
    public static func verdict(candidate: String, gold: String, dataset: AnswerDataset, options: AnswerOptions = .default) -> AnswerVerdict {
        verdict(candidate: ParsedAnswer(candidate), gold: gold, dataset: dataset, options: options)
    }

    /// The verdict for an extracted answer (several boxes are compared as a set of their parts).
    public static func verdict(extracted: ExtractedAnswer, gold: String, dataset: AnswerDataset, options: AnswerOptions = .default) -> AnswerVerdict {
        verdict(candidate: extracted.parsed, gold: gold, dataset: dataset, options: options)
    }

    static func verdict(candidate c: ParsedAnswer, gold: String, dataset: AnswerDataset, options: AnswerOptions) -> AnswerVerdict {
        let g = ParsedAnswer(AnswerExtractor.gold(gold, dataset: dataset))
        if equivalent(g, c, options: options) { return AnswerVerdict(equivalent: true, reason: nil) }
        return AnswerVerdict(equivalent: false, reason: c.tooDeep || g.tooDeep ? AnswerVerdict.tooDeep : nil)
    }

    /// Whether `candidate` matches `gold` (the first argument is the gold: some forms match only one way,
    /// see `AnswerOptions`).
    public static func equivalent(_ a: ParsedAnswer, _ b: ParsedAnswer, options: AnswerOptions = .default) -> Bool {
        // A wrong unit is wrong when both name one (`5 cm` is not `5 m`); naming none is fine.
        if let u = a.unit.map(AnswerNormalizer.canonicalUnit), let v = b.unit.map(AnswerNormalizer.canonicalUnit),
           u != v, u != "units", v != "units" { return false }
        if a.key == b.key { return true }
        if a.normalized == b.normalized && !a.normalized.isEmpty { return true }
        let cmp = Comparison(options: options)
        if cmp.equivalent(gold: a.form, candidate: b.form, depth: 0) { return true }
        // Alternate readings, only between a number or equation and the other side's reading.
        switch (a.form, b.form) {
        case (.number, .list):
            if let alt = b.alternate { return cmp.equivalent(gold: a.form, candidate: alt, depth: 0) }
        case (.list, .number):
            if let alt = a.alternate { return cmp.equivalent(gold: alt, candidate: b.form, depth: 0) }
        case (.relation, .number):
            if let alt = b.alternate { return cmp.equivalent(gold: a.form, candidate: alt, depth: 0) }
        case (.number, .relation):
            if let alt = a.alternate { return cmp.equivalent(gold: alt, candidate: b.form, depth: 0) }
        default: break
        }
        return false
    }

    /// Form comparison (gold first: some forms match one way only).
    public static func equivalent(_ a: AnswerForm, _ b: AnswerForm, options: AnswerOptions = .default) -> Bool {
        Comparison(options: options).equivalent(gold: a, candidate: b, depth: 0)
    }

    struct Comparison {
        let options: AnswerOptions
        /// Nested forms compared at most this deep (forms are built at most 8 deep; this is a guard).
        static let maxDepth = 32

        func equivalent(gold a: AnswerForm, candidate b: AnswerForm, depth: Int) -> Bool {
            guard depth < Comparison.maxDepth else { return false }
            let d = depth + 1
            switch (a, b) {
            case (.choice(let x), .choice(let y)): return x == y
            case (.number(let x), .number(let y)): return numbersEqual(x, y)
            case (.sequence(let o1, let c1, let xs), .sequence(let o2, let c2, let ys)):
                return o1 == o2 && c1 == c2 && ordered(xs, ys, d)
            case (.set(let xs), .set(let ys)), (.union(let xs), .union(let ys)), (.list(let xs), .list(let ys)),
                 (.set(let xs), .list(let ys)), (.list(let xs), .set(let ys)):
                return sameElements(xs, ys, d)
            // A gold set or list matched by a tuple of the same values: the gold's form says order is free.
            case (.set(let xs), .sequence(let o, _, let ys)) where o == UInt8(ascii: "("):
                return sameElements(xs, ys, d)
            case (.list(let xs), .sequence(let o, _, let ys)) where o == UInt8(ascii: "(") && !options.strict:
                return sameElements(xs, ys, d)
            // A gold tuple matched by a bare list in its order (`(1,3)` and `1, 3`); an explicit set is not a
            // tuple unless the gold's form is relaxed.
            case (.sequence(let o, _, let xs), .list(let ys)) where o == UInt8(ascii: "("):
                return ordered(xs, ys, d) || (!options.strict && sameElements(xs, ys, d))
            case (.sequence(let o, _, let xs), .set(let ys)) where o == UInt8(ascii: "(") && !options.strict:
                return sameElements(xs, ys, d)
            case (.union(let xs), _) where xs.count == 1: return equivalent(gold: xs[0], candidate: b, depth: d)
            case (.relation(let x), .relation(let y)): return x.equivalent(to: y, strict: options.strict)
            // A gold relation is matched by the set it describes; a gold set by a relation only when allowed.
            case (.relation(let x), .sequence), (.relation(let x), .union):
                guard let i = x.interval() else { return false }
                return equivalent(gold: i, candidate: b, depth: d)
            case (.sequence, .relation(let y)), (.union, .relation(let y)):
                guard options.allowSetRelation, let i = y.interval() else { return false }
                return equivalent(gold: a, candidate: i, depth: d)
            case (.matrix(let xs), .matrix(let ys)):
                guard xs.count == ys.count, zip(xs, ys).allSatisfy({ $0.count == $1.count }) else { return false }
                return zip(xs, ys).allSatisfy { ordered($0, $1, d) }
            // A one-column matrix written as a tuple, or the other way round.
            case (.matrix(let xs), .sequence(let o, _, let ys)) where o == UInt8(ascii: "(") && xs.allSatisfy({ $0.count == 1 }):
                return ordered(xs.map { $0[0] }, ys, d)
            case (.sequence(let o, _, let xs), .matrix(let ys)) where o == UInt8(ascii: "(") && ys.allSatisfy({ $0.count == 1 }):
                return ordered(xs, ys.map { $0[0] }, d)
            // One answer given twice (`\boxed{4}` ... `\boxed{4}`) is that answer.
            case (_, .set(let ys)) where !ys.isEmpty && !isCollection(a):
                return ys.allSatisfy { equivalent(gold: a, candidate: $0, depth: d) }
            case (.set(let xs), _) where !xs.isEmpty && !isCollection(b):
                return xs.allSatisfy { equivalent(gold: $0, candidate: b, depth: d) }
            case (.text(let x), .text(let y)): return x == y
            default: return false
            }
        }

        func isCollection(_ f: AnswerForm) -> Bool {
            switch f {
            case .set, .list, .sequence, .union, .matrix: return true
            default: return false
            }
        }

        func ordered(_ xs: [AnswerForm], _ ys: [AnswerForm], _ d: Int) -> Bool {
            xs.count == ys.count && zip(xs, ys).allSatisfy { equivalent(gold: $0, candidate: $1, depth: d) }
        }

        /// The same set under equivalence: every item of each side matches some item of the other, so a
        /// repeated item counts once (`1, 1, 2` is the set `1, 2`).
        func sameElements(_ xs: [AnswerForm], _ ys: [AnswerForm], _ d: Int) -> Bool {
            guard !xs.isEmpty, !ys.isEmpty, xs.count <= 256, ys.count <= 256 else { return xs.isEmpty && ys.isEmpty }
            return xs.allSatisfy { x in ys.contains { equivalent(gold: x, candidate: $0, depth: d) } }
                && ys.allSatisfy { y in xs.contains { equivalent(gold: $0, candidate: y, depth: d) } }
        }

        func isExact(_ a: MathValue, _ b: MathValue) -> Bool {
            if case .exact = a, case .exact = b { return true }
            return false
        }

        func numbersEqual(_ x: NumberForm, _ y: NumberForm) -> Bool {
            if let a = x.value, let b = y.value {
                if a.isClose(to: b) {
                    // Past 2^53 doubles cannot tell neighbouring integers apart: decide exactly when both are
                    // integer expressions (`2^{100}` against its digits).
                    if max(abs(a.double), abs(b.double)) >= 9.007199254740992e15, !isExact(a, b),
                       let p = BigInteger.exact(x.expression), let q = BigInteger.exact(y.expression) {
                        return p == q
                    }
                    return true
                }
                // A percentage written as a fraction of one: 50\% = 0.5 (and 50\% = 50, compared above).
                if x.percent != y.percent {
                    let (p, q) = x.percent ? (a, b) : (b, a)
                    if case .exact(let r) = p, let hundred = Rational(100), let h = r.divided(by: hundred) {
                        if MathValue.exact(h).isClose(to: q) { return true }
                    } else if MathValue.approx(p.double / 100).isClose(to: q) { return true }
                }
                // A decimal written to the stated precision: `0.0833333` for `\frac{1}{12}` at 6 places.
                let decimals = max(x.decimals, y.decimals)
                return NumericIdentity.closeAtPrecision(a.double, b.double, decimals: decimals, places: options.floatRounding)
            }
            // An identity against a constant (`\sin^2 a + \cos^2 a` and `1`): the same value at every point.
            if let c = x.value ?? y.value, !(x.value != nil && y.value != nil) {
                let s = x.value == nil ? x.samples : y.samples
                return NumericIdentity.agree(s, [MathValue?](repeating: c, count: s.count))
            }
            guard x.samples.count == y.samples.count else { return false }
            if options.strict {
                guard x.variables == y.variables else { return false }
            } else {
                guard x.variables.count == y.variables.count else { return false }
            }
            return NumericIdentity.agree(x.samples, y.samples)
        }
    }
}

/// Whether a candidate matched its gold answer and, for a non-match that is not a plain disagreement, why.
public struct AnswerVerdict: Sendable, Hashable {
    public var equivalent: Bool
    /// `too-deep` when an answer nests past the parser's limits and was compared as text; nil otherwise.
    public var reason: String?

    public static let tooDeep = "too-deep"
}

/// A comparison of two texts that may be whole responses: what was found on each side and the verdict.
public struct AnswerComparison: Sendable, Hashable {
    /// The gold's final answer, or nil when none was found.
    public var gold: ExtractedAnswer?
    public var candidate: ExtractedAnswer?
    public var equivalent: Bool
    /// `too-deep` as in `AnswerVerdict`.
    public var reason: String?
}

/// Whether `text` has `\$` (an escaped dollar), by bytes: Foundation's `contains` on String costs more than
/// the whole comparison of a short answer.
private func hasEscapedDollar(_ text: String) -> Bool {
    var previous: UInt8 = 0
    for c in text.utf8 {
        if c == UInt8(ascii: "$") && previous == UInt8(ascii: "\\") { return true }
        previous = c
    }
    return false
}
