import Curation
import Decontam
import Foundation
import Testing

@Suite struct IndexTests {
    @Test func reindexIsNoOpAndAddingAdds() throws {
        let dir = tempDir()
        let file = dir + "/a.jsonl"
        try writeJSONL(file, [JSONObject(["question": .string(words(20))])])
        let path = dir + "/i.sqlite"
        #expect(try EvalIndexStore.build(path: path, settings: NGramSettings(), sources: [EvalSource(name: "a", path: file)]).map(\.outcome) == [.added])
        #expect(try EvalIndexStore.build(path: path, settings: NGramSettings(), sources: [EvalSource(name: "a", path: file)]).map(\.outcome) == [.unchanged])
        try writeJSONL(dir + "/b.jsonl", [JSONObject(["prompt": .string(words(20, from: 50))])])
        #expect(try EvalIndexStore.build(path: path, settings: NGramSettings(), sources: [EvalSource(name: "a", path: file), EvalSource(name: "b", path: dir + "/b.jsonl")]).map(\.outcome) == [.unchanged, .added])
        try writeJSONL(file, [JSONObject(["question": .string(words(20))]), JSONObject(["question": .string(words(9, from: 70))])])
        #expect(try EvalIndexStore.build(path: path, settings: NGramSettings(), sources: [EvalSource(name: "a", path: file)]).map(\.outcome) == [.replaced])
        let idx = try EvalIndexStore.load(path: path)
        #expect(idx.sets.map(\.name) == ["a", "b"])
        #expect(idx.instanceIDs == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"])
        #expect(idx.instanceNGrams == [13, 2, 13])
    }

    /// A Parquet eval set (read for its text and id columns only) indexes as the same rows in JSONL do,
    /// and a Parquet input scans to the same output shards as its rows in JSONL.
    @Test func parquetEvalSetAndInputReadLikeJSONL() throws {
        let dir = tempDir()
        let pq = fixture("parquet/chat_snappy_v1.parquet"), js = fixture("parquet/chat_snappy_v1.jsonl")
        let a = dir + "/a.sqlite", b = dir + "/b.sqlite"
        _ = try EvalIndexStore.build(path: a, settings: NGramSettings(n: 2), sources: [EvalSource(name: "ev", path: pq)])
        _ = try EvalIndexStore.build(path: b, settings: NGramSettings(n: 2), sources: [EvalSource(name: "ev", path: js)])
        let ia = try EvalIndexStore.load(path: a), ib = try EvalIndexStore.load(path: b)
        #expect(ia.instanceIDs.count == 40)
        #expect(ia.instanceIDs == ib.instanceIDs)
        #expect(ia.instanceNGrams == ib.instanceNGrams)
        #expect(ia.instancePreviews == ib.instancePreviews)
        var outputs: [String] = []
        let (rp, _) = try scanFiles(dir, index: a, inputs: [pq]) { outputs.append($0.output) }
        let (rj, _) = try scanFiles(dir, index: a, inputs: [js]) { outputs.append($0.output) }
        #expect(rp.stage.recordsIn == 40 && rp.stage.recordsOut == rj.stage.recordsOut && rp.stage.dropped == rj.stage.dropped)
        #expect(rp.stage.recordsOut < 40)
        for prefix in ["part", "removed"] {
            #expect(try outputRecords(outputs[0], prefix: prefix) == outputRecords(outputs[1], prefix: prefix))
        }
    }

