import Curation
import Foundation
import Mixer
import Testing

@Suite struct MixTests {
    @Test func weightedMixMeetsEveryAmountAndKeepsLineage() throws {
        let dir = Fx.tempDir()
        let recipe = try MixRecipe.load(path: Fx.mixer("weighted.yaml"))
        let (r, lines) = try Fx.mix(recipe, dir: dir)
        let by = Dictionary(uniqueKeysWithValues: r.sources.map { ($0.name, $0) })
        let chat = try #require(by["chat"]), web = try #require(by["web"]), forum = try #require(by["forum"])
        let bulk = try #require(by["bulk"]), math = try #require(by["math"])
        // fraction 0.5 of 80 chat records: exactly 40 distinct.
        #expect(chat.availableRecords == 80 && chat.takenRecords == 40 && chat.repeated == 0)
        // repeat 2.5: every available record twice, half of them three times.
        #expect(web.takenRecords == 2 * web.availableRecords + Int((0.5 * Double(web.availableRecords)).rounded()))
        #expect(web.takenDistinct == web.availableRecords)
        // count 10 from fewer records: full copies first.
        #expect(forum.takenRecords == 10)
        // tokens 20_000: within one record (bulk records have at most 40 tokens).
        #expect(abs(bulk.takenTokens - 20_000) <= 20)
        // share 0.25 of total_tokens 4000 (math records are small: within one record).
        #expect(abs(math.takenTokens - 1000) <= 40)
        #expect(r.recordsWritten == lines.count)
        #expect(r.recordsWritten == r.sources.reduce(0) { $0 + $1.takenRecords })

        // Lineage: output ids unique, source and orig_id set, copies numbered #2, #3.
        var ids = Set<String>()
        var copies: [String: Int] = [:]
        for l in lines {
            let o = try Fx.object(l)
            let id = try #require(o["id"]?.stringValue)
            #expect(ids.insert(id).inserted, "duplicate output id \(id)")
            let src = try #require(o["source"]?.stringValue)
            #expect(by[src] != nil)
            let orig = try #require(o["orig_id"]?.stringValue)
            #expect(id == orig || id.hasPrefix(orig + "#"))
            copies[orig, default: 0] += 1
        }
        let webCopies = copies.filter { $0.key.hasPrefix("doc-") || $0.key.hasPrefix("web-") }.values
        #expect(Set(webCopies) == [2, 3])
        #expect(ids.contains { $0.hasSuffix("#3") })
        // Chat records had their own "source" field (tulu, flan, oasst): kept as orig_source.
        let chatLine = try #require(lines.first { $0.contains("\"orig_id\":\"chat-") })
        #expect(try Fx.object(chatLine)["orig_source"] != nil)
    }

    @Test func filtersAndDedupeAreCountedAndAddUp() throws {
        let dir = Fx.tempDir()
        let recipe = try MixRecipe.load(path: Fx.mixer("weighted.yaml"))
        let (r, _) = try Fx.mix(recipe, dir: dir)
        let by = Dictionary(uniqueKeysWithValues: r.sources.map { ($0.name, $0) })
        // Count what the filters should drop straight from the fixtures.
        var lowScore = 0, notEnglish = 0
        for l in try Fx.lines(ofFile: Fx.mixer("web.jsonl")) {
            if let s = try Fx.object(l)["metadata"]?["score"]?.doubleValue, s < 0.2 { lowScore += 1 }
        }
        for l in try Fx.lines(ofFile: Fx.mixer("forum.jsonl")) where try Fx.object(l)["metadata"]?["lang"]?.stringValue != "en" { notEnglish += 1 }
        #expect(by["web"]?.filtered["metadata.score >= 0.2"] == lowScore)
        #expect(by["forum"]?.filtered["metadata.lang in [\"en\"]"] == notEnglish)
        // web repeats 6 of its own texts (those whose original passed the filter); forum repeats web texts.
        let webDupes = by["web"]?.duplicates ?? 0
        #expect(webDupes > 0 && webDupes <= 6)
        #expect((by["forum"]?.duplicates ?? 0) > 0)
        #expect(by["chat"]?.duplicates == 0)
        let rep = r.report
        #expect(rep.recordsIn == 2178)
        #expect(rep.recordsIn == rep.recordsOut + rep.droppedTotal)
        #expect(rep.dropped["duplicate"] == r.sources.reduce(0) { $0 + $1.duplicates })
        try rep.check()
        // Without dedupe, nothing is dropped as a duplicate and more is available.
        var noDedupe = recipe
        noDedupe.dedupe = false
        let (r2, _) = try Fx.mix(noDedupe, dir: dir, out: "nodedupe")
        #expect(r2.report.dropped["duplicate"] == nil)
        #expect(r2.sources[1].availableRecords == r.sources[1].availableRecords + webDupes)
    }

