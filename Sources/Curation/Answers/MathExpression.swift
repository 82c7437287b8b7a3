import Foundation

/// A small arithmetic expression read from LaTeX: what final answers are made of.
///
/// Supported: numbers, single-letter variables (with subscripts) and Greek letters, `+ - * /`, `\cdot`,
/// `\times`, `\div`, `^`, `!`, `\frac`/`\dfrac`/`\tfrac` (braced or single-character arguments, so
/// `\dfrac12` reads as 1/2), `\sqrt{}` and `\sqrt[n]{}`, `\pi`, `\infty`, `\sin`/`\cos`/`\tan`/`\ln`/`\log`,
/// implicit multiplication (`2\sqrt{3}`, `3x`), and mixed numbers (`2\frac{1}{2}` = 5/2, the MATH
/// convention). Anything else fails to parse, and the caller compares text instead: precision first.
public indirect enum MathExpr: Sendable, Hashable {
    case number(Rational)
    case constant(Double)
    /// An integer literal too long for 64 bits, as its digits (its value is approximate; `BigInteger`
    /// compares such answers exactly).
    case bigInteger(String)
    case variable(String)
    case negate(MathExpr)
    case add(MathExpr, MathExpr)
    case subtract(MathExpr, MathExpr)
    case multiply(MathExpr, MathExpr)
    case divide(MathExpr, MathExpr)
    case power(MathExpr, MathExpr)
    case root(MathExpr, index: Int)
    case factorial(MathExpr)
    case function(String, MathExpr)

    /// Parses `text` completely; nil when any part is not understood or the expression is beyond the
    /// parser's limits (see `parseChecked`).
    public static func parse(_ text: String) -> MathExpr? {
        if case .parsed(let e) = parseChecked(text) { return e }
        return nil
    }

    /// What `parseChecked` found.
    public enum ParseOutcome: Sendable, Hashable {
        case parsed(MathExpr)
        /// Some part is not understood.
        case notUnderstood
        /// Nested deeper than `ExprParser.maxDepth` or larger than `ExprParser.maxNodes`: refused before
        /// the recursion (parsing, evaluating, hashing or freeing the tree) could exhaust the stack.
        case tooDeep
    }

    /// Parses `text` completely, saying why when it cannot.
    public static func parseChecked(_ text: String) -> ParseOutcome {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buf -> ParseOutcome in
            var p = ExprParser(b: buf)
            let e = p.parseExpression()
            if p.overLimit { return .tooDeep }
            guard let e else { return .notUnderstood }
            p.skipSpaces()
            return p.i == buf.count ? .parsed(e) : .notUnderstood
        }
    }

    /// The free variables, sorted.
    public var variables: [String] {
        var set = Set<String>()
        collect(&set)
        return set.sorted()
    }

    private func collect(_ s: inout Set<String>) {
        switch self {
        case .number, .constant, .bigInteger: break
        case .variable(let v): s.insert(v)
        case .negate(let a), .root(let a, _), .factorial(let a), .function(_, let a): a.collect(&s)
        case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b), .power(let a, let b):
            a.collect(&s); b.collect(&s)
        }
    }

    /// The value, exact when every step is rational and nothing overflows; `env` gives variables' values.
    public func evaluate(_ env: [String: Double] = [:]) -> MathValue? {
        switch self {
        case .number(let r): return .exact(r)
        case .constant(let d): return .approx(d)
        case .bigInteger(let digits): return Double(digits).map { .approx($0) }
        case .variable(let v): return env[v].map { .approx($0) }
        case .negate(let a):
            guard let x = a.evaluate(env) else { return nil }
            if case .exact(let r) = x, let n = r.negated { return .exact(n) }
            return .approx(-x.double)
        case .add(let a, let b): return MathValue.combine(a.evaluate(env), b.evaluate(env), { $0.adding($1) }, +)
        case .subtract(let a, let b): return MathValue.combine(a.evaluate(env), b.evaluate(env), { $0.subtracting($1) }, -)
        case .multiply(let a, let b): return MathValue.combine(a.evaluate(env), b.evaluate(env), { $0.multiplied(by: $1) }, *)
        case .divide(let a, let b):
            guard let x = a.evaluate(env), let y = b.evaluate(env) else { return nil }
            if y.double == 0 { return nil }
            return MathValue.combine(x, y, { $0.divided(by: $1) }, /)
        case .power(let a, let b):
            guard let x = a.evaluate(env), let y = b.evaluate(env) else { return nil }
            if case .exact(let base) = x, case .exact(let e) = y {
                if e.isInteger, let r = base.power(e.numerator) { return .exact(r) }
                if !e.isInteger, e.denominator <= 16, let rt = base.root(e.denominator), let r = rt.power(e.numerator) { return .exact(r) }
            }
            let v = pow(x.double, y.double)
            // Overflow (`10^{10^{10}}`) is not infinity: two different huge powers must not compare equal
            // as inf == inf. Without a value the answer is compared as text, which still gives a verdict.
            if v.isNaN || (v.isInfinite && x.double.isFinite && y.double.isFinite) { return nil }
            return .approx(v)
        case .root(let a, let k):
            guard let x = a.evaluate(env) else { return nil }
            if case .exact(let r) = x, let rt = r.root(k) { return .exact(rt) }
            let d = x.double
            if d < 0 { return k % 2 == 1 ? .approx(-pow(-d, 1 / Double(k))) : nil }
            return .approx(k == 2 ? d.squareRoot() : pow(d, 1 / Double(k)))
        case .factorial(let a):
            guard case .exact(let r)? = a.evaluate(env), r.isInteger, r.numerator >= 0 else { return nil }
            // Past 20! the value is kept approximately (up to 170!, the largest finite double); beyond, none.
            if r.numerator > 20 { return r.numerator <= 170 ? .approx(tgamma(Double(r.numerator + 1))) : nil }
            var f = 1
            if r.numerator > 1 { for k in 2...r.numerator { f *= k } }
            return Rational(f).map { .exact($0) }
        case .function(let name, let a):
            guard let x = a.evaluate(env)?.double else { return nil }
            let v: Double
            switch name {
            case "sin": v = sin(x)
            case "cos": v = cos(x)
            case "tan": v = tan(x)
            case "ln": v = log(x)
            case "log": v = log10(x)
            case "exp": v = exp(x)
            case "sec": v = 1 / cos(x)
            case "csc": v = 1 / sin(x)
            case "cot": v = cos(x) / sin(x)
            case "arcsin": v = asin(x)
            case "arccos": v = acos(x)
            case "arctan": v = atan(x)
            case "sinh": v = sinh(x)
            case "cosh": v = cosh(x)
            case "tanh": v = tanh(x)
            default: return nil
            }
            // A pole (tan at pi/2) is outside the function's domain, not a value.
            guard v.isFinite else { return nil }
            return v.isNaN ? nil : .approx(v)
        }
    }
}

