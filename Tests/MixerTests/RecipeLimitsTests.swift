import Curation
import Foundation
import Mixer
import Testing

/// Hostile recipes fail fast with file:line (issue 13, items 3 and 7): alias bombs, complex keys,
/// absurd nesting and sizes, amounts out of range, and mixes that would not fit on the disk.
@Suite struct RecipeLimitsTests {
    /// A `depth`-level billion-laughs chain: each anchor is a list of `width` aliases to the one before.
    static func laughs(depth: Int, width: Int = 10) -> String {
        var t = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<depth {
            t += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: width).joined(separator: ", ") + "]\n"
        }
        return t
    }

    /// Times a recipe load that must fail, returning the error.
    static func failFast(_ text: String, dir: String, limits: RecipeLimits = .standard) throws -> (RecipeError, Double) {
        let start = Date()
        do {
            _ = try YAMLDocument(text: text, file: (dir as NSString).appendingPathComponent("bomb.yaml"), limits: limits)
        } catch let e as RecipeError {
            return (e, Date().timeIntervalSince(start))
        }
        Issue.record("should not load:\n\(text.prefix(300))")
        return (RecipeError(file: "", line: 0, column: 0, entry: "", message: ""), 0)
    }

    /// The bomb from the issue: an alias to a deep chain used as a complex key (`? *j`). It took 47 s at
    /// depth 8 inside Yams' duplicate-key check; now it is refused by the pre-scan.
    @Test func aliasAsComplexKeyFailsFast() throws {
        let dir = Fx.tempDir()
        for depth in [4, 8, 12] {
            let text = Self.laughs(depth: depth, width: 2) + "? *a\(depth - 1)\n: v\n"
            let (e, seconds) = try Self.failFast(text, dir: dir)
            #expect(seconds < 1, "depth \(depth): \(seconds) s")
            #expect(e.message.contains("keys must be plain names"), "\(e)")
            #expect(e.line == depth + 1, "\(e)")
            #expect(e.description.contains("bomb.yaml:\(depth + 1):"), "\(e)")
        }
        // A list or mapping written as a key is refused too.
        let (e2, _) = try Self.failFast("sources: []\n? [a, b]\n: v\n", dir: dir)
        #expect(e2.message.contains("keys must be plain names") && e2.line == 2, "\(e2)")
        let (e3, _) = try Self.failFast("{a: 1}: v\n", dir: dir)
        #expect(e3.message.contains("keys must be plain names") && e3.line == 1, "\(e3)")
    }

    /// Billion laughs without keys: the expanded node count is bounded, whatever the depth.
    @Test func billionLaughsFailFast() throws {
        let dir = Fx.tempDir()
        for depth in [6, 9, 30] {
            let (e, seconds) = try Self.failFast(Self.laughs(depth: depth), dir: dir)
            #expect(seconds < 1, "depth \(depth): \(seconds) s")
            #expect(e.message.contains("more than 100000 nodes"), "\(e)")
            #expect(e.line == 5, "\(e)") // a4 (111,111 nodes) is the first anchor past 100,000
        }
    }

    @Test func aliasCountDepthAndSizeAreBounded() throws {
        let dir = Fx.tempDir()
        let many = "a: &a x\nb: [" + Array(repeating: "*a", count: 1_001).joined(separator: ", ") + "]\n"
        let (e1, _) = try Self.failFast(many, dir: dir)
        #expect(e1.message.contains("more than 1000 aliases") && e1.line == 2, "\(e1)")
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let (e2, s2) = try Self.failFast(deep, dir: dir)
        #expect((e2.message.contains("nest more than 64 deep") || e2.message.contains("nesting level")) && e2.line == 1 && s2 < 1, "\(e2)")
        let big = "seed: 1\n# " + String(repeating: "x", count: 1 << 20) + "\n"
        let (e3, _) = try Self.failFast(big, dir: dir)
        #expect(e3.message.contains("more than the limit of 1048576 bytes"), "\(e3)")
        let path = (dir as NSString).appendingPathComponent("big.yaml")
        try big.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecipeError.self) { try MixRecipe.load(path: path) }
    }

    /// Anchors and aliases a person writes (a shared filter list, a scalar alias as a key) still work.
    @Test func legitimateAnchorsAndAliasesStillWork() throws {
        let dir = Fx.tempDir()
        let chat = Fx.mixer("chat.jsonl")
        let r2 = try Fx.recipe("""
            seed: 3
            sources:
              - name: a
                paths: &paths [\(chat)]
                filters: &f
                  - {max_chars: 100000}
                fraction: 1.0
              - name: b
                paths: *paths
                filters: *f
                dedupe: false
                repeat: 2
            """, in: dir)
        #expect(r2.sources.count == 2)
        #expect(r2.sources[1].length?.maxChars == 100_000)
        #expect(r2.sources[1].amount == .repeats(2))
        let doc = try YAMLDocument(text: "k: &k name\nm: {*k : 1}\n", file: "x.yaml")
        #expect(JSONWriter.string(doc.json(doc.root)).contains("\"m\":{\"name\":1}"))
    }

    /// Out-of-range amounts are errors with file:line, not an empty mix or a full disk.
    @Test func absurdAmountsAreRefusedWithLine() throws {
        let dir = Fx.tempDir()
        let chat = Fx.mixer("chat.jsonl")
        let cases: [(String, String)] = [
            ("repeat: 1e12", "repeat 1e12 is too large"),
            ("repeat: 1e19", "repeat 1e19 is too large"),
            ("repeat: 1e300", "repeat 1e300 is too large"),
            ("repeat: 1e400", "repeat is out of range"),
            ("count: 8e18", "count is out of range"),
            ("tokens: 1e300", "tokens is out of range"),
            ("repeat: .nan", "repeat should be a number"),
        ]
        for (amount, message) in cases {
            do {
                _ = try Fx.recipe("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    \(amount)\n", in: dir)
                Issue.record("should fail: \(amount)")
            } catch let e as RecipeError {
                #expect(e.line == 5, "\(e)")
                #expect(e.message.contains(message), "\(e)")
            }
        }
        do {
            _ = try Fx.recipe("seed: 1\ntotal_tokens: 1e300\nsources:\n  - name: a\n    paths: [\(chat)]\n    share: 0.5\n", in: dir)
            Issue.record("total_tokens 1e300 should fail")
        } catch let e as RecipeError {
            #expect(e.line == 2 && e.message.contains("total_tokens is out of range"), "\(e)")
        }
        // A recipe built in code is checked when it runs.
        let coded = MixRecipe(file: "coded", sources: [MixSource(name: "a", origin: .files([chat]), amount: .repeats(1e19), line: 9)])
        do {
            _ = try Fx.mix(coded, dir: dir)
            Issue.record("a coded repeat of 1e19 should fail")
        } catch let e as RecipeError {
            #expect(e.line == 9 && e.message.contains("too large"), "\(e)")
        }
    }

    /// A mix whose planned size is beyond the free disk is refused before the first spill file, naming
    /// the source, the planned bytes and the free bytes.
    @Test func mixLargerThanTheFreeDiskIsRefusedBeforeWriting() throws {
        let dir = Fx.tempDir()
        let free = try #require(DiskSpace.availableBytes(atPath: dir))
        // Records of ~1 KB; enough of them that repeat 1e6 plans more than twice the free space.
        let records = max(1, Int(2 * Double(free) / 1e6 / 1000) + 1)
        try #require(records < 100_000, "the disk is too large for this test (\(free) bytes free)")
        let text = String(repeating: "w", count: 1000)
        let src = (dir as NSString).appendingPathComponent("big.jsonl")
        try (0..<records).map { "{\"id\": \"r\($0)\", \"text\": \"\(text) \($0)\"}" }.joined(separator: "\n").appending("\n")
            .write(toFile: src, atomically: true, encoding: .utf8)
        let recipe = try Fx.recipe("seed: 1\nsources:\n  - name: small\n    paths: [\(src)]\n    count: 3\n  - name: huge\n    paths: [\(src)]\n    dedupe: false\n    repeat: 1e6\n", in: dir)
        let start = Date()
        do {
            _ = try Fx.mix(recipe, dir: dir)
            Issue.record("the mix should be refused")
        } catch let e as RecipeError {
            #expect(e.line == 6 && e.entry == "sources[1] \"huge\"", "\(e)")
            #expect(e.message.contains("the mix would write about") && e.message.contains("free in"), "\(e)")
        }
        #expect(Date().timeIntervalSince(start) < 10)
        let out = (dir as NSString).appendingPathComponent("out")
        let left = try FileManager.default.subpathsOfDirectory(atPath: out)
        #expect(left.filter { !$0.hasPrefix(".") || $0.contains("spill") }.isEmpty, "\(left)")
    }
}