    @Test func otherSettingsRefused() throws {
        let dir = tempDir()
        let path = try buildIndex(dir, [("ev", [words(20)])])
        #expect(throws: CurationError.self) { _ = try EvalIndexStore.load(path: path, expect: NGramSettings(n: 13)) }
        do { _ = try EvalIndexStore.load(path: path, expect: NGramSettings(n: 8, normalizer: TextNormalizer(foldDigits: true))) } catch let e as CurationError {
            #expect(e.description.contains("other settings"))
        }
        #expect(throws: CurationError.self) {
            _ = try EvalIndexStore.build(path: path, settings: NGramSettings(n: 13), sources: [EvalSource(name: "x", path: dir + "/ev.jsonl")])
        }
        #expect(try EvalIndexStore.load(path: path, expect: NGramSettings()).settings == NGramSettings())
        #expect(throws: CurationError.self) { _ = try EvalIndexStore.load(path: dir + "/missing.sqlite") }
    }

    func indexError(_ lines: String, fields: [String]? = nil) -> String {
        let dir = tempDir()
        try? AtomicFileWriter.write(lines, to: dir + "/bad.jsonl")
        do {
            _ = try EvalIndexStore.build(path: dir + "/i.sqlite", settings: NGramSettings(), sources: [EvalSource(name: "bad", path: dir + "/bad.jsonl", fields: fields)])
            return ""
        } catch { return "\(error)" }
    }

    @Test func badEvalFilesGiveClearErrors() {
        let missing = indexError("{\"question\": \"a b c\"}\n{\"answer\": \"x\"}\n")
        #expect(missing.contains("bad.jsonl:2") && missing.contains("none of the fields"))
        let missingNamed = indexError("{\"question\": \"a b c\"}\n{\"prompt\": \"x\"}\n", fields: ["question"])
        #expect(missingNamed.contains("bad.jsonl:2") && missingNamed.contains("missing required field \"question\""))
        let wrongType = indexError("{\"question\": {\"text\": \"a\"}}\n")
        #expect(wrongType.contains("bad.jsonl:1") && wrongType.contains("\"question\" should be a string") && wrongType.contains("found object"))
        let badMessages = indexError("{\"messages\": [{\"content\": \"no role\"}]}\n")
        #expect(badMessages.contains("bad.jsonl:1") && badMessages.contains("role"))
        let malformed = indexError("{\"question\": \"a\"\n")
        #expect(malformed.contains("bad.jsonl:1"))
        #expect(indexError("").contains("no records"))
    }

    @Test func messagesIndexUserTurns() throws {
        let dir = tempDir()
        try writeJSONL(dir + "/m.jsonl", [chat("m1", words(10), words(10, from: 100))])
        _ = try EvalIndexStore.build(path: dir + "/i.sqlite", settings: NGramSettings(), sources: [EvalSource(name: "m", path: dir + "/m.jsonl")])
        let idx = try EvalIndexStore.load(path: dir + "/i.sqlite")
        #expect(idx.instanceIDs == ["m1"] && idx.instanceNGrams == [3])
    }

    @Test func memoryPerNGram() throws {
        let dir = tempDir()
        let path = try buildIndex(dir, [("big", (0..<2000).map { words(40, from: $0 * 40) })])
        let idx = try EvalIndexStore.load(path: path)
        #expect(idx.table.count == 2000 * 33)
        #expect(idx.bytesPerNGram <= 32)
    }
}

