import CXXHash
import Foundation

/// The text normalisation decontamination and dedupe share (DESIGN.md section 5; documented in the
/// README): Unicode-aware lowercase; punctuation and symbol characters become spaces; whitespace
/// collapses; text splits into word tokens. Scripts written without spaces (Han, Hiragana, Katakana,
/// Thai, Lao, Khmer, Myanmar) give one token per character. Options fold digits to `0` and strip
/// diacritics (combining marks after canonical decomposition).
///
/// Speed: the work is done over UTF-8 bytes. Blocks of 64 plain-ASCII bytes are classified eight bytes
/// at a time in a machine word and copied word by word (`ASCIIWords`); other ASCII goes through a byte
/// table; every other scalar of the Basic Multilingual Plane through a table built once per setting
/// (what the Unicode property rules give for it, packed into 8 bytes); only scalars outside the BMP, or
/// whose lowercase form is longer than 6 bytes, take the per-scalar property path. Nothing is allocated
/// per token.
public struct TextNormalizer: Sendable, Hashable, Codable {
    public var foldDigits: Bool
    public var stripDiacritics: Bool

    public init(foldDigits: Bool = false, stripDiacritics: Bool = false) {
        self.foldDigits = foldDigits
        self.stripDiacritics = stripDiacritics
    }

    /// A short description stored with indexes, so a scan can refuse an index made with other settings.
    public var settingsKey: String {
        "lower,punct-to-space,ws-collapse,cjk-chars" + (foldDigits ? ",digits-to-0" : "") + (stripDiacritics ? ",strip-diacritics" : "")
    }

    // MARK: - Public API

    /// Calls `body` with each normalised token's UTF-8 bytes, in order. No allocation per token.
    public func forEachToken(_ text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        let buf = TokenBuffer(capacity: text.utf8.count * 2 + 16)
        append(text, to: buf)
        for i in 0..<buf.tokenCount { body(buf.token(i)) }
    }

