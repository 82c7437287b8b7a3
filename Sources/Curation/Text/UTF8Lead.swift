/// Unicode's Table 3-7 (well-formed UTF-8 byte sequences) as the JSON parser and the Parquet row renderer
/// both check it: for the lead byte of a multi-byte sequence, how many continuation bytes follow and the
/// range the first of them must fall in (which rules out overlong forms, surrogates and code points past
/// U+10FFFF); the later continuation bytes are any of 0x80-0xBF.
enum UTF8Lead {
    /// nil for a byte no well-formed multi-byte sequence starts with (ASCII included: callers handle it first).
    @inline(__always)
    static func shape(_ c: UInt8) -> (need: Int, lo: UInt8, hi: UInt8)? {
        switch c {
        case 0xC2...0xDF: return (1, 0x80, 0xBF)
        case 0xE0: return (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (2, 0x80, 0xBF)
        case 0xED: return (2, 0x80, 0x9F)
        case 0xF0: return (3, 0x90, 0xBF)
        case 0xF1...0xF3: return (3, 0x80, 0xBF)
        case 0xF4: return (3, 0x80, 0x8F)
        default: return nil
        }
    }
}
