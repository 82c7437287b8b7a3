import Curation
import Testing

/// The word-at-a-time paths (8-byte string scanning in the JSON parser, the stateless whitespace word
/// count) must agree with the byte-at-a-time definitions at every offset a special byte can sit.
@Suite struct FastPathTests {
    /// The definition the counter had before it was vectorised.
    static func referenceCount(_ text: String) -> Int {
        var n = 0
        var inWord = false
        for b in text.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
            if space { inWord = false } else if !inWord { inWord = true; n += 1 }
        }
        return n
    }

    @Test func whitespaceCountMatchesTheByteDefinition() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", " ", "\n", "\t", "\r", "\u{0B}", "\u{0C}", "é", "😀", "\u{08}", "\u{0E}", "x"]
        var texts = ["", " ", "a", " a", "a ", "  a  b  ", "\u{0B}x\u{0C}y\u{0D}", "\u{08}\u{0E}"]
        for _ in 0..<300 {
            let n = Int.random(in: 0..<80, using: &rng)
            texts.append(String((0..<n).map { _ in alphabet.randomElement(using: &rng) ?? "a" }))
        }
        let counter = WhitespaceTokenCounter()
        for t in texts { #expect(counter.countTokens(t) == Self.referenceCount(t), "\(Array(t.utf8))") }
        // A bridged, non-contiguous-looking substring goes through the same path.
        let sub = "  one two  three "[...]
        #expect(counter.countTokens(String(sub)) == 3)
    }

    @Test func longStringsWithASpecialByteAtEveryOffset() throws {
        let specials: [(String, String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("é", "é"), ("😀", "😀"),
                                            (#"\u00e9"#, "é"), ("\u{7F}", "\u{7F}"), ("~", "~")]
        for len in [15, 16, 17, 31, 32, 33, 48] {
            for at in 0...len {
                for (raw, decoded) in specials {
                    let pad = String(repeating: "a", count: at) + raw + String(repeating: "b", count: len - at)
                    let want = String(repeating: "a", count: at) + decoded + String(repeating: "b", count: len - at)
                    let v = try JSONParser.parse(#"{"k": ""# + pad + #"", "n": 1}"#)
                    #expect(v["k"]?.stringValue == want)
                    #expect(v["n"] != nil)
                    let record = try RawRecord(bytes: Array((#"{"k": ""# + pad + #"", "n": 1}"#).utf8),
                                               location: SourceLocation(file: "t", line: 1, offset: 0))
                    #expect(try record.string("k") == want)
                }
            }
        }
    }

    @Test func longStringsRejectControlAndInvalidBytesAtEveryOffset() {
        for len in [16, 17, 33] {
            for at in 0...len {
                for bad: [UInt8] in [[0x01], [0x1F], [0xFF], [0xC3]] {
                    var bytes = Array(#"{"k": ""#.utf8) + [UInt8](repeating: 0x61, count: at) + bad
                    bytes += [UInt8](repeating: 0x62, count: len - at) + Array(#""}"#.utf8)
                    #expect(throws: (any Error).self) {
                        _ = try RawRecord(bytes: bytes, location: SourceLocation(file: "t", line: 1, offset: 0))
                    }
                }
                // Unterminated after a long run of plain bytes.
                let open = Array(#"{"k": ""#.utf8) + [UInt8](repeating: 0x61, count: at + len)
                #expect(throws: (any Error).self) {
                    _ = try RawRecord(bytes: open, location: SourceLocation(file: "t", line: 1, offset: 0))
                }
            }
        }
    }
}
