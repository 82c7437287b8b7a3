import Foundation

/// CAS-free identity checking: two expressions in variables are taken as equal when they agree at several
/// fixed points, as verifiers without a computer algebra system do (`\tan^2 y + 1` against `\sec^2 y`).
///
/// Why fixed points: verdicts must be deterministic (a vote must not flip between runs) and cheap (the
/// values are computed once per answer and reused for every comparison and the grouping key). Why several
/// ranges: an expression may be undefined at some points (`\sqrt{x-3}` below 3, `\ln x` below 0), so each
/// side is evaluated at `pointCount` points spread over different ranges, and two answers are compared on
/// the points where both are defined; at least `minimumCommonPoints` must remain, or there is no verdict of
/// equality.
enum NumericIdentity {
    /// Points per variable: three in (1, 2), where most answers are defined, then wider and negative ones.
    static let pointCount = 6
    static let minimumCommonPoints = 3

    /// An irrational-looking value, different per variable and point (seeded by the indices, not random).
    static func samplePoint(variable k: Int, point: Int) -> Double {
        let x = 0.6180339887498949 * Double((k + 1) * 7 + (point + 1) * 13) + 0.1415926535 * Double(point)
        let frac = x - x.rounded(.down)
        switch point {
        case 0, 1, 2: return 1 + frac          // (1, 2)
        case 3: return 3 + 4 * frac            // (3, 7)
        case 4: return -2 + frac               // (-2, -1)
        default: return 0.05 + 0.4 * frac      // (0.05, 0.45)
        }
    }

    /// The values of `e` at every sample point (nil where undefined or not finite). Nil when the expression
    /// is defined at fewer than `minimumCommonPoints` points: such an answer is compared as text.
    static func samples(_ e: MathExpr, variables vars: [String]) -> [MathValue?]? {
        var out: [MathValue?] = []
        out.reserveCapacity(pointCount)
        var defined = 0
        var env: [String: Double] = [:]
        for point in 0..<pointCount {
            for (k, v) in vars.enumerated() { env[v] = samplePoint(variable: k, point: point) }
            if let x = e.evaluate(env), x.double.isFinite { out.append(x); defined += 1 } else { out.append(nil) }
        }
        return defined >= minimumCommonPoints ? out : nil
    }

    /// Whether two sample vectors agree wherever both are defined, on enough points.
    static func agree(_ a: [MathValue?], _ b: [MathValue?]) -> Bool {
        guard a.count == b.count else { return false }
        var common = 0
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (let x?, let y?):
                guard x.isClose(to: y) else { return false }
                common += 1
            case (nil, nil): continue
            default:
                // Defined on one side only: a domain difference (`\frac{x^2-1}{x-1}` against `x+1` at x = 1
                // never happens at these points), so it is skipped rather than counted as disagreement.
                continue
            }
        }
        return common >= minimumCommonPoints
    }

    /// Whether `a` is a constant multiple of `b` at every common point: the same equation or relation
    /// written scaled (`2x+4y-3 = 0` against `y = -\frac{1}{2}x + \frac{3}{4}`). With `positive`, the
    /// factor must be positive (an inequality flips under a negative one).
    static func proportional(_ a: [MathValue?], _ b: [MathValue?], positive: Bool) -> Bool {
        guard a.count == b.count else { return false }
        var ratio: Double? = nil
        var common = 0
        for (x, y) in zip(a, b) {
            guard let x, let y else { continue }
            let p = x.double, q = y.double
            let zp = abs(p) < 1e-12, zq = abs(q) < 1e-12
            if zp && zq { common += 1; continue }
            if zp != zq { return false }
            let r = p / q
            if let r0 = ratio {
                guard abs(r - r0) <= 1e-9 * max(abs(r), abs(r0)) else { return false }
            } else {
                if positive && r <= 0 { return false }
                ratio = r
            }
            common += 1
        }
        return common >= minimumCommonPoints && ratio != nil
    }

    /// A written decimal against another value at `places` decimal places (math-verify's `float_rounding`):
    /// equal when they round, or truncate, to the same value (`0.6666667` and a truncated `0.666666` for
    /// 2/3). Only when the decimal was written to at least `places` places: `0.67` is not 2/3 at 6.
    static func closeAtPrecision(_ a: Double, _ b: Double, decimals: Int, places: Int?) -> Bool {
        guard let p = places, decimals >= p, a.isFinite, b.isFinite, max(abs(a), abs(b)) < 1e15 else { return false }
        let scale = pow(10.0, Double(p))
        // A hair of slack so that a value printed exactly at a rounding boundary is not lost to binary error.
        let eps = 1e-9
        if (a * scale + eps).rounded() == (b * scale + eps).rounded() { return true }
        return (a * scale + eps).rounded(.towardZero) == (b * scale + eps).rounded(.towardZero)
    }

    /// The most digits written after a decimal point in `text` (`0.0833` -> 4); 0 without a decimal.
    static func decimalPlaces(_ text: String) -> Int {
        var best = 0, run = -1
        for c in text.utf8 {
            let digit = AnswerExtractor.isDigit(c)
            if c == UInt8(ascii: ".") {
                run = 0
            } else if digit, run >= 0 {
                run += 1
                best = max(best, run)
            } else if !digit {
                run = -1
            }
        }
        return best
    }
}
