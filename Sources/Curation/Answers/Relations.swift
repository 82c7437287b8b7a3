/// Relations: `x \geq 5`, `5 \geq x`, `-2 \le x \le 7`, `x \ne 3`, and equations that are not a value
/// (`2x + 4y - 3 = 0`).
///
/// Each comparison `l op r` is stored oriented as `d op' 0` with `op'` one of `<`, `<=`, `!=`, `=` and
/// `d = l - r` (or `r - l` for `>`/`>=`), so that `x >= 5` and `5 <= x` become the same thing. Two
/// comparisons are equal when their ops agree and their `d`s are positive multiples of each other at the
/// sample points (any non-zero multiple for `=` and `!=`): `x < 1` equals `-x > -1`, and a scaled equation
/// equals the original. A chain is a list of comparisons compared as a set.
public struct RelationForm: Sendable, Hashable {
    public enum Op: String, Sendable, Hashable { case less = "<", lessEqual = "<=", notEqual = "!=", equal = "=" }

    public struct Comparison: Sendable, Hashable {
        public var op: Op
        /// `lhs - rhs` after orientation.
        public var difference: MathExpr
        /// The oriented sides (`lhs op rhs`), kept to read a chain in one variable as an interval.
        public var lhs: MathExpr
        public var rhs: MathExpr
        public internal(set) var variables: [String]
        public internal(set) var samples: [MathValue?]
    }

    public var comparisons: [Comparison]

    /// The tokens that make a relation, longest first so that `\leq` is not read as `\le` + `q`.
    static let tokens: [(text: [UInt8], op: Op, flipped: Bool)] = [
        ("\\leqslant", Op.lessEqual, false), ("\\geqslant", .lessEqual, true), ("\\leq", .lessEqual, false), ("\\geq", .lessEqual, true),
        ("\\neq", .notEqual, false), ("\\le", .lessEqual, false), ("\\ge", .lessEqual, true), ("\\ne", .notEqual, false),
        ("\\lt", .less, false), ("\\gt", .less, true), ("<=", .lessEqual, false), (">=", .lessEqual, true), ("!=", .notEqual, false),
        ("≤", .lessEqual, false), ("≥", .lessEqual, true), ("≠", .notEqual, false), ("<", .less, false), (">", .less, true), ("=", .equal, false),
    ].map { (Array($0.0.utf8), $0.1, $0.2) }