@Suite struct DeterminismTests {
    /// Several input files built from the fixture mix (with distinct ids per copy).
    static func inputs(_ dir: String) throws -> [String] {
        var lines: [String] = []
        try RecordReader(files: [fixture("decontam/train-mix.jsonl")]).forEach { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
        var files: [String] = []
        for f in 0..<3 {
            let path = dir + "/in-\(f).jsonl"
            try AtomicFileWriter.write((0..<8).flatMap { copy in lines.map { $0.replacingOccurrences(of: "\"id\": \"", with: "\"id\": \"f\(f)c\(copy)-") } }.joined(separator: "\n") + "\n", to: path)
            files.append(path)
        }
        return files
    }

    static func contents(_ dir: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where !name.hasSuffix("report.json") && !name.hasPrefix(".") {
            out[name] = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
        }
        return out
    }

    @Test func sameOutputForOneAndTwoThreads() throws {
        let dir = tempDir()
        let index = try PlantedFixtureTests.realIndex(dir)
        let files = try Self.inputs(dir)
        var outs: [String] = []
        var reports: [ScanReport] = []
        for threads in [1, 2] {
            let (r, _) = try scanFiles(dir, index: index, inputs: files) { $0.threads = threads; $0.batchBytes = 8192; outs.append($0.output) }
            reports.append(r)
        }
        let a = try Self.contents(outs[0]), b = try Self.contents(outs[1])
        #expect(a.keys.sorted() == b.keys.sorted() && a.count >= 4)
        #expect(a == b)
        #expect(reports[0].summary == reports[1].summary)
        #expect(reports[0].summary.contaminated == 3 * 8 * 7)
    }

    /// Under `--on-error skip` bad lines (broken JSON, a text field of the wrong type) go to the rejected
    /// file in input order and are counted; the good lines around them are scanned and written as usual.
    @Test func badLinesSkippedAndCountedAroundMatches() throws {
        let dir = tempDir()
        let eval = words(20, prefix: "e")
        let index = try buildIndex(dir, [("ev", [eval])])
        let good = [chat("c1", words(30)), chat("hit", "intro " + eval), chat("c2", words(30, from: 50))]
        var lines = good.map { JSONWriter.string(.object($0)) }
        lines.insert("{\"id\": \"broken\", \"messages\": [", at: 1)
        lines.insert("{\"id\": \"wrong\", \"messages\": {\"a\": 1}}", at: 3)
        let input = dir + "/mixed.jsonl"
        try AtomicFileWriter.write(lines.joined(separator: "\n") + "\n", to: input)
        var outputs: [String] = []
        for threads in [1, 2] {
            let out = dir + "/out\(threads)"
            var options = ScanOptions(output: out)
            options.errorPolicy = .skip
            options.threads = threads
            options.batchBytes = 64 // a batch per line or two
            let rejected = RejectedWriter(directory: out)
            let report = try DecontamScan(index: try EvalIndexStore.load(path: index), options: options).run(inputs: [input], rejected: rejected)
            #expect(report.stage.recordsIn == 5 && report.stage.recordsOut == 2)
            #expect(report.stage.dropped["contaminated"] == 1)
            #expect(report.stage.dropped["rejected:malformed-json"] == 1 && report.stage.dropped["rejected:wrong-type"] == 1)
            #expect(report.summary.sources[0].scanned == 3 && report.summary.sources[0].contaminated == 1)
            #expect(try outputRecords(out).compactMap { $0["id"]?.stringValue } == ["c1", "c2"])
            #expect(try outputRecords(out, prefix: "removed").compactMap { $0["id"]?.stringValue } == ["hit"])
            let set = try String(contentsOfFile: rejected.path, encoding: .utf8)
            #expect(set == lines[1] + "\n" + lines[3] + "\n")
            outputs.append(out)
        }
        #expect(try Self.contents(outputs[0]) == Self.contents(outputs[1]))
    }

    @Test func shardRunsMergedEqualOneRun() throws {
        let dir = tempDir()
        let index = try PlantedFixtureTests.realIndex(dir)
        let files = try Self.inputs(dir)
        let (single, _) = try scanFiles(dir, index: index, inputs: files) { $0.action = .tag }
        var parts: [ScanReport] = []
        for i in 0..<2 {
            let (r, _) = try scanFiles(dir, index: index, inputs: files) { $0.action = .tag; $0.shard = try? ShardSpec(index: i, count: 2) }
            // Written and read back, as merge-reports does.
            let path = dir + "/r\(i).json"
            try r.write(to: path)
            parts.append(try ScanReport.load(path))
        }
        // Contiguous shares of the inputs: each share holds part of them, and every source is in one of them.
        #expect(parts.allSatisfy { !$0.summary.sources.isEmpty })
        #expect(parts[0].summary.sources.count + parts[1].summary.sources.count >= single.summary.sources.count)
        let merged = try ScanReport.merge(parts.reversed())
        #expect(merged.summary == single.summary)
        #expect(merged.stage.recordsIn == single.stage.recordsIn && merged.stage.recordsOut == single.stage.recordsOut)
        #expect(merged.shards == [0, 1] && merged.stage.warnings.isEmpty)
        #expect(PrettyJSON.string(merged.summary.json) == PrettyJSON.string(single.summary.json))
        // The same shard twice is refused; a missing shard is warned about.
        #expect(throws: CurationError.self) { _ = try ScanReport.merge([parts[0], parts[0]]) }
        #expect(try ScanReport.merge([parts[1]]).stage.warnings.contains { $0.contains("missing: 0") })
    }

    @Test func shardNames() throws {
        let s = try ShardSpec(parsing: "3/8")
        #expect(s.name("/x/report.json") == "/x/report-s3of8.json")
        #expect(s.name("m.jsonl.zst") == "m-s3of8.jsonl.zst")
        #expect(throws: CurationError.self) { _ = try ShardSpec(parsing: "8/8") }
    }

    /// `--shard env`: the executor's variables, both required (never implied by an array job alone), the
    /// offset added for arrays split above MaxArraySize, Kubernetes' index as the fallback.
    @Test func shardFromTheEnvironment() throws {
        let slurm = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "40", "SLURM_ARRAY_TASK_ID": "3", "CURATE_SHARD_OFFSET": "22"])
        #expect(slurm == (try ShardSpec(index: 25, count: 40)))
        let k8s = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "4", "JOB_COMPLETION_INDEX": "1"])
        #expect(k8s == (try ShardSpec(index: 1, count: 4)))
        // An array task without the count is refused, as is a count without a task index.
        #expect(throws: CurationError.self) { _ = try ShardSpec(parsing: "env", environment: ["SLURM_ARRAY_TASK_ID": "3"]) }
        #expect(throws: CurationError.self) { _ = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "4"]) }
        #expect(throws: CurationError.self) { _ = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "4", "SLURM_ARRAY_TASK_ID": "x"]) }
        #expect(throws: CurationError.self) { _ = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "4", "SLURM_ARRAY_TASK_ID": "4"]) }
        #expect(throws: CurationError.self) {
            _ = try ShardSpec(parsing: "env", environment: ["CURATE_SHARD_COUNT": "4", "SLURM_ARRAY_TASK_ID": "1", "CURATE_SHARD_OFFSET": "\(Int.max)"])
        }
    }
}