    /// The normalised tokens as strings (convenient, slower than `forEachToken`).
    public func tokens(_ text: String) -> [String] {
        var out: [String] = []
        forEachToken(text) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    /// The normalised text: tokens joined by single spaces.
    public func normalize(_ text: String) -> String {
        let buf = TokenBuffer(capacity: text.utf8.count * 2 + 16)
        append(text, to: buf)
        return String(decoding: buf.text, as: UTF8.self)
    }

    /// XXH3-64 of the normalised text (tokens joined by single spaces), for exact dedupe across sources.
    public func contentHash(_ text: String) -> UInt64 {
        let buf = TokenBuffer(capacity: text.utf8.count * 2 + 16)
        append(text, to: buf)
        return XXH3_64bits(buf.bytes, buf.count)
    }

    /// Appends the tokens of `text` to `buffer` (a new token always starts: words never continue
    /// across calls).
    public func append(_ text: String, to buffer: TokenBuffer, sourceBase: Int = 0) {
        var text = text
        text.withUTF8 { append(utf8: UnsafeRawBufferPointer($0), to: buffer, sourceBase: sourceBase) }
    }

    /// Appends the tokens of the UTF-8 bytes `src` to `buffer`. Token source offsets are recorded as
    /// `sourceBase` + byte offset in `src`. Invalid UTF-8 bytes act as separators.
    public func append(utf8 src: UnsafeRawBufferPointer, to buffer: TokenBuffer, sourceBase: Int = 0) {
        guard let sp = src.baseAddress?.assumingMemoryBound(to: UInt8.self), src.count > 0 else { return }
        let n = src.count
        buffer.reserve(moreBytes: 4 * n + 64, moreTokens: n + 1)
        var out = buffer.bytes
        let starts = buffer.starts, srcStarts = buffer.sourceStarts, srcEnds = buffer.sourceEnds
        var o = buffer.count
        var t = buffer.tokenCount
        var inWord = false
        let ascii = foldDigits ? TextNormalizer.asciiFold : TextNormalizer.asciiPlain
        var bmp: UnsafePointer<UInt64>? = nil
        var i = 0

        @inline(__always) func beginToken(_ at: Int) {
            if o > 0 && t > 0 { out[o] = 0x20; o += 1 }
            starts[t] = Int32(truncatingIfNeeded: o)
            srcStarts[t] = Int32(truncatingIfNeeded: sourceBase + at)
            t += 1
            inWord = true
        }
        @inline(__always) func endToken(_ at: Int) {
            if inWord { srcEnds[t - 1] = Int32(truncatingIfNeeded: sourceBase + at); inWord = false }
        }
        @inline(__always) func emitPacked(_ e: UInt64) {
            UnsafeMutableRawPointer(out + o).storeBytes(of: e >> 16, as: UInt64.self)
            o += Int((e >> 8) & 0xFF)
        }

        // Plain-ASCII text goes through `asciiBlock` 64 bytes at a time; after a block that is not all
        // ASCII, the byte loop below takes the next 64 bytes.
        // Texts shorter than a block never take it and allocate nothing.
        var blockFrom = 0
        let lowered: UnsafeMutableRawPointer? = n >= 64 ? .allocate(byteCount: 64 + 16, alignment: 16) : nil
        defer { lowered?.deallocate() }

        /// One block of 64 bytes at `i`, if all are ASCII: classifies them eight at a time in a `UInt64`
        /// (a bit per byte: is it a word byte), writes their output bytes to `lowered`, then walks the
        /// words with trailing-zero counts, copying each one in 16-byte moves. Does per word what the byte
        /// loop does per byte, with no branch on each byte's class. False (and nothing done) otherwise.
        @inline(__always) func asciiBlock() -> Bool {
            guard let lowered else { return false }
            let p = UnsafeRawPointer(sp + i)
            var any: UInt64 = 0
            for k in 0..<8 { any |= p.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self) }
            guard any & SWAR.high == 0 else { return false }
            var words: UInt64 = 0
            for k in 0..<8 {
                let x = p.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)
                let (word, out8) = ASCIIWords.classify(x, foldDigits: foldDigits)
                lowered.storeBytes(of: out8, toByteOffset: 8 * k, as: UInt64.self)
                words |= ASCIIWords.gatherHighBits(word) << UInt64(8 * k)
            }
            var pos = 0
            while true {
                if inWord {
                    let rest = ~words >> UInt64(pos)
                    let end = rest == 0 ? 64 : pos + rest.trailingZeroBitCount
                    var k = pos
                    while k < end {
                        let chunk = lowered.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self)
                        UnsafeMutableRawPointer(out + o + (k - pos)).storeBytes(of: chunk, as: SIMD16<UInt8>.self)
                        k += 16
                    }
                    o += end - pos
                    if end == 64 { break } // the word goes on in the next block
                    endToken(i + end)
                    pos = end
                }
                let rest = words >> UInt64(pos)
                if rest == 0 { break }
                pos += rest.trailingZeroBitCount
                beginToken(i + pos)
            }
            return true
        }

        while i < n {
            if i >= blockFrom, i + 64 <= n {
                if asciiBlock() { i += 64; continue }
                blockFrom = i + 64
            }
            let b = sp[i]
            if b < 0x80 {
                let c = ascii[Int(b)]
                if c == 0 {
                    // A run of ASCII separators.
                    endToken(i)
                    i += 1
                    while i < n, ascii[Int(sp[i])] == 0 { i += 1 }
                } else {
                    // A run of ASCII word characters: the common case, kept to a load, a table
                    // lookup, a test and a store per byte.
                    if !inWord { beginToken(i) }
                    out[o] = c; o += 1
                    i += 1
                    while i < n {
                        let w = ascii[Int(sp[i])]
                        if w == 0 || w == TextNormalizer.nonASCII { break }
                        out[o] = w; o += 1
                        i += 1
                    }
                }
                continue
            }
            // Decode one scalar.
            var v: UInt32 = 0
            var len = 0
            if b >= 0xC2 && b <= 0xDF, i + 1 < n, sp[i + 1] & 0xC0 == 0x80 {
                v = UInt32(b & 0x1F) << 6 | UInt32(sp[i + 1] & 0x3F); len = 2
            } else if b >= 0xE0 && b <= 0xEF, i + 2 < n, sp[i + 1] & 0xC0 == 0x80, sp[i + 2] & 0xC0 == 0x80 {
                v = UInt32(b & 0x0F) << 12 | UInt32(sp[i + 1] & 0x3F) << 6 | UInt32(sp[i + 2] & 0x3F); len = 3
                if v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) { len = 0 }
            } else if b >= 0xF0 && b <= 0xF4, i + 3 < n, sp[i + 1] & 0xC0 == 0x80, sp[i + 2] & 0xC0 == 0x80, sp[i + 3] & 0xC0 == 0x80 {
                v = UInt32(b & 0x07) << 18 | UInt32(sp[i + 1] & 0x3F) << 12 | UInt32(sp[i + 2] & 0x3F) << 6 | UInt32(sp[i + 3] & 0x3F)
                len = 4
                if v < 0x10000 || v > 0x10FFFF { len = 0 }
            }
            if len == 0 { endToken(i); i += 1; continue } // invalid byte: a separator
            var entry: UInt64
            if v <= 0xFFFF {
                if bmp == nil { bmp = TextNormalizer.bmpTable(foldDigits: foldDigits, stripDiacritics: stripDiacritics) }
                entry = bmp.unsafelyUnwrapped[Int(v)]
            } else {
                entry = TextNormalizer.slowKind
            }
            if entry & 0xFF == TextNormalizer.slowKind {
                guard let scalar = Unicode.Scalar(v) else { endToken(i); i += len; continue }
                let action = classify(scalar)
                entry = action.packed ?? TextNormalizer.slowKind
                if action.kind == .append || action.kind == .single, action.packed == nil {
                    // Longer than a packed entry: write the bytes one by one.
                    if action.kind == .single { endToken(i) }
                    if !inWord { beginToken(i) }
                    buffer.count = o
                    buffer.reserve(moreBytes: action.bytes.count + 4 * (n - i) + 64, moreTokens: 0)
                    out = buffer.bytes
                    for x in action.bytes { out[o] = x; o += 1 }
                    if action.kind == .single { endToken(i + len) }
                    i += len
                    continue
                }
            }
            switch UInt8(truncatingIfNeeded: entry) {
            case TextNormalizer.kindSeparator: endToken(i)
            case TextNormalizer.kindSkip: break
            case TextNormalizer.kindAppend:
                if !inWord { beginToken(i) }
                emitPacked(entry)
            default: // single-character token
                endToken(i)
                beginToken(i)
                emitPacked(entry)
                endToken(i + len)
            }
            i += len
        }
        endToken(n)
        buffer.count = o
        buffer.tokenCount = t
    }

    // MARK: - Per-scalar rules

    enum Kind: UInt8 { case separator = 0, skip = 1, append = 2, single = 3 }

    /// What the rules do with one non-ASCII scalar: the reference every table entry is built from.
    struct Action {
        var kind: Kind
        var bytes: [UInt8] = []
        /// Kind in byte 0, length in byte 1, up to 6 output bytes in bytes 2...7; nil when longer.
        var packed: UInt64? {
            guard bytes.count <= 6 else { return nil }
            var e = UInt64(kind.rawValue) | UInt64(bytes.count) << 8
            for (k, b) in bytes.enumerated() { e |= UInt64(b) << (16 + 8 * UInt64(k)) }
            return e
        }
    }

    func classify(_ scalar: Unicode.Scalar) -> Action {
        let p = scalar.properties
        if p.isWhitespace { return Action(kind: .separator) }
        switch p.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
             .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return Action(kind: .separator)
        case .nonspacingMark, .spacingMark, .enclosingMark:
            if stripDiacritics { return Action(kind: .skip) }
        case .decimalNumber:
            if foldDigits { return Action(kind: .append, bytes: [0x30]) }
        default: break
        }
        var bytes: [UInt8] = []
        func lower(_ s: Unicode.Scalar) {
            if s.properties.changesWhenLowercased {
                for l in s.properties.lowercaseMapping.unicodeScalars { bytes.append(contentsOf: String(l).utf8) }
            } else {
                bytes.append(contentsOf: String(s).utf8)
            }
        }
        if TextNormalizer.isUnspacedScript(scalar.value) {
            lower(scalar)
            return Action(kind: .single, bytes: bytes)
        }
        if stripDiacritics {
            // Canonical decomposition (é -> e + U+0301), then the marks are dropped.
            for s in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars where !s.properties.generalCategory.isMark {
                lower(s)
            }
            return Action(kind: .append, bytes: bytes)
        }
        lower(scalar)
        return Action(kind: .append, bytes: bytes)
    }

    /// Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar.
    /// (Korean Hangul is written with spaces and stays word-based.)
    static func isUnspacedScript(_ v: UInt32) -> Bool {
        switch v {
        case 0x0E00...0x0EFF, // Thai, Lao
             0x1000...0x109F, // Myanmar
             0x1780...0x17FF, // Khmer
             0x3040...0x30FF, // Hiragana, Katakana
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, // CJK ideographs
             0x20000...0x2FA1F,
             0x31F0...0x31FF, 0xFF66...0xFF9D: // Katakana extensions, half-width
            return true
        default:
            return false
        }
    }

    // MARK: - Tables

    static let kindSeparator = Kind.separator.rawValue
    static let kindSkip = Kind.skip.rawValue
    static let kindAppend = Kind.append.rawValue
    /// Marks an entry that must go through `classify` (not packable, or outside the BMP).
    static let slowKind: UInt64 = 0xFF

    /// ASCII: 0 for a separator, else the output byte (letters lowercased, digits kept or folded);
    /// `nonASCII` for bytes 0x80...0xFF.
    static let asciiPlain: UnsafePointer<UInt8> = makeASCII(fold: false)
    static let asciiFold: UnsafePointer<UInt8> = makeASCII(fold: true)

    /// The table's entry for a byte at or above 0x80 (no ASCII output byte has its high bit set).
    static let nonASCII: UInt8 = 0x80

    /// 256 entries, so the word loop can look a byte up before knowing whether it is ASCII.
    private static func makeASCII(fold: Bool) -> UnsafePointer<UInt8> {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            switch b {
            case 0x80...: t[b] = nonASCII
            case 0x41...0x5A: t[b] = UInt8(b + 0x20)
            case 0x61...0x7A: t[b] = UInt8(b)
            case 0x30...0x39: t[b] = fold ? 0x30 : UInt8(b)
            default: t[b] = 0
            }
        }
        return UnsafePointer(t)
    }

    private static let bmp00 = makeBMP(TextNormalizer(foldDigits: false, stripDiacritics: false))
    private static let bmp10 = makeBMP(TextNormalizer(foldDigits: true, stripDiacritics: false))
    private static let bmp01 = makeBMP(TextNormalizer(foldDigits: false, stripDiacritics: true))
    private static let bmp11 = makeBMP(TextNormalizer(foldDigits: true, stripDiacritics: true))

    /// The packed action of every BMP scalar under one setting (built on first use; 512 KB).
    static func bmpTable(foldDigits: Bool, stripDiacritics: Bool) -> UnsafePointer<UInt64> {
        switch (foldDigits, stripDiacritics) {
        case (false, false): return bmp00
        case (true, false): return bmp10
        case (false, true): return bmp01
        case (true, true): return bmp11
        }
    }

    private static func makeBMP(_ n: TextNormalizer) -> UnsafePointer<UInt64> {
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 0x10000)
        for v in 0..<0x10000 {
            guard v >= 0x80, let s = Unicode.Scalar(UInt32(v)) else { t[v] = UInt64(kindSeparator); continue }
            t[v] = n.classify(s).packed ?? slowKind
        }
        return UnsafePointer(t)
    }
}