/// An evaluated number: exact when possible, else a double.
public enum MathValue: Sendable, Hashable {
    case exact(Rational)
    case approx(Double)

    public var double: Double {
        switch self {
        case .exact(let r): return r.doubleValue
        case .approx(let d): return d
        }
    }

    static func combine(_ x: MathValue?, _ y: MathValue?, _ exact: (Rational, Rational) -> Rational?, _ approx: (Double, Double) -> Double) -> MathValue? {
        guard let x = x, let y = y else { return nil }
        if case .exact(let a) = x, case .exact(let b) = y, let r = exact(a, b) { return .exact(r) }
        let v = approx(x.double, y.double)
        return v.isNaN ? nil : .approx(v)
    }

    /// Equality: exact values compare exactly; otherwise within a relative 1e-9 (tight enough that a
    /// rounded decimal such as 0.3333 never equals 1/3, loose enough for `\sqrt{8}` = `2\sqrt{2}`).
    public func isClose(to o: MathValue) -> Bool {
        if case .exact(let a) = self, case .exact(let b) = o { return a == b }
        let a = double, b = o.double
        if a.isNaN || b.isNaN { return false }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12
    }
}

/// Recursive-descent parser over bytes (see `MathExpr`).
///
/// Answers come from model output, so nesting is hostile input: `\sqrt\sqrt...2`, `\sin\sin...x`,
/// `---5` or `3!!!...` hundreds of thousands of levels deep would overflow the stack in the parser, and a
/// chain of `+` or `!` builds a tree as deep as it is long, which `evaluate`, hashing and even freeing
/// walk recursively. Every recursive entry therefore counts against `maxDepth` and every node against
/// `maxNodes`; past either the parse stops with `overLimit` set. Real answers stay far below both.
struct ExprParser {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    var nodes = 0
    /// Set when `maxDepth` or `maxNodes` was reached; the parse then fails.
    var overLimit = false

