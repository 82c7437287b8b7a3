import Curation
import Foundation
import Testing

/// The byte-level normaliser against the straightforward per-scalar rules it replaced (kept here as the
/// reference), on hand-picked and random text, under every setting.
@Suite struct TextNormalizerTests {
    /// The reference: iterate Unicode scalars, apply the rules with Unicode properties.
    static func reference(_ text: String, fold: Bool, strip: Bool) -> [String] {
        var out: [String] = []
        var word = ""
        func flush() { if !word.isEmpty { out.append(word); word = "" } }
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x80 {
                switch v {
                case 0x41...0x5A: word.unicodeScalars.append(Unicode.Scalar(v + 0x20)!)
                case 0x61...0x7A: word.unicodeScalars.append(s)
                case 0x30...0x39: word += fold ? "0" : String(s)
                default: flush()
                }
                continue
            }
            let p = s.properties
            if p.isWhitespace { flush(); continue }
            switch p.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                 .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                flush(); continue
            case .nonspacingMark, .spacingMark, .enclosingMark:
                if strip { continue }
            case .decimalNumber:
                if fold { word += "0"; continue }
            default: break
            }
            let unspaced: Bool = {
                switch v {
                case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                     0xF900...0xFAFF, 0x20000...0x2FA1F, 0x31F0...0x31FF, 0xFF66...0xFF9D: return true
                default: return false
                }
            }()
            if unspaced { flush(); out.append(p.lowercaseMapping); continue }
            if strip {
                for d in String(s).decomposedStringWithCanonicalMapping.unicodeScalars {
                    let c = d.properties.generalCategory
                    if c == .nonspacingMark || c == .spacingMark || c == .enclosingMark { continue }
                    word += d.properties.lowercaseMapping
                }
                continue
            }
            word += p.lowercaseMapping
        }
        flush()
        return out
    }

    static let samples = [
        "Hello, World! It's 2024 — naïve café; ÉCOLE Straße İstanbul ǅemal",
        "我爱北京天安门。東京は日本の首都です、カタカナ ひらがな",
        "ما هو مجموع الأعداد الأولية؟ ١٢٣ ٤٥",
        "ภาษาไทย ไม่มีช่องว่าง", "한국어는 띄어쓰기를 합니다", "Ωmega ΣΊΣΥΦΟΣ Привет МИР",
        "e\u{301}te\u{301} cafe\u{0301} 𝐀𝐁𝐂 𝟙𝟚𝟛 😀 emoji_snake-case x²+y³ ½ Ⅻ",
        "tabs\tand\nnewlines\r\n  spaces", "", "   ", "a", "ﬁ ﬂ ß ẞ",
    ]

    @Test func matchesReferenceOnSamples() {
        for fold in [false, true] {
            for strip in [false, true] {
                let n = TextNormalizer(foldDigits: fold, stripDiacritics: strip)
                for s in Self.samples {
                    #expect(n.tokens(s) == Self.reference(s, fold: fold, strip: strip), "\(s) fold=\(fold) strip=\(strip)")
                }
            }
        }
    }

    @Test func matchesReferenceOnRandomText() {
        var seed: UInt64 = 12345
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x24F, 0x300...0x36F, 0x370...0x52F, 0x600...0x6FF, 0x900...0x97F,
                                             0xE00...0xE7F, 0x1E00...0x1FFF, 0x2000...0x206F, 0x3000...0x30FF, 0x4E00...0x4EFF,
                                             0xAC00...0xAC80, 0xFF00...0xFFEF, 0x1D400...0x1D7FF, 0x1F600...0x1F64F]
        for fold in [false, true] {
            for strip in [false, true] {
                let n = TextNormalizer(foldDigits: fold, stripDiacritics: strip)
                for _ in 0..<300 {
                    var s = ""
                    for _ in 0..<Int(next() % 40) {
                        let r = ranges[Int(next() % UInt64(ranges.count))]
                        if let u = Unicode.Scalar(r.lowerBound + UInt32(next() % UInt64(r.count))) { s.unicodeScalars.append(u) }
                    }
                    #expect(n.tokens(s) == Self.reference(s, fold: fold, strip: strip), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
                }
            }
        }
    }

    /// The reference's tokens with their source byte ranges: a word runs from its first scalar to the
    /// scalar that ends it (a separator, a single-character token, or the end of the text).
    static func referenceSpans(_ text: String, fold: Bool, strip: Bool) -> [(String, Int, Int)] {
        var out: [(String, Int, Int)] = []
        var offset = 0, start = -1
        var word = ""
        for s in text.unicodeScalars {
            let len = String(s).utf8.count
            let t = reference(String(s), fold: fold, strip: strip)
            let isSingle = t.count == 1 && reference("a" + String(s), fold: fold, strip: strip).count == 2 && !String(s).unicodeScalars.allSatisfy { $0.value < 0x80 }
            let skips = t.isEmpty && !(reference("a" + String(s) + "b", fold: fold, strip: strip).count == 2)
            if t.isEmpty && !skips || isSingle {
                if start >= 0 { out.append((word, start, offset)); word = ""; start = -1 }
                if isSingle { out.append((t[0], offset, offset + len)) }
            } else if !t.isEmpty {
                if start < 0 { start = offset }
                word += t[0]
            }
            offset += len
        }
        if start >= 0 { out.append((word, start, offset)) }
        return out
    }

    /// Long, mostly-ASCII text (what the 64-byte block path takes) with words across block edges, words
    /// longer than a block, and some non-ASCII scalars: the same tokens and source offsets as the reference.
    @Test func longMostlyASCIITextMatchesReference() {
        var seed: UInt64 = 987654321
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let ascii = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:!?'\"()[]{}-_/@#\n\t~`^|")
        let rare: [String] = ["é", "É", "中", "—", "😀", "\u{301}", "ß", "İ", "٣", "\u{7F}", "\u{0}"]
        for fold in [false, true] {
            for strip in [false, true] {
                let n = TextNormalizer(foldDigits: fold, stripDiacritics: strip)
                for round in 0..<200 {
                    var s = ""
                    let length = Int(next() % 700)
                    while s.utf8.count < length {
                        switch next() % 100 {
                        case 0..<2: s += rare[Int(next() % UInt64(rare.count))]
                        case 2..<4: s += String(repeating: "Ab9", count: Int(next() % 50)) // long words
                        case 4..<30: s += " "
                        default: s.append(ascii[Int(next() % UInt64(ascii.count))])
                        }
                    }
                    let buf = TokenBuffer(capacity: 16)
                    buf.removeAll()
                    n.append(s, to: buf, sourceBase: round)
                    let got = (0..<buf.tokenCount).map {
                        (String(decoding: buf.token($0), as: UTF8.self), Int(buf.sourceStarts[$0]) - round, Int(buf.sourceEnds[$0]) - round)
                    }
                    let want = Self.referenceSpans(s, fold: fold, strip: strip)
                    #expect(got.map(\.0) == want.map(\.0), "fold=\(fold) strip=\(strip) \(s.debugDescription)")
                    #expect(got.map(\.1) == want.map(\.1) && got.map(\.2) == want.map(\.2), "offsets, fold=\(fold) strip=\(strip) \(s.debugDescription)")
                }
            }
        }
    }

    @Test func documentedBehaviour() {
        let n = TextNormalizer()
        #expect(n.tokens("Héllo, WORLD! don't") == ["héllo", "world", "don", "t"])
        #expect(TextNormalizer(stripDiacritics: true).tokens("Héllo Ça") == ["hello", "ca"])
        #expect(TextNormalizer(foldDigits: true).tokens("x2024 ٣") == ["x0000", "0"])
        #expect(n.tokens("我爱北京") == ["我", "爱", "北", "京"])
        #expect(n.tokens("مرحبا، بالعالم") == ["مرحبا", "بالعالم"])
        #expect(n.normalize("  A\tb—C  ") == "a b c")
        #expect(n.contentHash("Hello,   world") == n.contentHash("hello world") && n.contentHash("hello world") == XXH3.hash64("hello world"))
        #expect(n.settingsKey == "lower,punct-to-space,ws-collapse,cjk-chars")
    }

    @Test func bufferAppendsAndTracksSources() {
        let buf = TokenBuffer(capacity: 8)
        let n = TextNormalizer()
        n.append("Ab, cd", to: buf)
        n.append("EF", to: buf, sourceBase: 100)
        #expect(String(decoding: buf.text, as: UTF8.self) == "ab cd ef")
        #expect(buf.tokenCount == 3)
        #expect((0..<3).map { Int(buf.sourceStarts[$0]) } == [0, 4, 100])
        #expect((0..<3).map { Int(buf.sourceEnds[$0]) } == [2, 6, 102])
        #expect(String(decoding: buf.span(1, 2), as: UTF8.self) == "cd ef")
        // Growth keeps content.
        n.append(String(repeating: "word ", count: 1000), to: buf)
        #expect(buf.tokenCount == 1003 && String(decoding: buf.token(1002), as: UTF8.self) == "word")
    }
}