private extension Unicode.GeneralCategory {
    var isMark: Bool { self == .nonspacingMark || self == .spacingMark || self == .enclosingMark }
}

/// Word tests on eight ASCII bytes at once in a `UInt64` (SWAR). Each test leaves 0x80 in the bytes
/// it holds for and 0 elsewhere. Exact for bytes below 0x80: adding up to 0x7F to such a byte never
/// carries into the next one.
/// The byte tests themselves are `SWAR`'s.
enum ASCIIWords {
    /// (word bytes, output bytes): letters and digits are word bytes; in the output, letters are
    /// lowercased and, with `foldDigits`, digits are `0` (the ASCII table's rules; other bytes are left
    /// as they are and never copied).
    @inline(__always) static func classify(_ x: UInt64, foldDigits: Bool) -> (UInt64, UInt64) {
        let folded = x | (0x20 &* SWAR.ones) // A-Z onto a-z; no other byte lands in a-z
        let letter = SWAR.atLeast(folded, 0x61) & SWAR.below(folded, 0x7B)
        let digit = SWAR.atLeast(x, 0x30) & SWAR.below(x, 0x3A)
        var out = x | (letter >> 2) // 0x80 >> 2 is the case bit 0x20
        if foldDigits { out &= ~((digit >> 7) &* 0x0F) }
        return (letter | digit, out)
    }

    /// The high bits of the eight bytes as an 8-bit mask, byte k to bit k (one multiply gathers them;
    /// the partial products never overlap, so nothing carries).
    @inline(__always) static func gatherHighBits(_ m: UInt64) -> UInt64 { ((m >> 7) &* 0x0102_0408_1020_4080) >> 56 }
}
