import Curation
import Foundation
import Testing

/// `curate-tool decontam` end to end, through the built binary (.build/debug or .build/release).
@Suite struct DecontamCLITests {
    /// Runs the tool from the package root (the fixture paths below are relative to it).
    @discardableResult
    static func run(_ args: [String]) throws -> CLI.Result { try CLI.run(args, cwd: CLI.root) }

    static func tmp() -> String { CLI.tempDir("decontam") }

    static func index(_ dir: String) throws -> String {
        let idx = dir + "/evals.sqlite"
        let r = try run(["decontam", "index", "--eval", "gsm8k=Fixtures/evals/gsm8k-test.jsonl", "--eval", "humaneval=Fixtures/evals/humaneval.jsonl",
                         "--eval", "ifbench=Fixtures/evals/ifbench-test.jsonl", "--eval", "math500=Fixtures/evals/mmath-en.jsonl",
                         "--select", "math500:data_source=MATH500", "--ngram", "8", "--output", idx])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("math500") && r.stderr.contains("311"))
        return idx
    }

    @Test func indexScanReport() throws {
        let dir = Self.tmp()
        let idx = try Self.index(dir)
        let again = try Self.run(["decontam", "index", "--eval", "gsm8k=Fixtures/evals/gsm8k-test.jsonl", "--output", idx])
        #expect(again.status == 0 && again.stderr.contains("unchanged"))
        let r = try Self.run(["decontam", "scan", "--index", idx, "--input", "Fixtures/decontam/train-mix.jsonl", "--output", dir + "/out",
                              "--threshold", "0.5", "--action", "drop", "--report", dir + "/report.json", "--report-md", dir + "/report.md",
                              "--matches", dir + "/matches.jsonl", "--threads", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("eval instances found") && r.stderr.contains("contaminated"))
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/report.json", encoding: .utf8))
        #expect(report["records_in"]?.intValue == 57 && report["records_out"]?.intValue == 50)
        #expect(report["contamination"]?["train_records_contaminated"]?.intValue == 7)
        #expect(try JSONParser.parse(r.stdout)["records_in"]?.intValue == 57)
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(md.contains("curate-tool 0.1.0") && md.contains("xxh3-128") && md.contains("plant-gsm8k-verbatim") && md.contains("| n-gram length | 8 |"))
        let matches = try String(contentsOfFile: dir + "/matches.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(matches.count == 7)
        #expect(FileManager.default.fileExists(atPath: dir + "/out/removed-00000.jsonl.zst"))
    }

    @Test func shardedScansMerge() throws {
        let dir = Self.tmp()
        let idx = try Self.index(dir)
        // Two input files so each shard has one.
        let lines = try String(contentsOfFile: CLI.fixture("decontam/train-mix.jsonl"), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(30).joined(separator: "\n") + "\n").write(toFile: dir + "/a.jsonl", atomically: true, encoding: .utf8)
        try (lines.dropFirst(30).joined(separator: "\n") + "\n").write(toFile: dir + "/b.jsonl", atomically: true, encoding: .utf8)
        for i in 0..<2 {
            let r = try Self.run(["decontam", "scan", "--index", idx, "--input", dir + "/a.jsonl", dir + "/b.jsonl", "--output", dir + "/out",
                                  "--report", dir + "/out/report.json", "--shard", "\(i)/2", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/out/report-s0of2.json") && FileManager.default.fileExists(atPath: dir + "/out/part-s1of2-00000.jsonl.zst"))
        let m = try Self.run(["decontam", "merge-reports", dir + "/out/report-s0of2.json", dir + "/out/report-s1of2.json", "--output", dir + "/merged.json", "--quiet"])
        #expect(m.status == 0, "\(m.stderr)")
        let merged = try JSONParser.parse(String(contentsOfFile: dir + "/merged.json", encoding: .utf8))
        #expect(merged["records_in"]?.intValue == 57 && merged["contamination"]?["train_records_contaminated"]?.intValue == 7)
    }

    @Test func refusals() throws {
        let dir = Self.tmp()
        let idx = try Self.index(dir)
        let mask = try Self.run(["decontam", "scan", "--index", idx, "--input", "Fixtures/decontam/train-mix.jsonl", "--output", dir + "/o", "--action", "mask"])
        #expect(mask.status != 0 && mask.stderr.contains("documents only"))
        let n = try Self.run(["decontam", "scan", "--index", idx, "--input", "Fixtures/decontam/train-mix.jsonl", "--output", dir + "/o", "--ngram", "13"])
        #expect(n.status != 0 && n.stderr.contains("n=8"))
        let both = try Self.run(["decontam", "scan", "--index", idx, "--input", "Fixtures/decontam/train-mix.jsonl", "--output", dir + "/o", "--any", "--threshold", "0.3"])
        #expect(both.status != 0)
        let badEval = try Self.run(["decontam", "index", "--eval", "x=Fixtures/broken/wrong-type.jsonl", "--output", dir + "/x.sqlite"])
        #expect(badEval.status != 0 && badEval.stderr.contains("wrong-type.jsonl:1"))
        let badSpec = try Self.run(["decontam", "index", "--eval", "nopath", "--output", dir + "/x.sqlite"])
        #expect(badSpec.status != 0 && badSpec.stderr.contains("NAME=PATH"))
    }
}
