import Curation
import Decontam
import Foundation
import Testing

/// The rule at its edges: thresholds, --any, short instances, boilerplate, Unicode.
@Suite struct RuleTests {
    /// An eval instance of 17 distinct tokens has exactly 10 distinct 8-grams; a train record holding its
    /// first k + 7 tokens holds exactly k of them.
    static let instance = words(17)
    static func holding(_ k: Int) -> String { "intro words here " + words(k + 7) + " and some tail text" }

    func flagged(threshold: Double, k: Int, any: Bool = false) throws -> [JSONObject] {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.instance])])
        return try scan(dir, index: index, records: [chat("r", Self.holding(k))]) { $0.threshold = threshold; $0.any = any }.1
    }

    @Test func thresholdEdges() throws {
        #expect(try flagged(threshold: 0.5, k: 4).isEmpty)          // 0.4: just below
        let at = try flagged(threshold: 0.5, k: 5)                 // 0.5: at
        #expect(at.count == 1 && at.first?["overlap"]?.doubleValue == 0.5 && at.first?["eval_id"]?.stringValue == "ev-0")
        #expect(try flagged(threshold: 0.5, k: 6).first?["overlap"]?.doubleValue == 0.6) // just above
        #expect(try flagged(threshold: 0.6, k: 5).isEmpty)
        #expect(try flagged(threshold: 0.6, k: 6).count == 1)
        #expect(try flagged(threshold: 0.3, k: 3).count == 1)      // 3/10 is exactly at 0.3
        #expect(try flagged(threshold: 1.0, k: 9).isEmpty)
        #expect(try flagged(threshold: 1.0, k: 10).count == 1)
    }

    @Test func anySharedNGram() throws {
        #expect(try flagged(threshold: 0.5, k: 1).isEmpty)
        let one = try flagged(threshold: 0.5, k: 1, any: true)
        #expect(one.count == 1 && one.first?["overlap"]?.doubleValue == 0.1)
        #expect(try flagged(threshold: 0.5, k: 0, any: true).isEmpty) // 7 tokens: no whole 8-gram
    }

    @Test func repeatedNGramsCountOnce() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.instance])])
        let twice = Self.holding(4) + " " + Self.holding(4)
        #expect(try scan(dir, index: index, records: [chat("r", twice)]).1.isEmpty)
    }

    @Test func nothingFlaggedOnCleanText() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.instance, words(30, from: 100)])])
        let records = (0..<50).map { chat("c\($0)", words(40, from: 1000 + $0 * 50), words(20, from: 5000)) }
        let (report, matches) = try scan(dir, index: index, records: records) { $0.any = true }
        #expect(matches.isEmpty && report.summary.contaminated == 0 && report.stage.recordsOut == 50)
    }

    @Test func shortInstances() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("math", ["Evaluate $\\log_2 64$.", words(20, from: 300)])])
        let (_, m) = try scan(dir, index: index, records: [
            chat("hit", "Please EVALUATE log_2(64) quickly"),
            chat("miss", "evaluate the log 2 64"),
            chat("alone", "evaluate log 2 64"),
            chat("split", "evaluate log 2 640"),
        ])
        #expect(m.map { $0["id"]?.stringValue ?? "" } == ["hit", "alone"])
        #expect(m.allSatisfy { $0["eval_id"]?.stringValue == "math-0" && $0["overlap"]?.doubleValue == 1.0 })
    }

    /// Short instances whose first token is non-ASCII or shares its first byte and length with other
    /// words: the byte-and-length prefilter in front of the hash must neither miss nor invent a match.
    @Test func shortInstancePrefilter() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", ["Évaluez la somme", "数学题 答案", "Evaluate 2+2", words(20, from: 300)])])
        #expect(try EvalIndexStore.load(path: index).hasShortInstancePrefilter)
        let (_, m) = try scan(dir, index: index, records: [
            chat("accent", "Alors: ÉVALUEZ la somme, vite"),
            chat("cjk", "题目 数学题答案"),                 // unspaced script: one token per character
            chat("ascii", "please evaluate 2 + 2 now"),
            chat("sameShape", "evaluatf 2 2 and evaluez la somm"), // same first byte and length, other words
        ])
        #expect(m.map { $0["id"]?.stringValue ?? "" } == ["accent", "cjk", "ascii"])
        #expect(m.allSatisfy { $0["overlap"]?.doubleValue == 1.0 })
    }

    @Test func boilerplateSuppression() throws {
        let dir = tempDir()
        let preamble = words(12, from: 900, prefix: "p")
        let index = try buildIndex(dir, [("ev", (0..<3).map { preamble + " " + words(10, from: $0 * 100) })])
        let records = [chat("pre", "x " + preamble + " y"), chat("body", words(10, from: 100))]
        // Without suppression the shared preamble matches all three instances under --any.
        let (_, all) = try scan(dir, index: index, records: records) { $0.any = true }
        #expect(Set(all.filter { $0["id"]?.stringValue == "pre" }.compactMap { $0["eval_id"]?.stringValue }) == ["ev-0", "ev-1", "ev-2"])
        // With --max-eval-frequency 1 the preamble's n-grams are boilerplate: only the body record matches.
        let (report, some) = try scan(dir, index: index, records: records, configure: { $0.any = true }, maxEvalFrequency: 1)
        #expect(some.allSatisfy { $0["id"]?.stringValue == "body" } && !some.isEmpty)
        #expect(report.stage.warnings.contains { $0.contains("boilerplate") })
        // The instance's denominator no longer counts the boilerplate: body record holds all of ev-1's own n-grams it can.
        let idx = try EvalIndexStore.load(path: index, maxEvalFrequency: 1)
        #expect(idx.boilerplateNGrams > 0)
        #expect(idx.instanceNGrams.allSatisfy { $0 < 15 })
    }

    @Test func unicodeText() throws {
        let dir = tempDir()
        let fr = "Quelle est la durée moyenne d'un trajet en métro à Montréal pendant l'hiver très froid?"
        let zh = "小明有三个苹果和五个橙子他一共有多少个水果呢"
        let ar = "ما هو مجموع الأعداد الأولية الأصغر من عشرين في هذا السؤال الرياضي البسيط جدا"
        let index = try buildIndex(dir, [("multi", [fr, zh, ar])])
        let (_, m) = try scan(dir, index: index, records: [
            chat("fr", "QUELLE EST LA DURÉE MOYENNE D’UN TRAJET EN MÉTRO À MONTRÉAL PENDANT L’HIVER TRÈS FROID !!"),
            chat("fr-noaccent", "Quelle est la duree moyenne d'un trajet en metro a Montreal pendant l'hiver tres froid?"),
            chat("zh", "问题：小明有三个苹果，和五个橙子。他一共有多少个水果呢？"),
            chat("ar", "سؤال: ما هو مجموع الأعداد الأولية، الأصغر من عشرين في هذا السؤال الرياضي البسيط جدا؟"),
        ])
        #expect(Set(m.compactMap { $0["id"]?.stringValue }) == ["fr", "zh", "ar"])
        #expect(m.first { $0["id"]?.stringValue == "zh" }?["eval_id"]?.stringValue == "multi-1")
        // With diacritics stripped, the unaccented copy matches too.
        let dir2 = tempDir()
        let index2 = try buildIndex(dir2, [("multi", [fr])], settings: NGramSettings(n: 8, normalizer: TextNormalizer(stripDiacritics: true)))
        let (_, m2) = try scan(dir2, index: index2, records: [chat("fr-noaccent", "Quelle est la duree moyenne d'un trajet en metro a Montreal pendant l'hiver tres froid?")])
        #expect(m2.count == 1)
    }

    @Test func preferenceAndFieldsOverride() throws {
        let dir = tempDir()
        let index = try buildIndex(dir, [("ev", [Self.instance])])
        let pref = JSONObject(["id": .string("p"), "prompt": .string(Self.instance), "chosen": .string("a"), "rejected": .string("b")])
        let other = JSONObject(["id": .string("o"), "body": .string(Self.instance), "text": .string("nothing here")])
        let (_, m) = try scan(dir, index: index, records: [pref, other])
        #expect(m.compactMap { $0["id"]?.stringValue } == ["p"])
        let (_, m2) = try scan(dir, index: index, records: [pref, other]) { $0.fields = ["body"] }
        #expect(m2.compactMap { $0["id"]?.stringValue } == ["o"])
    }
}

