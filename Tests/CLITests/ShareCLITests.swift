import Curation
import Foundation
import Testing

/// `--shard i/N` and `merge`: N shares of a stage, merged, give what one run gives — the records in
/// manifest order, the rejected files, and the report minus timings and on-disk sizes — with shares
/// cut finer than files (line ranges of plain JSONL, frames of our zstd shards, Parquet row groups).
@Suite struct ShareCLITests {
    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:]) throws -> CLI.Result { try CLI.run(args, cwd: CLI.root, env: env) }

    /// Small units so a small input is cut into many (every task must see the same value).
    static let unitEnv = ["CURATE_SHARE_UNIT_BYTES": "8192"]

    /// A plain JSONL file with a blank line and a bad line, one of our multi-frame zstd shards, and
    /// two Parquet files.
    static func inputs(_ dir: String) throws -> [String] {
        let lines = try String(contentsOfFile: CLI.fixture("decontam/train-mix.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        var plain = lines + [""] + lines.prefix(20) + ["{\"id\": broken"] + lines.suffix(30)
        plain += lines.map { $0.replacingOccurrences(of: "\"id\": \"", with: "\"id\": \"copy-") }
        try (plain.joined(separator: "\n") + "\n").write(toFile: dir + "/plain.jsonl", atomically: true, encoding: .utf8)
        let framed = try run(["convert", CLI.fixture("decontam/train-mix.jsonl"), CLI.fixture("decontam/train-mix.jsonl"), "--output", dir + "/framed",
                              "--zstd-frame-bytes", "6000", "--quiet"])
        #expect(framed.status == 0, "\(framed.stderr)")
        let manifest = try Manifest.load(dir + "/framed/part.manifest.json")
        #expect((manifest.shards.first?.frames?.count ?? 0) > 4, "multi-frame zstd shard")
        for f in ["chat_small_pages.parquet", "chat_cdc.parquet"] {
            try FileManager.default.copyItem(atPath: CLI.fixture("parquet/" + f), toPath: dir + "/" + f)
        }
        return [dir + "/plain.jsonl", dir + "/framed", dir + "/chat_small_pages.parquet", dir + "/chat_cdc.parquet"]
    }

    /// The records of an output directory, in manifest order.
    static func records(_ dir: String) throws -> [String] {
        var out: [String] = []
        for f in try InputFiles.resolve([dir]) {
            if f.hasSuffix(".parquet") {
                let r = RecordReader(files: [f])
                try r.forEach { out.append(String(decoding: $0.bytes, as: UTF8.self)) }
                continue
            }
            try LineReader(path: f).forEachLine { line, _, _ in out.append(String(decoding: line, as: UTF8.self)) }
        }
        return out
    }

    /// A report without what legitimately differs between one run and merged shares.
    static func comparable(_ path: String) throws -> String {
        guard case .object(var o) = try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8)) else { return "" }
        for k in ["seconds", "mb_per_s", "bytes_out", "shards"] { o[k] = nil }
        return PrettyJSON.string(.object(o))
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing \(path)>" }

    @Test func convertSharesMergeToTheSingleRun() throws {
        let dir = CLI.tempDir("share-convert")
        let ins = try Self.inputs(dir)
        let whole = try Self.run(["convert"] + ins + ["--output", dir + "/whole", "--on-error", "skip", "--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let n = 4
        for i in 0..<(n - 1) {
            let r = try Self.run(["convert"] + ins + ["--output", dir + "/shared", "--on-error", "skip", "--shard", "\(i)/\(n)", "--quiet"], env: Self.unitEnv)
            #expect(r.status == 0, "\(r.stderr)")
        }
        // Not merged yet: readers refuse the directory, and merge names the share still missing.
        let early = try Self.run(["stats", dir + "/shared"])
        #expect(early.status != 0 && early.stderr.contains("incomplete"), "\(early.stderr)")
        let missing = try Self.run(["merge", dir + "/shared"])
        #expect(missing.status != 0 && missing.stderr.contains("1 of 4 shares") && missing.stderr.contains("share 3"), "\(missing.stderr)")
        let last = try Self.run(["convert"] + ins + ["--output", dir + "/shared", "--on-error", "skip", "--shard", "\(n - 1)/\(n)", "--quiet"], env: Self.unitEnv)
        #expect(last.status == 0, "\(last.stderr)")
        let merged = try Self.run(["merge", dir + "/shared", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")

        let one = try Self.records(dir + "/whole"), shared = try Self.records(dir + "/shared")
        #expect(one.count > 200 && one == shared)
        for f in ["rejected.jsonl", "rejected.reasons.jsonl"] {
            #expect(Self.text(dir + "/whole/" + f) == Self.text(dir + "/shared/" + f), "\(f)")
        }
        #expect(try Self.comparable(dir + "/whole/part.report.json") == Self.comparable(dir + "/shared/part.report.json"))
        // The shares were cut inside files: the plain file and the framed shard each span several shares.
        let records = try ShareRecord.loadAll(directory: dir + "/shared")
        #expect(records.filter { $0.slices.contains { $0.contains("plain.jsonl") } }.count >= 2)
        #expect(records.filter { $0.slices.contains { $0.contains("framed/part-00000") } }.count >= 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/shared/part.incomplete"))
    }

    @Test func decontamSharesMergeToTheSingleRun() throws {
        let dir = CLI.tempDir("share-decontam")
        let ins = try Self.inputs(dir)
        let idx = dir + "/evals.sqlite"
        let built = try Self.run(["decontam", "index", "--eval", "gsm8k=Fixtures/evals/gsm8k-test.jsonl", "--eval", "ifbench=Fixtures/evals/ifbench-test.jsonl",
                                  "--ngram", "8", "--output", idx, "--quiet"])
        #expect(built.status == 0, "\(built.stderr)")
        func scan(_ out: String, _ extra: [String]) throws -> CLI.Result {
            try Self.run(["decontam", "scan", "--index", idx, "--input"] + ins + ["--output", out, "--action", "drop", "--on-error", "skip",
                                                                             "--matches", out + "/matches.jsonl", "--quiet"] + extra, env: Self.unitEnv)
        }
        let whole = try scan(dir + "/whole", [])
        #expect(whole.status == 0, "\(whole.stderr)")
        for i in 0..<3 {
            let r = try scan(dir + "/shared", ["--shard", "\(i)/3"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try Self.run(["merge", dir + "/shared", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try Self.records(dir + "/whole") == Self.records(dir + "/shared"))
        for f in ["matches.jsonl", "rejected.jsonl", "rejected.reasons.jsonl"] {
            #expect(Self.text(dir + "/whole/" + f) == Self.text(dir + "/shared/" + f), "\(f)")
        }
        let report = try Self.comparable(dir + "/shared/decontam.report.json")
        let single = try Self.comparable(dir + "/whole/decontam.report.json")
        #expect(report.contains("\"train_records_contaminated\""))
        #expect(report == single, "\(zip(report.split(separator: "\n"), single.split(separator: "\n")).filter { $0.0 != $0.1 }.prefix(5))")
    }

    /// `--shard env` takes the executor's variables; merge refuses records of two share counts.
    @Test func shardFromEnvironmentAndMixedCounts() throws {
        let dir = CLI.tempDir("share-env")
        let input = CLI.fixture("decontam/train-mix.jsonl")
        for i in 0..<2 {
            let r = try Self.run(["convert", input, "--output", dir + "/o", "--shard", "env", "--quiet"],
                                 env: ["CURATE_SHARD_COUNT": "2", "SLURM_ARRAY_TASK_ID": "\(i)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let alone = try Self.run(["convert", input, "--output", dir + "/o2", "--shard", "env", "--quiet"], env: ["SLURM_ARRAY_TASK_ID": "1"])
        #expect(alone.status != 0 && alone.stderr.contains("CURATE_SHARD_COUNT"))
        let other = try Self.run(["convert", input, "--output", dir + "/o", "--shard", "0/3", "--quiet"])
        #expect(other.status == 0, "\(other.stderr)")
        let mixed = try Self.run(["merge", dir + "/o"])
        #expect(mixed.status != 0 && mixed.stderr.contains("different share counts"), "\(mixed.stderr)")
        let two = try Self.run(["merge", dir + "/o", "--count", "2", "--quiet"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try Self.records(dir + "/o").count == 57)
    }

    /// `vote --shard`: list-layout instances vote alone, so shares merge to one run; per-completion groups
    /// split between shares are refused at the merge, never voted as two groups.
    @Test func voteSharesMergeOrRefuseSplitGroups() throws {
        let dir = CLI.tempDir("share-vote")
        let lines = try String(contentsOfFile: CLI.fixture("train/samples.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        var many: [String] = []
        for copy in 0..<30 { many += lines.map { $0.replacingOccurrences(of: "\"id\": \"s-", with: "\"id\": \"c\(copy)-") } }
        try (many.joined(separator: "\n") + "\n").write(toFile: dir + "/samples.jsonl", atomically: true, encoding: .utf8)
        let whole = try Self.run(["vote", "--input", dir + "/samples.jsonl", "--output", dir + "/whole.jsonl", "--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        for i in 0..<3 {
            let r = try Self.run(["vote", "--input", dir + "/samples.jsonl", "--output", dir + "/shared.jsonl", "--shard", "\(i)/3", "--quiet"], env: Self.unitEnv)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try Self.run(["merge", dir + "/shared.jsonl", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let one = Self.text(dir + "/whole.jsonl")
        #expect(one.count > 1000 && one == Self.text(dir + "/shared.jsonl"))
        #expect(try Self.comparable(dir + "/whole.jsonl.report.json") == Self.comparable(dir + "/shared.jsonl.report.json"))

        // One record per completion, ids interleaved: every id's completions are spread over the file.
        var perCompletion: [String] = []
        for k in 0..<8 {
            for line in lines.prefix(5) {
                guard case .object(var o) = try JSONParser.parse(line), let c = o["completions"]?.arrayValue, k < c.count else { continue }
                o["completions"] = nil
                o["completion"] = c[k]
                perCompletion.append(JSONWriter.string(.object(o)))
            }
        }
        try (perCompletion.joined(separator: "\n") + "\n").write(toFile: dir + "/per.jsonl", atomically: true, encoding: .utf8)
        for i in 0..<2 {
            let r = try Self.run(["vote", "--input", dir + "/per.jsonl", "--output", dir + "/per-out.jsonl", "--shard", "\(i)/2", "--quiet"],
                                 env: ["CURATE_SHARE_UNIT_BYTES": "512"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let refused = try Self.run(["merge", dir + "/per-out.jsonl"])
        #expect(refused.status != 0 && refused.stderr.contains("has completions in shares"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/per-out.jsonl"))
    }
}