    @Test func sameBytesForAnyThreadCountMemoryAndSharding() throws {
        let dir = Fx.tempDir()
        // Split bulk.jsonl and web.jsonl into several shards (one .zst) and mix the shards.
        let shards = (dir as NSString).appendingPathComponent("shards")
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        let bulk = try Fx.lines(ofFile: Fx.mixer("bulk.jsonl"))
        for (k, range) in [0..<700, 700..<701, 701..<1500, 1500..<2000].enumerated() {
            try (bulk[range].joined(separator: "\n") + "\n").write(toFile: "\(shards)/bulk-\(k).jsonl", atomically: true, encoding: .utf8)
        }
        let web = try Fx.lines(ofFile: Fx.mixer("web.jsonl"))
        let w = try ShardedWriter(directory: shards, options: ShardOptions(prefix: "web", maxRecords: 20))
        for l in web { try Array(l.utf8).withUnsafeBytes { try w.write(line: $0) } }
        try w.finish()

        func recipe(bulk: String, web: String) -> String {
            """
            seed: 99
            dedupe: true
            sources:
              - {name: web, paths: [\(web)], repeat: 1.7}
              - {name: bulk, paths: [\(bulk)], fraction: 0.3}
              - {name: math, paths: [\(Fx.mixer("math.jsonl"))], tokens: 2_000}
            """
        }
        let whole = try Fx.recipe(recipe(bulk: Fx.mixer("bulk.jsonl"), web: Fx.mixer("web.jsonl")), in: dir)
        let (_, a) = try Fx.mix(whole, dir: dir, threads: 1, out: "a")
        let (_, b) = try Fx.mix(whole, dir: dir, threads: 4, out: "b")
        let (rc, c) = try Fx.mix(whole, dir: dir, threads: 3, memory: 3000, out: "c")
        let sharded = try Fx.recipe(recipe(bulk: "\(shards)/bulk-*.jsonl", web: "\(shards)/web-*.jsonl.zst"), in: dir)
        let (_, d) = try Fx.mix(sharded, dir: dir, threads: 2, out: "d")
        #expect(rc.runsSpilled > 10)
        #expect(!a.isEmpty)
        #expect(a == b)
        #expect(a == c)
        #expect(a == d)
        #expect(try Fx.shardBytes(dir + "/a") == Fx.shardBytes(dir + "/c"))
        // A different seed gives a different mix.
        var other = whole
        other.seed = 100
        let (_, e) = try Fx.mix(other, dir: dir, out: "e")
        #expect(e != a)
    }

    @Test func shuffledAcrossSources() throws {
        let dir = Fx.tempDir()
        let (_, lines) = try Fx.mix(try MixRecipe.load(path: Fx.mixer("anneal.yaml")), dir: dir)
        // Sources interleave: the first 100 lines are not all from one source.
        let firstSources = Set(try lines.prefix(100).map { try Fx.object($0)["source"]?.stringValue ?? "" })
        #expect(firstSources.count == 3)
    }

    @Test func annealUpSamplesTheHighQualitySource() throws {
        let dir = Fx.tempDir()
        let recipe = try MixRecipe.load(path: Fx.mixer("anneal.yaml"))
        let r = try MixStage.run(recipe: recipe, outputDirectory: dir + "/out",
                                 options: MixOptions(shard: ShardOptions(prefix: "anneal", maxRecords: 2000)),
                                 tokenCounter: WhitespaceTokenCounter())
        let math = try #require(r.sources.first { $0.name == "math" })
        #expect(math.fullCopies >= 50) // ~224 tokens available, 21_000 asked
        #expect(abs(math.takenTokens - 21_000) <= 30)
        let total = r.sources.reduce(0) { $0 + $1.takenTokens }
        #expect(abs(total - 60_000) <= 150)
        #expect(r.manifest.shards.count == (r.recordsWritten + 1999) / 2000)
    }

    @Test func copyIDsNeverCollideWithInputIDs() throws {
        // "a" is repeated 3 times, but an input record is already called "a#2", and two records share
        // "b": every output id must still be unique, and each copy keeps its `orig_id`.
        let dir = Fx.tempDir()
        let src = dir + "/ids.jsonl"
        try ["{\"id\":\"a\",\"text\":\"one\"}", "{\"id\":\"a#2\",\"text\":\"two\"}", "{\"id\":\"b\",\"text\":\"three\"}",
             "{\"id\":\"b\",\"text\":\"four\"}", "{\"id\":\"b#3\",\"text\":\"five\"}"]
            .joined(separator: "\n").appending("\n").write(toFile: src, atomically: true, encoding: .utf8)
        let recipe = try Fx.recipe("seed: 1\nsources:\n  - {name: s, paths: [\(src)], repeat: 3.0}\n", in: dir)
        let (r, lines) = try Fx.mix(recipe, dir: dir)
        #expect(r.recordsWritten == 15)
        let objects = try lines.map(Fx.object)
        let ids = objects.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 15)
        #expect(Set(ids).count == 15)
        #expect(ids.filter { $0 == "a#2" }.count == 1)
        #expect(Set(ids).isSuperset(of: ["a", "a#2", "a#3", "a#4", "b", "b#2", "b#3", "b#4"]))
    }

    @Test func badLinesFailOrAreSkippedAndCounted() throws {
        let dir = Fx.tempDir()
        let bad = dir + "/bad.jsonl"
        try "{\"id\":\"a\",\"text\":\"one two\"}\n{not json\n{\"id\":\"b\",\"text\":\"three\"}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let recipe = try Fx.recipe("seed: 1\nsources:\n  - {name: s, paths: [\(bad)], repeat: 1.0}\n", in: dir)
        #expect(throws: CurationError.self) { try Fx.mix(recipe, dir: dir) }
        let r = try MixStage.run(recipe: recipe, outputDirectory: dir + "/skip",
                                 options: MixOptions(onError: .skip), tokenCounter: WhitespaceTokenCounter())
        #expect(r.recordsWritten == 2)
        #expect(r.report.recordsIn == 3)
        #expect(r.report.dropped["rejected:malformed-json"] == 1)
        #expect(FileManager.default.fileExists(atPath: dir + "/skip/rejected.jsonl"))
    }
}

extension Fx {
    static func lines(ofFile path: String) throws -> [String] {
        var out: [String] = []
        try LineReader(path: path).forEachLine { l, _, _ in out.append(String(decoding: l, as: UTF8.self)) }
        return out
    }
}
