import Curation
import Foundation
import Testing

/// `run --executor local --tasks N`: shareable stages as N processes plus their merge give what the
/// inline run gives (records in manifest order, rejected files, reports minus timings); a killed task
/// fails the run naming its share and log, and a re-run runs only that share again; a finished
/// recipe re-run skips its stages; `runs show` lists the tasks.
@Suite struct ExecutorCLITests {
    /// Small units so the small inputs are cut into many (every task sees the same value).
    static let unitEnv = ["CURATE_SHARE_UNIT_BYTES": "8192"]

    /// A recipe over the share test's inputs (a plain JSONL file with a bad line, a multi-frame zstd
    /// shard, two Parquet files): convert (on_error skip) and decontam (of a clean plain file and the
    /// others, as the demo recipe's decontam reads sources). Decontam reads sources, not convert's
    /// output: a stage's report names the files it read, and a stage run as tasks writes its shares'
    /// shards (`part-sIofN-…`) where an inline run writes `part-…`.
    static func recipe(_ dir: String) throws -> String {
        let ins = try ShareCLITests.inputs(dir)
        let lines = try String(contentsOfFile: CLI.fixture("decontam/train-mix.jsonl"), encoding: .utf8).split(separator: "\n")
        let copies = (1...3).flatMap { k in lines.map { $0.replacingOccurrences(of: "\"id\": \"", with: "\"id\": \"c\(k)-") } }
        try ((lines.map(String.init) + copies).joined(separator: "\n") + "\n").write(toFile: dir + "/clean.jsonl", atomically: true, encoding: .utf8)
        let scanned = [dir + "/clean.jsonl"] + ins.dropFirst()
        let text = """
            seed: 7
            sources:
              raw: {paths: [\(ins.map { "\"\($0)\"" }.joined(separator: ", "))]}
              scan: {paths: [\(scanned.map { "\"\($0)\"" }.joined(separator: ", "))]}
            stages:
              - name: converted
                kind: convert
                inputs: [raw]
                on_error: skip
                max_records: 40
              - name: clean
                kind: decontam
                inputs: [scan]
                evals:
                  gsm8k: evals/gsm8k-test.jsonl
                  ifbench: evals/ifbench-test.jsonl
                ngram: 8
                action: drop
            """
        try copyEvals(to: dir)
        let path = dir + "/recipe.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the recipe from its directory, named relatively (its eval paths resolve to relative paths:
    /// tasks must see the very strings the run's settings hold).
    /// GSM8K's and IFBench's test sets in `DIR/evals/`, where the test recipes name them.
    static func copyEvals(to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir + "/evals", withIntermediateDirectories: true)
        for e in ["gsm8k-test.jsonl", "ifbench-test.jsonl"] { try FileManager.default.copyItem(atPath: CLI.fixture("evals/" + e), toPath: dir + "/evals/" + e) }
    }

    static func run(_ recipe: String, _ out: String, _ extra: [String] = [], env: [String: String] = unitEnv) throws -> CLI.Result {
        try CLI.run(["run", (recipe as NSString).lastPathComponent, "--output", out, "--json", "--quiet"] + extra,
                    cwd: (recipe as NSString).deletingLastPathComponent, env: env)
    }