    /// Splits `b` at relation tokens outside brackets: the sides and, between each pair, the op and
    /// whether it points the other way (`>`). Nil when there is no inequality token (plain equations are
    /// handled by the caller: a value after a name, or the last side of a chain).
    static func split(_ b: [UInt8]) -> (sides: [String], ops: [(Op, Bool)])? {
        // Fast exit: no byte that can start an inequality (most answers).
        var candidate = false
        for (k, c) in b.enumerated() {
            if c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "!") || c == 0xE2 { candidate = true; break }
            if c == UInt8(ascii: "\\"), k + 1 < b.count, b[k + 1] == UInt8(ascii: "l") || b[k + 1] == UInt8(ascii: "g") || b[k + 1] == UInt8(ascii: "n") { candidate = true; break }
        }
        guard candidate else { return nil }
        var sides: [String] = [], ops: [(Op, Bool)] = []
        var depth = 0, start = 0, i = 0, inequality = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1; i += 1; continue }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { depth -= 1; i += 1; continue }
            if depth == 0, c == UInt8(ascii: "\\") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "!") || c == UInt8(ascii: "=") || c >= 0xE2 {
                var hit = false
                for t in tokens where ByteText.matches(t.text, in: b, at: i) {
                    let end = i + t.text.count
                    // A command token must end there (`\le` is not the start of `\left`).
                    if t.text[0] == UInt8(ascii: "\\"), end < b.count, AnswerExtractor.isLetter(b[end]) { continue }
                    sides.append(String(decoding: b[start..<i], as: UTF8.self))
                    ops.append((t.op, t.flipped))
                    if t.op != .equal { inequality = true }
                    i = end
                    start = i
                    hit = true
                    break
                }
                if hit { continue }
                if c == UInt8(ascii: "\\") {
                    // Skip the whole command so its letters are not read as tokens.
                    i += 1
                    while i < b.count, AnswerExtractor.isLetter(b[i]) { i += 1 }
                    continue
                }
            }
            i += 1
        }
        guard inequality else { return nil }
        sides.append(String(decoding: b[start..<b.count], as: UTF8.self))
        return (sides, ops)
    }

    /// The relation in `b`, or nil when `b` has no inequality or a side is not an expression.
    static func parse(_ b: [UInt8]) -> RelationForm? {
        guard let (sides, ops) = split(b), sides.count == ops.count + 1, sides.count <= 8 else { return nil }
        var exprs: [MathExpr] = []
        for s in sides {
            let t = s.trimmingWhitespace()
            guard !t.isEmpty, case .parsed(let e) = MathExpr.parseChecked(t) else { return nil }
            exprs.append(e)
        }
        var comparisons: [Comparison] = []
        for (k, (op, flipped)) in ops.enumerated() {
            let (l, r) = flipped ? (exprs[k + 1], exprs[k]) : (exprs[k], exprs[k + 1])
            let d = MathExpr.subtract(l, r)
            let vars = d.variables
            guard vars.count <= 8, let s = NumericIdentity.samples(d, variables: vars) else { return nil }
            comparisons.append(Comparison(op: op, difference: d, lhs: l, rhs: r, variables: vars, samples: s))
        }
        return RelationForm(comparisons: comparisons)
    }

    /// The same relation, possibly written scaled, flipped or in another order.
    func equivalent(to o: RelationForm, strict: Bool) -> Bool {
        guard comparisons.count == o.comparisons.count else { return false }
        var used = [Bool](repeating: false, count: o.comparisons.count)
        outer: for c in comparisons {
            for (k, d) in o.comparisons.enumerated() where !used[k] && c.op == d.op {
                if strict && c.variables != d.variables { continue }
                if c.variables.count != d.variables.count { continue }
                if NumericIdentity.proportional(c.samples, d.samples, positive: c.op == .less || c.op == .lessEqual) {
                    used[k] = true
                    continue outer
                }
            }
            return false
        }
        return true
    }

    /// The interval a chain in one variable describes (`-2 \le x \le 7` -> `[-2, 7]`, `x > 5` ->
    /// `(5, \infty)`), as the `AnswerForm` an interval parses to; nil for anything else.
    func interval() -> AnswerForm? {
        var lower: (MathValue, Bool)? = nil, upper: (MathValue, Bool)? = nil
        var variable: String? = nil
        for c in comparisons {
            guard c.op == .less || c.op == .lessEqual else { return nil }
            let closed = c.op == .lessEqual
            if case .variable(let v) = c.lhs, c.rhs.variables.isEmpty, let value = c.rhs.evaluate() {
                guard variable == nil || variable == v, upper == nil else { return nil }
                variable = v; upper = (value, closed)
            } else if case .variable(let v) = c.rhs, c.lhs.variables.isEmpty, let value = c.lhs.evaluate() {
                guard variable == nil || variable == v, lower == nil else { return nil }
                variable = v; lower = (value, closed)
            } else {
                return nil
            }
        }
        func bound(_ v: MathValue) -> AnswerForm {
            .number(NumberForm(expression: .constant(v.double), value: v, variables: [], samples: [], percent: false, decimals: 0))
        }
        let lo = lower.map { bound($0.0) } ?? bound(.approx(-.infinity))
        let hi = upper.map { bound($0.0) } ?? bound(.approx(.infinity))
        let open: UInt8 = lower?.1 == true ? UInt8(ascii: "[") : UInt8(ascii: "(")
        let close: UInt8 = upper?.1 == true ? UInt8(ascii: "]") : UInt8(ascii: ")")
        return .sequence(open: open, close: close, items: [lo, hi])
    }
}

extension RelationForm {
    /// `l = r` where neither side is a name: an equation, kept as `l - r = 0` and compared up to a non-zero
    /// factor. Nil when a side does not parse or the equation has no variables (`7 = 7` is not an answer
    /// form; it is compared as text).
    static func equation(_ l: String, _ r: String) -> RelationForm? {
        let lt = l.trimmingWhitespace(), rt = r.trimmingWhitespace()
        guard !lt.isEmpty, !rt.isEmpty, case .parsed(let a) = MathExpr.parseChecked(lt), case .parsed(let b) = MathExpr.parseChecked(rt) else { return nil }
        let d = MathExpr.subtract(a, b)
        let vars = d.variables
        guard !vars.isEmpty, vars.count <= 8, let s = NumericIdentity.samples(d, variables: vars) else { return nil }
        return RelationForm(comparisons: [Comparison(op: .equal, difference: d, lhs: a, rhs: b, variables: vars, samples: s)])
    }
}
