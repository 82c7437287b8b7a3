/// The four character classes the GPT-2 pre-tokenizer regex distinguishes:
/// `\p{L}` letters, `\p{N}` numbers, `\s` white space, and everything else.
///
/// Why by hand: the regex engine is the slowest part of a regex-based tokenizer; classifying UTF-8
/// bytes with a table (ASCII and the first 12K scalars) and Unicode properties beyond keeps the
/// splitter a tight loop over bytes.
@usableFromInline enum CharClass {
    @usableFromInline static let letter: UInt8 = 0
    @usableFromInline static let number: UInt8 = 1
    @usableFromInline static let space: UInt8 = 2
    @usableFromInline static let other: UInt8 = 3

    /// Classes of scalars below `tableLimit`, precomputed.
    @usableFromInline static let tableLimit = 0x3000
    /// Allocated once and never freed, so hot loops can hold a plain pointer to it (no lazy-global
    /// check per access).
    @usableFromInline static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: tableLimit)
        for v in 0..<tableLimit {
            t[v] = Unicode.Scalar(UInt32(v)).map(slowClass) ?? other
        }
        return UnsafePointer(t)
    }()

    /// The class from Unicode properties: general category L* or N*, or the White_Space property
    /// (which is what `\s` matches in the regex engines tokenizers use).
    static func slowClass(_ s: Unicode.Scalar) -> UInt8 {
        let p = s.properties
        if p.isWhitespace { return space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return letter
        case .decimalNumber, .letterNumber, .otherNumber: return number
        default: return other
        }
    }

    @inline(__always) @usableFromInline static func of(scalar v: UInt32, _ table: UnsafePointer<UInt8>) -> UInt8 {
        if v < UInt32(tableLimit) { return table[Int(v)] }
        guard let s = Unicode.Scalar(v) else { return other }
        return slowClass(s)
    }
}

/// Decodes the scalar starting at `i` in valid UTF-8 and returns its class and byte length.
/// Malformed sequences (only possible from raw byte input) count as one "other" byte each.
@inline(__always) @usableFromInline
func classify(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ table: UnsafePointer<UInt8> = CharClass.table) -> (cls: UInt8, len: Int) {
    let b0 = p[i]
    if b0 < 0x80 { return (table[Int(b0)], 1) }
    return classifyMultiByte(p, i, end, table)
}

/// The non-ASCII part of `classify`, kept out of line so the ASCII path inlines into the loops.
@inline(never) @usableFromInline
func classifyMultiByte(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ table: UnsafePointer<UInt8>) -> (cls: UInt8, len: Int) {
    let b0 = p[i]
    if b0 >= 0xC2 && b0 < 0xE0 && i + 1 < end {
        let v = (UInt32(b0 & 0x1F) << 6) | UInt32(p[i + 1] & 0x3F)
        return (CharClass.of(scalar: v, table), 2)
    }
    if b0 >= 0xE0 && b0 < 0xF0 && i + 2 < end {
        let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(p[i + 1] & 0x3F) << 6) | UInt32(p[i + 2] & 0x3F)
        return (CharClass.of(scalar: v, table), 3)
    }
    if b0 >= 0xF0 && b0 < 0xF5 && i + 3 < end {
        let v = (UInt32(b0 & 0x07) << 18) | (UInt32(p[i + 1] & 0x3F) << 12) | (UInt32(p[i + 2] & 0x3F) << 6) | UInt32(p[i + 3] & 0x3F)
        return (CharClass.of(scalar: v, table), 4)
    }
    return (CharClass.other, 1)
}
