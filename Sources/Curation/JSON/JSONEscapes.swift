/// The JSON string escape rules, in one place: the parser's string decoding and decontam's fast text
/// reader (which unescapes straight into its scratch buffer) both decode escapes here, so they cannot
/// disagree on a `\uXXXX`, a surrogate pair or a lone surrogate.
public enum JSONEscapes {
    /// The value of the four hex digits at `p[0..<4]`, or nil when one of them is not a hex digit.
    @inline(__always)
    public static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c &- 0x30)
            case 0x41...0x46: d = UInt32(c &- 0x41 &+ 10)
            case 0x61...0x66: d = UInt32(c &- 0x61 &+ 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Decodes the escape whose backslash is at `b[k]` (with `k + 1 < end`) and appends its UTF-8 bytes
    /// to `out`. Returns the index just past the escape, or nil when a `\u` escape is truncated or not
    /// hex. A high surrogate followed by a low one is one scalar; a lone surrogate becomes U+FFFD (it has
    /// no UTF-8 form; Swift's own decoding does the same). Any other escaped byte stands for itself
    /// (`\"`, `\\`, `\/`): callers validate escapes first (`JSONParser.skipString`) or accept that.
    @inline(__always)
    public static func decode(_ b: UnsafePointer<UInt8>, at k: Int, end: Int, into out: inout [UInt8]) -> Int? {
        let e = b[k + 1]
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            var i = k + 2
            guard i + 4 <= end, var v = hex4(b + i) else { return nil }
            i += 4
            if v >= 0xD800 && v < 0xDC00, i + 6 <= end, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
               let low = hex4(b + i + 2), low >= 0xDC00 && low < 0xE000 {
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            if v >= 0xD800 && v < 0xE000 { v = 0xFFFD }
            appendUTF8(v, to: &out)
            return i
        default: out.append(e)
        }
        return k + 2
    }

    /// Appends the UTF-8 encoding of the scalar value `v` (at most 0x10FFFF, not a surrogate).
    @inline(__always)
    public static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