    /// Nested parser calls allowed (about five per parenthesis or command level).
    static let maxDepth = 200
    /// Parse steps allowed (each primary and each operator-loop turn counts, so about three per term of a
    /// sum): at least one per node, so it bounds the tree's height and recursion over it stays shallow.
    static let maxNodes = 1000

    init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    static let greek: Set<String> = ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
                                     "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi",
                                     "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Omega"]
    static let functions: Set<String> = ["sin", "cos", "tan", "ln", "log", "exp", "sec", "csc", "cot",
                                         "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh"]
    /// `\sin^{-1}` is the inverse function, not a reciprocal (the usual convention in answers).
    static let inverses: [String: String] = ["sin": "arcsin", "cos": "arccos", "tan": "arctan"]

    var peek: UInt8? { i < b.count ? b[i] : nil }

    mutating func skipSpaces() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A { i += 1 } }

    /// The command name at `i` (after a backslash), without consuming it.
    func command(at k: Int) -> (name: String, end: Int)? {
        guard k < b.count, b[k] == UInt8(ascii: "\\") else { return nil }
        var e = k + 1
        while e < b.count, AnswerExtractor.isLetter(b[e]) { e += 1 }
        guard e > k + 1 else { return nil }
        return (String(decoding: UnsafeBufferPointer(rebasing: b[(k + 1)..<e]), as: UTF8.self), e)
    }

    /// Enters a recursive call: false (and `overLimit`) past `maxDepth`. Pair with `leave()`.
    mutating func enter() -> Bool {
        depth += 1
        if depth > ExprParser.maxDepth { overLimit = true }
        return !overLimit
    }

    mutating func leave() { depth -= 1 }

    /// Counts one node about to be built: false (and `overLimit`) past `maxNodes`.
    mutating func node() -> Bool {
        nodes += 1
        if nodes > ExprParser.maxNodes { overLimit = true }
        return !overLimit
    }

    mutating func parseExpression() -> MathExpr? {
        guard enter() else { return nil }
        defer { leave() }
        guard var lhs = parseTerm() else { return nil }
        while true {
            skipSpaces()
            guard let c = peek else { return lhs }
            guard node() else { return nil }
            if c == UInt8(ascii: "+") {
                i += 1
                guard let r = parseTerm() else { return nil }
                lhs = .add(lhs, r)
            } else if c == UInt8(ascii: "-") {
                i += 1
                guard let r = parseTerm() else { return nil }
                lhs = .subtract(lhs, r)
            } else {
                return lhs
            }
        }
    }

    mutating func parseTerm() -> MathExpr? {
        guard var lhs = parseUnary() else { return nil }
        while true {
            skipSpaces()
            guard let c = peek else { return lhs }
            guard node() else { return nil }
            if c == UInt8(ascii: "*") {
                i += 1
                guard let r = parseUnary() else { return nil }
                lhs = .multiply(lhs, r)
            } else if c == UInt8(ascii: "/") {
                i += 1
                guard let r = parseUnary() else { return nil }
                lhs = .divide(lhs, r)
            } else if let cmd = command(at: i), cmd.name == "cdot" || cmd.name == "times" || cmd.name == "div" {
                i = cmd.end
                guard let r = parseUnary() else { return nil }
                lhs = cmd.name == "div" ? .divide(lhs, r) : .multiply(lhs, r)
            } else if startsPrimary() {
                guard let r = parsePower() else { return nil }
                lhs = .multiply(lhs, r)
            } else {
                return lhs
            }
        }
    }

    func startsPrimary() -> Bool {
        guard let c = peek else { return false }
        if AnswerExtractor.isDigit(c) || AnswerExtractor.isLetter(c) || c == UInt8(ascii: "(") || c == UInt8(ascii: "{") || c == UInt8(ascii: ".") { return true }
        if let cmd = command(at: i) {
            return ["frac", "dfrac", "tfrac", "cfrac", "sqrt", "pi", "infty", "binom", "dbinom", "tbinom"].contains(cmd.name) || ExprParser.greek.contains(cmd.name) || ExprParser.functions.contains(cmd.name)
        }
        return false
    }

    mutating func parseUnary() -> MathExpr? {
        guard enter() else { return nil }
        defer { leave() }
        skipSpaces()
        if peek == UInt8(ascii: "-") {
            i += 1
            guard let e = parseUnary() else { return nil }
            if case .number(let r) = e, let n = r.negated { return .number(n) }
            return .negate(e)
        }
        if peek == UInt8(ascii: "+") { i += 1; return parseUnary() }
        return parsePower()
    }

    mutating func parsePower() -> MathExpr? {
        guard enter() else { return nil }
        defer { leave() }
        guard var base = parsePrimary() else { return nil }
        while true {
            skipSpaces()
            if peek == UInt8(ascii: "!") {
                guard node() else { return nil }
                i += 1; base = .factorial(base); continue
            }
            break
        }
        skipSpaces()
        guard peek == UInt8(ascii: "^") else { return base }
        i += 1
        skipSpaces()
        let exponent: MathExpr?
        if peek == UInt8(ascii: "{") {
            exponent = parseGroup()
        } else if peek == UInt8(ascii: "-") {
            i += 1
            exponent = parseArgument().map { .negate($0) }
        } else {
            exponent = parseArgument()
        }
        guard let e = exponent else { return nil }
        return .power(base, e)
    }

    /// `{expr}` with the braces.
    mutating func parseGroup() -> MathExpr? {
        guard peek == UInt8(ascii: "{") else { return nil }
        i += 1
        guard let e = parseExpression() else { return nil }
        skipSpaces()
        guard peek == UInt8(ascii: "}") else { return nil }
        i += 1
        return e
    }

    /// A command argument: `{expr}` or a single character / command (`\frac12`, `\sqrt2`, `x^2`).
    mutating func parseArgument() -> MathExpr? {
        guard enter() else { return nil }
        defer { leave() }
        skipSpaces()
        guard let c = peek else { return nil }
        if c == UInt8(ascii: "{") { return parseGroup() }
        if AnswerExtractor.isDigit(c) { i += 1; return Rational(Int(c - 48)).map { .number($0) } }
        if AnswerExtractor.isLetter(c) { i += 1; return .variable(String(UnicodeScalar(c))) }
        if c == UInt8(ascii: "\\") || c == UInt8(ascii: "(") { return parsePrimary() }
        return nil
    }

    /// n choose k, exactly; nil when out of range or on overflow.
    static func binomial(_ n: Int, _ k: Int) -> Rational? {
        guard n >= 0, k >= 0, k <= n, n <= 10_000 else { return k > n && n >= 0 && k >= 0 ? .zero : nil }
        var r = Rational.one
        for i in 0..<min(k, n - k) {
            guard let a = r.multiplied(by: Rational(n - i) ?? .one), let b = a.divided(by: Rational(i + 1) ?? .one) else { return nil }
            r = b
        }
        return r
    }

    mutating func parsePrimary() -> MathExpr? {
        guard enter() else { return nil }
        defer { leave() }
        guard node() else { return nil }
        skipSpaces()
        guard let c = peek else { return nil }
        if AnswerExtractor.isDigit(c) || c == UInt8(ascii: ".") {
            guard let n = parseNumber() else { return nil }
            // Mixed number: an integer directly followed by \frac{p}{q} with 0 < p < q.
            if case .number(let whole) = n, whole.isInteger, let cmd = command(at: i), ["frac", "dfrac", "tfrac"].contains(cmd.name) {
                let save = i
                i = cmd.end
                if case .number(let p)? = parseArgument(), case .number(let q)? = parseArgument(),
                   p.isInteger, q.isInteger, p.numerator > 0, p.numerator < q.numerator,
                   let frac = p.divided(by: q), let sum = whole.adding(frac) {
                    return .number(sum)
                }
                i = save
            }
            return n
        }
        if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") {
            let close = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            i += 1
            guard let e = parseExpression() else { return nil }
            skipSpaces()
            guard peek == close else { return nil }
            i += 1
            return e
        }
        if c == UInt8(ascii: "{") { return parseGroup() }
        if AnswerExtractor.isLetter(c) {
            i += 1
            var name = String(UnicodeScalar(c))
            name += parseSubscript() ?? ""
            return .variable(name)
        }
        if let cmd = command(at: i) {
            i = cmd.end
            switch cmd.name {
            case "frac", "dfrac", "tfrac", "cfrac":
                guard let n = parseArgument(), let d = parseArgument() else { return nil }
                if case .number(let p) = n, case .number(let q) = d, let r = p.divided(by: q) { return .number(r) }
                return .divide(n, d)
            case "sqrt":
                skipSpaces()
                var index = 2
                if peek == UInt8(ascii: "[") {
                    i += 1
                    guard case .number(let r)? = parseExpression(), r.isInteger, r.numerator >= 2, r.numerator <= 16 else { return nil }
                    skipSpaces()
                    guard peek == UInt8(ascii: "]") else { return nil }
                    i += 1
                    index = r.numerator
                }
                guard let a = parseArgument() else { return nil }
                return .root(a, index: index)
            case "binom", "dbinom", "tbinom":
                guard case .number(let n)? = parseArgument(), case .number(let k)? = parseArgument(),
                      n.isInteger, k.isInteger, let c = ExprParser.binomial(n.numerator, k.numerator) else { return nil }
                return .number(c)
            case "pi": return .constant(Double.pi)
            case "infty", "infinity": return .constant(.infinity)
            default:
                if ExprParser.greek.contains(cmd.name) { return .variable("\\" + cmd.name + (parseSubscript() ?? "")) }
                if ExprParser.functions.contains(cmd.name) {
                    // `\sin^2 x` squares the function's value; `\sin^{-1} x` is arcsin.
                    skipSpaces()
                    var exponent: MathExpr? = nil
                    if peek == UInt8(ascii: "^") {
                        i += 1
                        skipSpaces()
                        guard let e = parseArgument() else { return nil }
                        exponent = e
                    }
                    guard let a = parsePower() else { return nil }
                    if let e = exponent {
                        if case .number(let r) = e, r == Rational(-1), let inv = ExprParser.inverses[cmd.name] { return .function(inv, a) }
                        guard node() else { return nil }
                        return .power(.function(cmd.name, a), e)
                    }
                    return .function(cmd.name, a)
                }
                return nil
            }
        }
        return nil
    }

    /// `_1`, `_{12}`, `_n` after a variable, as text.
    mutating func parseSubscript() -> String? {
        guard peek == UInt8(ascii: "_") else { return nil }
        let s = i
        i += 1
        if peek == UInt8(ascii: "{") {
            while i < b.count, b[i] != UInt8(ascii: "}") { i += 1 }
            guard i < b.count else { i = s; return nil }
            i += 1
        } else if let c = peek, AnswerExtractor.isLetter(c) || AnswerExtractor.isDigit(c) {
            i += 1
        } else { i = s; return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
    }

    mutating func parseNumber() -> MathExpr? {
        let s = i
        while i < b.count, AnswerExtractor.isDigit(b[i]) || b[i] == UInt8(ascii: ".") { i += 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<i]), as: UTF8.self)
        if let r = Rational(decimal: text[...]) { return .number(r) }
        // Too many digits for 64 bits: keep the value approximately.
        if !text.utf8.contains(UInt8(ascii: ".")), text.utf8.count <= BigInteger.maxDigits { return .bigInteger(text) }
        if let d = Double(text) { return .constant(d) }
        return nil
    }
}