/// Decontam reads record text straight from the raw JSON bytes; it must decode every escape exactly as
/// the JSON parser does (both use `JSONEscapes`).
@Suite struct RecordTextEscapeTests {
    @Test func escapesDecodeAsTheParserDoes() throws {
        let content = #"caf\u00e9 \ud83d\ude00 lone \ud800 end \"quoted\" a\/b back\\slash\nnew\tline \u4e2d\u6587"#
        let line = #"{"messages": [{"role": "user", "content": ""# + content + #""}]}"#
        let record = try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: "t.jsonl", line: 1, offset: 0))
        let parsed = try #require(try record.value("messages")?.arrayValue?.first?.objectValue?["content"]?.stringValue)
        #expect(parsed.contains("café") && parsed.contains("😀") && parsed.contains("\u{FFFD}") && parsed.contains("中文"))
        let reader = RecordTextReader(normalizer: TextNormalizer())
        let buffer = TokenBuffer(capacity: 1024)
        try reader.read(record, into: buffer)
        #expect(String(decoding: reader.lastText, as: UTF8.self) == parsed)
        #expect(String(decoding: buffer.text, as: UTF8.self) == TextNormalizer().normalize(parsed))
        // A truncated \u escape is an error naming the record, not a crash.
        let bad = #"{"messages": [{"role": "user", "content": "x \u12"}]}"#
        #expect(throws: CurationError.self) { _ = try RawRecord(bytes: Array(bad.utf8), location: SourceLocation(file: "b.jsonl", line: 3, offset: 0)) }
    }
}
