import Curation
import Foundation
import Testing

/// Parquet output through the binary (issue 19 item 2): `convert --format parquet` writes shards our reader
/// reads back as the JSONL output's records, a manifest saying so, and an unfit record is named (or
/// rejected under --on-error skip).
@Suite struct ParquetWriteCLITests {
    @Test func convertWritesParquetShards() throws {
        let dir = CLI.tempDir("pqw-convert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = CLI.fixture("parquet/chat_zstd_v2.jsonl")
        let c = try CLI.run(["convert", input, "-o", dir + "/pq", "--format", "parquet", "--max-records", "3",
                             "--row-group-size", "2", "--parquet-compression", "snappy", "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        let j = try CLI.run(["convert", input, "-o", dir + "/jsonl", "--compression", "none", "--quiet"])
        #expect(j.status == 0, "\(j.stderr)")
        let m = try Manifest.load(dir + "/pq/part.manifest.json")
        #expect(m.format == .parquet && m.parquetCodec == .snappy)
        #expect(m.shards.allSatisfy { $0.file.hasSuffix(".parquet") })
        let want = try String(contentsOfFile: dir + "/jsonl/part-00000.jsonl", encoding: .utf8)
        // chat_zstd_v2's rows all have the same keys, so reading back gives the JSONL bytes exactly.
        var got = ""
        for s in m.shards { for row in try ParquetFile(path: dir + "/pq/" + s.file).jsonLines() { got += String(decoding: row, as: UTF8.self) + "\n" } }
        #expect(got == want)
        // And a Parquet output is an input like any other: converting it back gives the same JSONL.
        let back = try CLI.run(["convert", dir + "/pq", "-o", dir + "/back", "--compression", "none", "--quiet"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try String(contentsOfFile: dir + "/back/part-00000.jsonl", encoding: .utf8) == want)
        let report = try JSONParser.parse(try String(contentsOfFile: dir + "/pq/part.report.json", encoding: .utf8))
        #expect(report["settings"]?["format"]?.stringValue == "parquet")
    }

    @Test func unfitRecordIsNamedOrRejected() throws {
        let dir = CLI.tempDir("pqw-unfit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/in.jsonl"
        try (#"{"id":"one","answer":{"value":1}}"# + "\n" + #"{"id":"two","answer":"1"}"# + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["convert", input, "-o", dir + "/a", "--format", "parquet", "--quiet"])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("in.jsonl:2") && failed.stderr.contains("\"two\"") && failed.stderr.contains("field answer"), "\(failed.stderr)")
        let skipped = try CLI.run(["convert", input, "-o", dir + "/b", "--format", "parquet", "--on-error", "skip", "--json", "--quiet"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try String(contentsOfFile: dir + "/b/rejected.jsonl", encoding: .utf8) == #"{"id":"two","answer":"1"}"# + "\n")
        let asJSON = try CLI.run(["convert", input, "-o", dir + "/c", "--format", "parquet", "--json-columns", "answer", "--quiet"])
        #expect(asJSON.status == 0, "\(asJSON.stderr)")
        let rows = try ParquetFile(path: dir + "/c/part-00000.parquet").jsonLines().map { String(decoding: $0, as: UTF8.self) }
        #expect(rows == [#"{"id":"one","answer":"{\"value\":1}"}"#, #"{"id":"two","answer":"\"1\""}"#])
        let bad = try CLI.run(["convert", input, "-o", dir + "/d", "--json-columns", "answer", "--quiet"])
        #expect(bad.status != 0 && bad.stderr.contains("--format parquet"), "\(bad.stderr)")
    }

    @Test func verifyWritesAParquetFileAndSelectParquetShards() throws {
        let dir = CLI.tempDir("pqw-verify")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = (0..<6).map { #"{"id":"v\#($0)","prompt":"p","response":"so \\boxed{\#($0 % 3)}","ground_truth":"1","dataset":"math"}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["verify", "--input", dir + "/in.jsonl", "--output", dir + "/out.parquet", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try CLI.run(["verify", "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--quiet"])
        #expect(j.status == 0, "\(j.stderr)")
        let rows = try ParquetFile(path: dir + "/out.parquet").jsonLines().map { try JSONParser.parse($0) }
        let want = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(rows.count == 6 && rows.map { $0["reward"] } == want.map { $0["reward"] })
        let s = try CLI.run(["select", "--input", dir + "/in.jsonl", "--target", "3", "--strategy", "random", "-o", dir + "/gold",
                             "--format", "parquet", "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        let m = try Manifest.load(dir + "/gold/part.manifest.json")
        #expect(m.format == .parquet && m.records == 3 && m.shards.allSatisfy { $0.file.hasSuffix(".parquet") })
    }

    @Test func voteWritesAParquetFile() throws {
        let dir = CLI.tempDir("pqw-vote")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try CLI.run(["vote", "--input", CLI.fixture("train/samples.jsonl"), "--output", dir + "/voted.parquet", "--quiet"])
        #expect(p.status == 0, "\(p.stderr)")
        let j = try CLI.run(["vote", "--input", CLI.fixture("train/samples.jsonl"), "--output", dir + "/voted.jsonl", "--quiet"])
        #expect(j.status == 0, "\(j.stderr)")
        let rows = try ParquetFile(path: dir + "/voted.parquet").jsonLines().map { try JSONParser.parse($0) }
        let want = try String(contentsOfFile: dir + "/voted.jsonl", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(rows.count == want.count && !rows.isEmpty)
        #expect(rows.map { $0["id"] } == want.map { $0["id"] })
    }
    /// A decontam stage with `format: parquet` writes its kept and removed shards as Parquet, holding the records
    /// (in order) the JSONL stage keeps and removes, inline and as tasks.
    @Test func decontamStageWritesParquet() throws {
        let dir = CLI.tempDir("pqw-decontam")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func recipe(_ format: String) -> String {
            """
            seed: 3
            sources:
              mix: {paths: ["\(CLI.fixture("decontam/train-mix.jsonl"))"]}
            stages:
              - name: clean
                kind: decontam
                inputs: [mix]
                evals:
                  gsm8k: \(CLI.fixture("evals/gsm8k-test.jsonl"))
                  ifbench: \(CLI.fixture("evals/ifbench-test.jsonl"))
                ngram: 8
                action: drop
            \(format)

            """
        }
        try recipe("").write(toFile: dir + "/jsonl.yaml", atomically: true, encoding: .utf8)
        try recipe("    format: parquet\n    parquet_compression: zstd").write(toFile: dir + "/pq.yaml", atomically: true, encoding: .utf8)
        let j = try CLI.run(["run", dir + "/jsonl.yaml", "--output", dir + "/j", "--quiet"])
        #expect(j.status == 0, "\(j.stderr)")
        func ids(_ stageDir: String, _ prefix: String) throws -> [String] {
            let m = try Manifest.load(stageDir + "/\(prefix).manifest.json")
            var out: [String] = []
            for s in m.shards {
                var lines: [String] = []
                if m.format == .parquet {
                    lines = try ParquetFile(path: stageDir + "/" + s.file).jsonLines().map { String(decoding: $0, as: UTF8.self) }
                } else {
                    try LineReader(path: stageDir + "/" + s.file).forEachLine { line, _, _ in lines.append(String(decoding: line, as: UTF8.self)) }
                }
                for l in lines { out.append(try JSONParser.parse(l)["id"]?.stringValue ?? "?") }
            }
            return out
        }
        let keptJ = try ids(dir + "/j/clean", "part"), removedJ = try ids(dir + "/j/clean", "removed")
        #expect(keptJ.count > 40 && !removedJ.isEmpty)
        for (name, extra) in [("p", [String]()), ("t", ["--executor", "local", "--tasks", "2"])] {
            let r = try CLI.run(["run", dir + "/pq.yaml", "--output", dir + "/" + name, "--quiet"] + extra, env: ["CURATE_SHARE_UNIT_BYTES": "4096"])
            #expect(r.status == 0, "\(r.stderr)")
            let m = try Manifest.load(dir + "/\(name)/clean/part.manifest.json")
            #expect(m.format == .parquet && m.shards.allSatisfy { $0.file.hasSuffix(".parquet") }, "\(name)")
            #expect(try Manifest.load(dir + "/\(name)/clean/removed.manifest.json").format == .parquet, "\(name)")
            #expect(try ids(dir + "/\(name)/clean", "part") == keptJ, "\(name)")
            #expect(try ids(dir + "/\(name)/clean", "removed") == removedJ, "\(name)")
        }
    }
}
