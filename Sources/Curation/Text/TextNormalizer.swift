import CXXHash
import Foundation

/// The text normalisation decontamination and dedupe share (DESIGN.md section 5; documented in the
/// README): Unicode-aware lowercase; punctuation and symbol characters become spaces; whitespace
/// collapses; text splits into word tokens. Scripts written without spaces (Han, Hiragana, Katakana,
/// Thai, Lao, Khmer, Myanmar) give one token per character. Options fold digits to `0` and strip
/// diacritics (combining marks after canonical decomposition).
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

    /// Calls `body` with each normalised token's UTF-8 bytes, in order. No allocation per token.
    public func forEachToken(_ text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(64)
        func flush() {
            if !word.isEmpty { word.withUnsafeBytes(body); word.removeAll(keepingCapacity: true) }
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                // ASCII fast path.
                let b = UInt8(v)
                switch b {
                case 0x41...0x5A: word.append(b + 0x20)
                case 0x61...0x7A: word.append(b)
                case 0x30...0x39: word.append(foldDigits ? 0x30 : b)
                default: flush() // whitespace, punctuation, symbols, controls
                }
                continue
            }
            appendNonASCII(scalar, into: &word, flush: flush, emitSingle: { bytes in
                flush(); bytes.withUnsafeBytes(body)
            })
        }
        flush()
    }

    /// The normalised tokens as strings (convenient, slower than `forEachToken`).
    public func tokens(_ text: String) -> [String] {
        var out: [String] = []
        forEachToken(text) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    /// The normalised text: tokens joined by single spaces.
    public func normalize(_ text: String) -> String { tokens(text).joined(separator: " ") }

    /// XXH3-64 of the normalised text, for exact dedupe across sources.
    public func contentHash(_ text: String) -> UInt64 {
        let state = XXH3_createState()
        defer { XXH3_freeState(state) }
        XXH3_64bits_reset(state)
        var first = true
        var space: UInt8 = 0x20
        forEachToken(text) { tok in
            if !first { XXH3_64bits_update(state, &space, 1) }
            first = false
            XXH3_64bits_update(state, tok.baseAddress, tok.count)
        }
        return XXH3_64bits_digest(state)
    }

    @inline(never)
    private func appendNonASCII(_ scalar: Unicode.Scalar, into word: inout [UInt8], flush: () -> Void,
                                emitSingle: ([UInt8]) -> Void) {
        let p = scalar.properties
        if p.isWhitespace { flush(); return }
        switch p.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
             .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            flush(); return
        case .nonspacingMark, .spacingMark, .enclosingMark:
            if stripDiacritics { return }
        case .decimalNumber:
            if foldDigits { word.append(0x30); return }
        default: break
        }
        if TextNormalizer.isUnspacedScript(scalar.value) {
            var bytes: [UInt8] = []
            for s in p.lowercaseMapping.unicodeScalars { bytes.append(contentsOf: UTF8.encode(s)) }
            emitSingle(bytes)
            return
        }
        if stripDiacritics {
            // Canonical decomposition (é -> e + U+0301), then the marks are dropped.
            for s in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars where !s.properties.generalCategory.isMark {
                for l in s.properties.lowercaseMapping.unicodeScalars { word.append(contentsOf: UTF8.encode(l)) }
            }
            return
        }
        for l in p.lowercaseMapping.unicodeScalars { word.append(contentsOf: UTF8.encode(l)) }
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
}

private extension Unicode.GeneralCategory {
    var isMark: Bool { self == .nonspacingMark || self == .spacingMark || self == .enclosingMark }
}

private extension UTF8 {
    static func encode(_ s: Unicode.Scalar) -> [UInt8] { Array(String(s).utf8) }
}
