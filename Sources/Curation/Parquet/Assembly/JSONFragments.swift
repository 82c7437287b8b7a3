import Foundation

/// The JSON text of single Parquet values, written the way Python writes the values pyarrow hands it
/// (`json.dumps(ensure_ascii=False)` over `Table.to_pylist()`), so a row reads back as the record a
/// Hugging Face user would get from `datasets`: floats in Python's shortest `repr`, integers exact, bytes
/// as base64, dates and timestamps as ISO strings, decimals as exact numbers.
enum JSONFragments {
    /// A string value: quoted, with JSON's escapes (the same rules as `JSONWriter.writeString`). Runs of
    /// bytes that need no escape are copied whole. Invalid UTF-8 is copied as is: the record reader's
    /// validation then rejects the row like any bad line. Returns whether the value is valid UTF-8 (checked
    /// only when it holds a byte >= 0x80), so that rows known valid can skip that validation.
    @discardableResult
    static func appendString(_ p: UnsafePointer<UInt8>, _ count: Int, into out: inout [UInt8]) -> Bool {
        out.append(0x22)
        var start = 0
        var k = 0
        var seen: UInt64 = 0 // every byte looked at, OR-ed: its high bit tells whether any was >= 0x80
        while k < count {
            // Eight bytes at a time while none needs an escape (the common case: prose).
            if count - k >= 8 {
                let w = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
                if !needsEscape(w) { seen |= w; k += 8; continue }
            }
            let b = p[k]
            seen |= UInt64(b)
            if b >= 0x20 && b != 0x22 && b != 0x5C { k += 1; continue }
            if k > start { out.append(contentsOf: UnsafeBufferPointer(start: p + start, count: k - start)) }
            appendEscape(b, into: &out)
            k += 1
            start = k
        }
        if count > start { out.append(contentsOf: UnsafeBufferPointer(start: p + start, count: count - start)) }
        out.append(0x22)
        return seen & 0x8080_8080_8080_8080 == 0 || isValidUTF8(p, count)
    }

