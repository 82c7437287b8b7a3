/// Exact integers past 64 bits, only to settle one question: are two huge integer answers equal?
///
/// Doubles carry 53 bits, so `2^{100}` and `1267650600228229401496703205377` (one more) compare equal as
/// doubles. When both sides are integer expressions (literals, `+ - *`, powers, factorials), they are
/// evaluated exactly here, up to `maxDigits` digits; past that there is no exact verdict and the caller
/// keeps the approximate one. Base-10^9 limbs, schoolbook arithmetic: answers are short and this runs
/// only for values beyond 2^53.
struct BigInteger: Equatable {
    /// Little-endian base-10^9 limbs without leading zero limbs; zero is `[]`.
    var limbs: [UInt32]
    var negative: Bool

    static let base: UInt64 = 1_000_000_000
    static let maxDigits = 3000

    init(_ v: Int) {
        negative = v < 0
        var m = v.magnitude
        var l: [UInt32] = []
        while m > 0 { l.append(UInt32(m % UInt(BigInteger.base))); m /= UInt(BigInteger.base) }
        limbs = l
    }

    init?(digits: Substring) {
        guard !digits.isEmpty, digits.count <= BigInteger.maxDigits, digits.utf8.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        var l: [UInt32] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -9, limitedBy: digits.startIndex) ?? digits.startIndex
            guard let v = UInt32(digits[start..<end]) else { return nil }
            l.append(v)
            end = start
        }
        while l.last == 0 { l.removeLast() }
        limbs = l
        negative = false
    }

    var isZero: Bool { limbs.isEmpty }
    var digitCount: Int { limbs.isEmpty ? 1 : (limbs.count - 1) * 9 + String(limbs[limbs.count - 1]).count }

    static func compareMagnitude(_ a: [UInt32], _ b: [UInt32]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for k in stride(from: a.count - 1, through: 0, by: -1) where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
        return 0
    }

    static func addMagnitude(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(max(a.count, b.count) + 1)
        var carry: UInt64 = 0
        for k in 0..<max(a.count, b.count) {
            let s = UInt64(k < a.count ? a[k] : 0) + UInt64(k < b.count ? b[k] : 0) + carry
            out.append(UInt32(s % base)); carry = s / base
        }
        if carry > 0 { out.append(UInt32(carry)) }
        return out
    }

    /// `a - b` for `a >= b`.
    static func subtractMagnitude(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        var borrow: Int64 = 0
        for k in 0..<a.count {
            var d = Int64(a[k]) - Int64(k < b.count ? b[k] : 0) - borrow
            if d < 0 { d += Int64(base); borrow = 1 } else { borrow = 0 }
            out.append(UInt32(d))
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    static func + (a: BigInteger, b: BigInteger) -> BigInteger {
        var r = BigInteger(0)
        if a.negative == b.negative {
            r.limbs = addMagnitude(a.limbs, b.limbs); r.negative = a.negative
        } else if compareMagnitude(a.limbs, b.limbs) >= 0 {
            r.limbs = subtractMagnitude(a.limbs, b.limbs); r.negative = a.negative
        } else {
            r.limbs = subtractMagnitude(b.limbs, a.limbs); r.negative = b.negative
        }
        if r.limbs.isEmpty { r.negative = false }
        return r
    }

    static prefix func - (a: BigInteger) -> BigInteger {
        var r = a
        r.negative = a.isZero ? false : !a.negative
        return r
    }

    /// Nil past `maxDigits`.
    static func * (a: BigInteger, b: BigInteger) -> BigInteger? {
        guard !a.isZero, !b.isZero else { return BigInteger(0) }
        guard a.digitCount + b.digitCount <= maxDigits + 1 else { return nil }
        var acc = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count + 1)
        for (i, x) in a.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, y) in b.limbs.enumerated() {
                let t = acc[i + j] + UInt64(x) * UInt64(y) + carry
                acc[i + j] = t % base; carry = t / base
            }
            var k = i + b.limbs.count
            while carry > 0 { let t = acc[k] + carry; acc[k] = t % base; carry = t / base; k += 1 }
        }
        var r = BigInteger(0)
        r.limbs = acc.map { UInt32($0) }
        while r.limbs.last == 0 { r.limbs.removeLast() }
        r.negative = a.negative != b.negative
        return r
    }

    func power(_ e: Int) -> BigInteger? {
        guard e >= 0 else { return nil }
        // Digits of the result, estimated first so that a huge power is refused before any work.
        let estimate = Double(e) * Double(max(digitCount - 1, 0) + 1)
        guard estimate <= Double(BigInteger.maxDigits) * 2 else { return nil }
        var result = BigInteger(1), b = self, k = e
        while k > 0 {
            if k & 1 == 1 { guard let r = result * b else { return nil }; result = r }
            k >>= 1
            if k > 0 { guard let s = b * b else { return nil }; b = s }
        }
        return result
    }

    /// The exact integer value of `e`, when every step is an integer operation within `maxDigits`.
    /// Recursion follows the parsed tree, whose height the parser bounds (`ExprParser.maxNodes`).
    static func exact(_ e: MathExpr) -> BigInteger? {
        switch e {
        case .number(let r): return r.isInteger ? BigInteger(r.numerator) : nil
        case .bigInteger(let digits): return BigInteger(digits: Substring(digits))
        case .negate(let a): return exact(a).map { -$0 }
        case .add(let a, let b):
            guard let x = exact(a), let y = exact(b) else { return nil }
            return x + y
        case .subtract(let a, let b):
            guard let x = exact(a), let y = exact(b) else { return nil }
            return x + (-y)
        case .multiply(let a, let b):
            guard let x = exact(a), let y = exact(b) else { return nil }
            return x * y
        case .power(let a, let b):
            guard let x = exact(a), case .number(let r) = b, r.isInteger, r.numerator >= 0, r.numerator <= 100_000 else { return nil }
            return x.power(r.numerator)
        case .factorial(let a):
            guard case .number(let r) = a, r.isInteger, r.numerator >= 0, r.numerator <= 1000 else { return nil }
            var f = BigInteger(1)
            if r.numerator > 1 {
                for k in 2...r.numerator { guard let g = f * BigInteger(k) else { return nil }; f = g }
            }
            return f
        default: return nil
        }
    }
}