/// Item 19: settings read with a range fail at load with the line, never trap (`UInt64(-1)`).
@Suite struct RecipeRangeTests {
    @Test func rangedGettersNameTheLineAndTheRange() throws {
        let doc = try YAMLDocument(text: "a: 1\nseed: -1\ntop_p: 1.5\nbatch: 0\n", file: "r.yaml")
        let m = try doc.mapping(doc.root, "s", allowed: nil)
        #expect(try doc.seed(m[0].value, "s") == 1)
        do { _ = try doc.seed(m[1].value, "s"); Issue.record("seed -1") } catch let e as RecipeError {
            #expect(e.line == 2 && e.message == "seed should be 0 or more, found -1", "\(e)")
        }
        do { _ = try doc.double(m[2].value, "s", what: "top_p", in: 0...1); Issue.record("top_p 1.5") } catch let e as RecipeError {
            #expect(e.line == 3 && e.message.contains("top_p should be between 0.0 and 1.0, found 1.5"), "\(e)")
        }
        do { _ = try doc.integer(m[3].value, "s", what: "batch", in: 1...YAMLDocument.maxWholeNumber); Issue.record("batch 0") } catch let e as RecipeError {
            #expect(e.line == 4 && e.message == "batch should be at least 1, found 0", "\(e)")
        }
    }
}
