import Foundation

/// An exact fraction of two machine integers, always in lowest terms with a positive denominator.
///
/// Why exact: `0.1 + 0.2` must equal `3/10` and `\frac{1}{3}` must not equal `0.3333333333`; doubles
/// get both wrong in one direction or the other. Why fixed width with overflow checks: answers are short,
/// and when an operation would overflow we fall back to floating point (`nil` here) rather than trap or
/// silently wrap.
public struct Rational: Sendable, Hashable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    /// `n / d` reduced; nil when `d == 0` or the reduction would overflow (`Int.min`).
    public init?(_ n: Int, _ d: Int = 1) {
        guard d != 0, n != .min, d != .min else { return nil }
        let g = Rational.gcd(abs(n), abs(d))
        let s = d < 0 ? -1 : 1
        numerator = s * n / g
        denominator = s * d / g
    }

    private init(unchecked n: Int, _ d: Int) { numerator = n; denominator = d }

    public static let zero = Rational(unchecked: 0, 1)
    public static let one = Rational(unchecked: 1, 1)

    public var isInteger: Bool { denominator == 1 }
    public var doubleValue: Double { Double(numerator) / Double(denominator) }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    @inlinable static func gcd(_ a: Int, _ b: Int) -> Int {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }

    private static func mul(_ a: Int, _ b: Int) -> Int? {
        let r = a.multipliedReportingOverflow(by: b)
        return r.overflow ? nil : r.partialValue
    }
    private static func add(_ a: Int, _ b: Int) -> Int? {
        let r = a.addingReportingOverflow(b)
        return r.overflow ? nil : r.partialValue
    }

    public func adding(_ o: Rational) -> Rational? {
        let g = Rational.gcd(denominator, o.denominator)
        guard let l = Rational.mul(numerator, o.denominator / g), let r = Rational.mul(o.numerator, denominator / g),
              let n = Rational.add(l, r), let d = Rational.mul(denominator / g, o.denominator) else { return nil }
        return Rational(n, d)
    }

    public var negated: Rational? { numerator == .min ? nil : Rational(unchecked: -numerator, denominator) }

    public func subtracting(_ o: Rational) -> Rational? { o.negated.flatMap { adding($0) } }

    public func multiplied(by o: Rational) -> Rational? {
        let g1 = Rational.gcd(abs(numerator), o.denominator), g2 = Rational.gcd(abs(o.numerator), denominator)
        guard let n = Rational.mul(numerator / g1, o.numerator / g2),
              let d = Rational.mul(denominator / g2, o.denominator / g1) else { return nil }
        return Rational(n, d)
    }

    public var reciprocal: Rational? { numerator == 0 ? nil : Rational(denominator, numerator) }

    public func divided(by o: Rational) -> Rational? { o.reciprocal.flatMap { multiplied(by: $0) } }

    /// `self ^ e` for an integer exponent (|e| <= 4096), nil on overflow or 0^negative.
    public func power(_ e: Int) -> Rational? {
        guard abs(e) <= 4096 else { return nil }
        if e < 0 { return reciprocal?.power(-e) }
        var result = Rational.one, base = self, k = e
        while k > 0 {
            if k & 1 == 1 { guard let r = result.multiplied(by: base) else { return nil }; result = r }
            k >>= 1
            if k > 0 { guard let b = base.multiplied(by: base) else { return nil }; base = b }
        }
        return result
    }

    /// The exact `k`-th root when numerator and denominator are both perfect `k`-th powers.
    public func root(_ k: Int) -> Rational? {
        guard k >= 1 else { return nil }
        if k == 1 { return self }
        if numerator < 0 && k % 2 == 0 { return nil }
        guard let n = Rational.intRoot(abs(numerator), k), let d = Rational.intRoot(denominator, k) else { return nil }
        return Rational(numerator < 0 ? -n : n, d)
    }

    private static func intRoot(_ x: Int, _ k: Int) -> Int? {
        if x < 2 { return x }
        let guess = Int(pow(Double(x), 1 / Double(k)).rounded())
        for c in max(0, guess - 1)...(guess + 1) {
            var p = 1, ok = true
            for _ in 0..<k { guard let q = mul(p, c) else { ok = false; break }; p = q }
            if ok && p == x { return c }
        }
        return nil
    }

    /// Parses a plain decimal literal (`12`, `-0.50`, `.5`, `3.`); nil when it does not fit.
    public init?(decimal text: Substring) {
        var neg = false, s = text[...]
        if s.first == "-" { neg = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        var n = 0, d = 1, seenDot = false, digits = 0
        for c in s.utf8 {
            if c == UInt8(ascii: ".") { if seenDot { return nil }; seenDot = true; continue }
            guard c >= 48 && c <= 57 else { return nil }
            digits += 1
            guard let m = Rational.mul(n, 10), let a = Rational.add(m, Int(c - 48)) else { return nil }
            n = a
            if seenDot { guard let dd = Rational.mul(d, 10) else { return nil }; d = dd }
        }
        guard digits > 0 else { return nil }
        self.init(neg ? -n : n, d)
    }
}