    /// Whether `count` bytes are valid UTF-8 (Unicode Table 3-7: no overlong forms, surrogates or code
    /// points past U+10FFFF), as `JSONParser` checks it.
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i < count {
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            guard let (need, lo, hi) = UTF8Lead.shape(c) else { return false }
            guard count - i > need, p[i + 1] >= lo, p[i + 1] <= hi else { return false }
            if need >= 2 && p[i + 2] & 0xC0 != 0x80 { return false }
            if need == 3 && p[i + 3] & 0xC0 != 0x80 { return false }
            i += need + 1
        }
        return true
    }

    /// Whether any of the 8 bytes in `w` is a control character, `"` or `\\` (the SWAR "has a byte less
    /// than n" and "has a zero byte" tests: exact as yes/no answers; bytes >= 0x80 never match).
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- 0x2020_2020_2020_2020) & ~w & high
        let q = w ^ 0x2222_2222_2222_2222
        let quote = (q &- ones) & ~q & high
        let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
        let backslash = (b &- ones) & ~b & high
        return (control | quote | backslash) != 0
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendEscape(_ b: UInt8, into out: inout [UInt8]) {
        out.append(0x5C)
        switch b {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
        }
    }

    static func appendInt(_ v: Int64, into out: inout [UInt8]) {
        if v >= 0 { appendUInt(UInt64(v), into: &out); return }
        out.append(UInt8(ascii: "-"))
        appendUInt(v.magnitude, into: &out)
    }

    static func appendUInt(_ v: UInt64, into out: inout [UInt8]) {
        if v < 10 { out.append(0x30 &+ UInt8(v)); return }
        var buf: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: room for 20 digits
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &buf) { b in
            while x > 0 { b[23 - n] = 0x30 &+ UInt8(x % 10); x /= 10; n += 1 }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[(24 - n)..<24]))
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip (Swift's `description` finds the same
    /// digits), laid out as Python does: positional for decimal exponents -4 through 15 (with `.0` when
    /// integral), else `d.ddde+XX`. NaN and infinities have no JSON form: null (as pandas writes them).
    static func appendDouble(_ v: Double, into out: inout [UInt8]) {
        guard v.isFinite else { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]); return }
        if v == 0 { out.append(contentsOf: Array((v.sign == .minus ? "-0.0" : "0.0").utf8)); return }
        // Digits and exponent out of Swift's shortest form ("1.2345e-07", "123.45", "1e+16").
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var pointAt = -1, exp = 0, negative = false
        var seenE = false, expNegative = false, expDigits = 0
        for c in v.description.utf8 {
            if seenE {
                if c == UInt8(ascii: "-") { expNegative = true } else if c >= 0x30 && c <= 0x39 { expDigits = expDigits * 10 + Int(c - 0x30) }
            } else if c == UInt8(ascii: "-") { negative = true }
            else if c == UInt8(ascii: ".") { pointAt = digits.count }
            else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { seenE = true }
            else if c >= 0x30 && c <= 0x39 { digits.append(c) }
        }
        if pointAt < 0 { pointAt = digits.count }
        exp = expNegative ? -expDigits : expDigits
        // Normalise: strip leading zeros (moving the point) and trailing zeros.
        var lead = 0
        while lead < digits.count - 1 && digits[lead] == 0x30 { lead += 1 }
        var decpt = pointAt - lead + exp // position of the decimal point relative to the first significant digit
        digits.removeFirst(lead)
        while digits.count > 1 && digits[digits.count - 1] == 0x30 { digits.removeLast() }
        if digits.first == 0x30 { decpt = 1 }
        if negative { out.append(UInt8(ascii: "-")) }
        let x = decpt - 1 // the decimal exponent of the first digit
        if x >= -4 && x < 16 {
            if decpt <= 0 {
                out.append(contentsOf: [0x30, UInt8(ascii: ".")])
                for _ in 0..<(-decpt) { out.append(0x30) }
                out.append(contentsOf: digits)
            } else if decpt >= digits.count {
                out.append(contentsOf: digits)
                for _ in 0..<(decpt - digits.count) { out.append(0x30) }
                out.append(contentsOf: [UInt8(ascii: "."), 0x30])
            } else {
                out.append(contentsOf: digits[0..<decpt])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[decpt...])
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: x < 0 ? "-" : "+"))
            let m = abs(x)
            if m < 10 { out.append(0x30) }
            appendUInt(UInt64(m), into: &out)
        }
    }

    /// IEEE half precision to Double (FLOAT16 columns).
    static func half(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let e = Int((bits >> 10) & 0x1F)
        let f = Double(bits & 0x3FF)
        if e == 0 { return sign * f * 0x1p-24 }
        if e == 31 { return f == 0 ? sign * .infinity : .nan }
        return sign * (1 + f / 1024) * Double(sign: .plus, exponent: e - 15, significand: 1)
    }

    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Binary values as a quoted base64 string (standard alphabet, padded).
    static func appendBase64(_ p: UnsafePointer<UInt8>, _ count: Int, into out: inout [UInt8]) {
        out.append(0x22)
        var i = 0
        let a = base64Alphabet
        while i + 3 <= count {
            let v = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
            out.append(a[Int(v >> 18)]); out.append(a[Int((v >> 12) & 63)]); out.append(a[Int((v >> 6) & 63)]); out.append(a[Int(v & 63)])
            i += 3
        }
        let rest = count - i
        if rest == 1 {
            let v = UInt32(p[i]) << 16
            out.append(a[Int(v >> 18)]); out.append(a[Int((v >> 12) & 63)]); out.append(0x3D); out.append(0x3D)
        } else if rest == 2 {
            let v = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8
            out.append(a[Int(v >> 18)]); out.append(a[Int((v >> 12) & 63)]); out.append(a[Int((v >> 6) & 63)]); out.append(0x3D)
        }
        out.append(0x22)
    }

    /// The civil date of a day count from 1970-01-01 (proleptic Gregorian).
    /// Wrapping arithmetic: a hostile day count far outside any calendar gives a wrong date, never a trap.
    static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days &+ 719_468
        let era = (z >= 0 ? z : z &- 146_096) / 146_097
        let doe = z &- era &* 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe &+ era &* 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (m <= 2 ? y &+ 1 : y, m, d)
    }

    private static func pad(_ v: Int64, _ width: Int, into out: inout [UInt8]) {
        var digits: [UInt8] = []
        var x = v.magnitude
        repeat { digits.append(0x30 &+ UInt8(x % 10)); x /= 10 } while x > 0
        if v < 0 { out.append(UInt8(ascii: "-")) }
        for _ in digits.count..<max(width, digits.count) { out.append(0x30) }
        out.append(contentsOf: digits.reversed())
    }

    static func appendDateBody(days: Int64, into out: inout [UInt8]) {
        let (y, m, d) = civil(days: days)
        pad(y, 4, into: &out); out.append(UInt8(ascii: "-"))
        pad(Int64(m), 2, into: &out); out.append(UInt8(ascii: "-"))
        pad(Int64(d), 2, into: &out)
    }

    /// `"YYYY-MM-DD"` (Python's `date.isoformat()`).
    static func appendDate(days: Int64, into out: inout [UInt8]) {
        out.append(0x22); appendDateBody(days: days, into: &out); out.append(0x22)
    }

    /// The time of day and its fraction, as Python prints it: `HH:MM:SS`, then `.ffffff` when there are
    /// microseconds, `.fffffffff` when there are nanoseconds below the microsecond (pandas' Timestamp).
    static func appendTimeBody(nanosOfDay: Int64, into out: inout [UInt8]) {
        let secs = nanosOfDay / 1_000_000_000
        let frac = nanosOfDay % 1_000_000_000
        pad(secs / 3600, 2, into: &out); out.append(UInt8(ascii: ":"))
        pad((secs / 60) % 60, 2, into: &out); out.append(UInt8(ascii: ":"))
        pad(secs % 60, 2, into: &out)
        if frac != 0 {
            out.append(UInt8(ascii: "."))
            if frac % 1000 == 0 { pad(frac / 1000, 6, into: &out) } else { pad(frac, 9, into: &out) }
        }
    }

    /// A timestamp as `"YYYY-MM-DDTHH:MM:SS[.ffffff][+00:00]"` from its day since the epoch and time of day.
    static func appendTimestamp(days: Int64, nanosOfDay: Int64, utc: Bool, into out: inout [UInt8]) {
        out.append(0x22)
        appendDateBody(days: days, into: &out)
        out.append(UInt8(ascii: "T"))
        appendTimeBody(nanosOfDay: nanosOfDay, into: &out)
        if utc { out.append(contentsOf: Array("+00:00".utf8)) }
        out.append(0x22)
    }

    /// A decimal from its unscaled two's-complement big-endian bytes, as Python's `str(Decimal)` writes it
    /// (a valid JSON number: `12.50`, `0.001`, `1E-10`, `1.2E+5`).
    static func appendDecimal(bigEndian p: UnsafePointer<UInt8>, _ count: Int, scale: Int, into out: inout [UInt8]) {
        guard count > 0 else { out.append(0x30); return }
        let negative = p[0] & 0x80 != 0
        // Magnitude as base-2^32 limbs, most significant first.
        var bytes = [UInt8](UnsafeBufferPointer(start: p, count: count))
        if negative { // two's complement negate
            var carry = true
            for k in stride(from: count - 1, through: 0, by: -1) {
                bytes[k] = ~bytes[k]
                if carry { let (s, o) = bytes[k].addingReportingOverflow(1); bytes[k] = s; carry = o }
            }
        }
        var limbs: [UInt32] = []
        var acc: UInt32 = 0, nbits = 0
        var rev: [UInt32] = []
        for b in bytes.reversed() {
            acc |= UInt32(b) << UInt32(nbits); nbits += 8
            if nbits == 32 { rev.append(acc); acc = 0; nbits = 0 }
        }
        if nbits > 0 { rev.append(acc) }
        limbs = rev.reversed()
        var digits: [UInt8] = []
        while limbs.contains(where: { $0 != 0 }) {
            var rem: UInt64 = 0
            for k in 0..<limbs.count {
                let cur = rem << 32 | UInt64(limbs[k])
                limbs[k] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            for _ in 0..<9 { digits.append(0x30 &+ UInt8(rem % 10)); rem /= 10 }
        }
        while digits.count > 1 && digits.last == 0x30 { digits.removeLast() }
        if digits.isEmpty { digits = [0x30] }
        digits.reverse()
        appendDecimalDigits(digits, negative: negative, scale: scale, into: &out)
    }

    static func appendDecimal(unscaled: Int64, scale: Int, into out: inout [UInt8]) {
        var digits: [UInt8] = []
        var x = unscaled.magnitude
        repeat { digits.append(0x30 &+ UInt8(x % 10)); x /= 10 } while x > 0
        digits.reverse()
        appendDecimalDigits(digits, negative: unscaled < 0, scale: scale, into: &out)
    }

    /// Python's `Decimal.__str__` for coefficient `digits` and exponent `-scale`.
    static func appendDecimalDigits(_ digits: [UInt8], negative: Bool, scale: Int, into out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        let e = -scale
        let adjusted = e + digits.count - 1
        if e <= 0 && adjusted >= -6 {
            if e == 0 { out.append(contentsOf: digits); return }
            let intLen = digits.count + e
            if intLen > 0 {
                out.append(contentsOf: digits[0..<intLen]); out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[intLen...])
            } else {
                out.append(contentsOf: [0x30, UInt8(ascii: ".")])
                for _ in 0..<(-intLen) { out.append(0x30) }
                out.append(contentsOf: digits)
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 { out.append(UInt8(ascii: ".")); out.append(contentsOf: digits[1...]) }
            out.append(UInt8(ascii: "E"))
            out.append(UInt8(ascii: adjusted < 0 ? "-" : "+"))
            appendUInt(UInt64(abs(adjusted)), into: &out)
        }
    }

    /// A 16-byte UUID as its canonical text.
    static func appendUUID(_ p: UnsafePointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        for k in 0..<16 {
            if k == 4 || k == 6 || k == 8 || k == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(p[k] >> 4)]); out.append(hex[Int(p[k] & 15)])
        }
        out.append(0x22)
    }
}