    static func statuses(_ r: CLI.Result) throws -> [String] {
        let shown = try #require(try JSONParser.parse(r.stdout).objectValue, "\(r.stderr)")
        return shown["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } ?? []
    }

    /// Every output of a stage directory that must not depend on how the stage ran.
    static func expectSameOutputs(_ a: String, _ b: String) throws {
        for stage in ["converted", "clean"] {
            let one = try ShareCLITests.records(a + "/" + stage), tasks = try ShareCLITests.records(b + "/" + stage)
            #expect(one.count > 100 && one == tasks, "\(stage): \(one.count) vs \(tasks.count) records")
            #expect(try Manifest.load(b + "/\(stage)/part.manifest.json").verify(directory: b + "/" + stage).isEmpty)
            #expect(try comparable(a, stage + "/report.json", b) == ShareCLITests.comparable(b + "/\(stage)/report.json"), "\(stage)")
        }
        for f in ["converted/rejected.jsonl", "converted/rejected.reasons.jsonl", "clean/matches.jsonl", "clean/report.md"] {
            #expect(ShareCLITests.text(a + "/" + f) == ShareCLITests.text(b + "/" + f), "\(f)")
        }
        #expect(try ShareCLITests.records(a + "/clean") == ShareCLITests.records(b + "/clean"))
        #expect(try comparable(a, "clean/decontam.report.json", b) == ShareCLITests.comparable(b + "/clean/decontam.report.json"))
        let removedA = try removed(a + "/clean"), removedB = try removed(b + "/clean")
        #expect(!removedA.isEmpty && removedA == removedB)
    }

    /// Run A's report minus timings, with A's run directory read as B's (decontam's settings name its index's path).
    static func comparable(_ a: String, _ file: String, _ b: String) throws -> String {
        try ShareCLITests.comparable(a + "/" + file).replacingOccurrences(of: a + "/", with: b + "/")
    }

    /// The records decontam removed, in manifest order.
    static func removed(_ dir: String) throws -> [String] {
        var out: [String] = []
        for s in try Manifest.load(dir + "/removed.manifest.json").shards {
            try LineReader(path: dir + "/" + s.file).forEachLine { line, _, _ in out.append(String(decoding: line, as: UTF8.self)) }
        }
        return out
    }

    static func state(_ out: String, _ stage: String, _ share: Int, of n: Int) throws -> JSONValue {
        try JSONParser.parse(String(contentsOfFile: out + "/\(stage)/tasks/s\(share)of\(n).state.json", encoding: .utf8))
    }

    @Test func tasksGiveTheInlineRunsOutputs() throws {
        let dir = CLI.tempDir("exec-same")
        let recipe = try Self.recipe(dir)
        let inline = try Self.run(recipe, dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let tasks = try Self.run(recipe, dir + "/tasks", ["--executor", "local", "--tasks", "4", "--max-parallel", "3"])
        #expect(tasks.status == 0, "\(tasks.stderr)")
        try Self.expectSameOutputs(dir + "/inline", dir + "/tasks")
        // The shares were cut inside the files (the plain file spans several shares).
        let records = try ShareRecord.loadAll(directory: dir + "/tasks/converted")
        #expect(records.count == 4 && records.filter { $0.slices.isEmpty || $0.slices.contains { $0.contains("plain.jsonl") } }.count >= 1)
        // runs show lists each task: state, exit code, attempts, time, log.
        let shown = try JSONParser.parse(tasks.stdout)
        let stages = shown["stages"]?.arrayValue ?? []
        for st in stages {
            let t = try #require(st["tasks"]?["shares"]?.arrayValue, "\(st)")
            #expect(t.count == 4 && t.allSatisfy { $0["state"]?.stringValue == "done" && $0["exit_code"]?.intValue == 0 && $0["attempts"]?.intValue == 1 })
            #expect(t.allSatisfy { ($0["log"]?.stringValue).map { FileManager.default.fileExists(atPath: $0) } ?? false })
        }
        let text = try CLI.run(["runs", "show", "1", "--store", dir + "/tasks"])
        #expect(text.status == 0 && text.stdout.contains("tasks of converted (local executor, 4 shares") && text.stdout.contains("s3of4.log"), "\(text.stdout)")
        // A re-run of the finished recipe skips both stages, as inline.
        let again = try Self.run(recipe, dir + "/tasks", ["--executor", "local", "--tasks", "4"])
        #expect(try Self.statuses(again) == ["skipped", "skipped"], "\(again.stderr)")
        // --tasks 1 is the inline run.
        let one = try Self.run(recipe, dir + "/one", ["--executor", "local", "--tasks", "1"])
        #expect(one.status == 0 && !FileManager.default.fileExists(atPath: dir + "/one/converted/tasks"), "\(one.stderr)")
    }

    @Test func aKilledTaskIsTheOnlyOneRunAgain() throws {
        let dir = CLI.tempDir("exec-kill")
        let recipe = try Self.recipe(dir)
        let inline = try Self.run(recipe, dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let out = dir + "/tasks"
        let args = ["--executor", "local", "--tasks", "4", "--retries", "0"]
        var env = Self.unitEnv
        env["CURATE_TEST_KILL_SHARE"] = "2"
        env["CURATE_TEST_KILL_KIND"] = "convert"
        let killed = try Self.run(recipe, out, args, env: env)
        #expect(killed.status != 0)
        #expect(killed.stderr.contains("share 2/4") && killed.stderr.contains("signal 9") && killed.stderr.contains("s2of4.log"), "\(killed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/clean/part.manifest.json"))
        let before = try (0..<4).map { try Self.state(out, "converted", $0, of: 4) }
        #expect(before[2]["state"]?.stringValue == "failed" && before[2]["exit_code"]?.intValue == 137)
        #expect([0, 1, 3].allSatisfy { before[$0]["state"]?.stringValue == "done" })
        let shown = try CLI.run(["runs", "show", "1", "--store", out])
        #expect(shown.stdout.contains("tasks of converted") && shown.stdout.contains("failed  137 (signal 9)"), "\(shown.stdout)")

        let again = try Self.run(recipe, out, args)
        #expect(again.status == 0, "\(again.stderr)")
        let after = try (0..<4).map { try Self.state(out, "converted", $0, of: 4) }
        for i in [0, 1, 3] {
            #expect(after[i]["attempts"]?.intValue == 1 && after[i]["started"] == before[i]["started"], "share \(i) ran again")
        }
        #expect(after[2]["attempts"]?.intValue == 2 && after[2]["state"]?.stringValue == "done" && after[2]["started"] != before[2]["started"])
        try Self.expectSameOutputs(dir + "/inline", out)
        let log = ShareCLITests.text(out + "/converted/tasks/s2of4.log")
        #expect(log.contains("attempt 1") && log.contains("attempt 2"), "\(log)")
    }

    /// A report minus everything timing- and layout-dependent, at any depth: timings, on-disk sizes, the
    /// count of input files (a stage reading a tasks-run stage reads its shares' shards), and the run directory.
    static func normalized(_ path: String, run: String) throws -> String {
        func strip(_ v: JSONValue) -> JSONValue {
            switch v {
            case .object(let o):
                return .object(JSONObject(o.entries.filter { !["seconds", "mb_per_s", "bytes_out", "shards", "files"].contains($0.key) }
                    .map { .init(key: $0.key, value: strip($0.value)) }))
            case .array(let a): return .array(a.map(strip))
            default: return v
            }
        }
        return PrettyJSON.string(strip(try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8)))).replacingOccurrences(of: run + "/", with: "RUN/")
    }

    /// The demo recipe's data stages (decontam, vote, verify, select, mix), inline and as 4 tasks.
    @Test func demoDataStagesAsTasks() throws {
        try Self.demoDataStagesMatchInline(CLI.tempDir("exec-demo"), ["--executor", "local", "--tasks", "4", "--max-parallel", "2"])
    }

    /// Runs the demo recipe's data stages inline and with `executor` (the local or the Slurm executor with
    /// 4 tasks), and checks every stage's records and report are the inline run's.
    static func demoDataStagesMatchInline(_ dir: String, _ executor: [String]) throws {
        let demo = try String(contentsOfFile: CLI.root + "/Fixtures/recipes/demo.yaml", encoding: .utf8)
        let cut = try #require(demo.range(of: "\n  - name: sft"))
        try ("directory: \(CLI.root)/Fixtures/recipes\n" + demo[..<cut.lowerBound] + "\n").write(toFile: dir + "/data.yaml", atomically: true, encoding: .utf8)
        let inline = try Self.run(dir + "/data.yaml", dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let tasks = try Self.run(dir + "/data.yaml", dir + "/tasks", executor)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let stages = try Self.statuses(tasks)
        #expect(stages.count == 5 && stages.allSatisfy { $0 == "done" }, "\(stages)")
        for stage in ["decontaminated", "voted", "verified", "gold", "mix"] {
            let a = dir + "/inline/" + stage, b = dir + "/tasks/" + stage
            #expect(try ShareCLITests.records(a) == ShareCLITests.records(b), "\(stage)")
            #expect(try Self.normalized(a + "/report.json", run: dir + "/inline") == Self.normalized(b + "/report.json", run: dir + "/tasks"), "\(stage)")
        }
        let d = "/decontaminated/"
        #expect(try Self.normalized(dir + "/inline" + d + "decontam.report.json", run: dir + "/inline") == Self.normalized(dir + "/tasks" + d + "decontam.report.json", run: dir + "/tasks"))
        for f in ["report.md", "matches.jsonl"] { #expect(ShareCLITests.text(dir + "/inline" + d + f) == ShareCLITests.text(dir + "/tasks" + d + f), "\(f)") }
        #expect(FileManager.default.fileExists(atPath: dir + "/tasks/decontaminated/tasks/s3of4.state.json"))
    }

    @Test func optionsAreBounded() throws {
        let dir = CLI.tempDir("exec-opts")
        let recipe = try Self.recipe(dir)
        for (extra, message) in [(["--tasks", "4"], "--executor local"), (["--executor", "local", "--tasks", "0"], "--tasks"),
                                 (["--executor", "local", "--tasks", "4", "--max-parallel", "1000"], "--max-parallel"),
                                 (["--executor", "local", "--tasks", "4", "--retries", "99"], "--retries")] {
            let r = try Self.run(recipe, dir + "/o", extra)
            #expect(r.status != 0 && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
    }
}
