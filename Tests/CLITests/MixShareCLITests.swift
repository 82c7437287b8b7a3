import Curation
import Foundation
import Testing

/// A mix stage run as tasks (`run --executor local --tasks N`: scan, plan, gather and write phases, then
/// the merge) gives the one-process mix's records in the same order and its report minus timings, over
/// sources that exercise every whole-input decision: dedupe across sources (first occurrence wins),
/// `count`, `tokens` and `share` amounts (a counting pass), repeats, ids carried by several records and
/// inputs that already hold `#2` ids, records without ids (`FILE:LINE`), a multi-frame zstd shard and
/// Parquet files cut into shares.
@Suite struct MixShareCLITests {
    static func recipe(_ dir: String) throws -> String {
        let ins = try ShareCLITests.inputs(dir)
        // Repeated ids, ids with suffixes already, repeated texts, records without an id; deterministic.
        var lines: [String] = []
        var rng: UInt64 = 0x9E37_79B9
        func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
        let words = ["river", "lantern", "meadow", "code", "puzzle", "harbor", "music", "garden"]
        for i in 0..<900 {
            let k = next(80)
            let id = i % 7 == 0 ? "x\(k)#2" : "x\(k)"
            let text = i % 13 == 0 ? "the same text again" : (0..<(3 + next(12))).map { _ in words[next(words.count)] }.joined(separator: " ")
            lines.append(i % 97 == 0 ? "{\"text\": \"\(text) \(i)\"}" : "{\"id\": \"\(id)\", \"text\": \"\(text)\"}")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/repeated.jsonl", atomically: true, encoding: .utf8)
        let quoted = { (files: [String]) in files.map { "\"\($0)\"" }.joined(separator: ", ") }
        let text = """
            seed: 13
            sources:
              repeated: {paths: ["\(dir)/repeated.jsonl"]}
              framed: {paths: [\(quoted([ins[1]]))]}
              parquet: {paths: [\(quoted(Array(ins[2...])))]}
            stages:
              - name: mix
                kind: mix
                inputs: [repeated, framed, parquet]
                dedupe: true
                total_tokens: 20000
                output: {max_records: 300}
                sources:
                  - name: repeated
                    input: repeated
                    amount: {repeat: 1.7}
                  - name: framed
                    input: framed
                    amount: {tokens: 6000}
                  - name: again
                    input: repeated
                    dedupe: false
                    amount: {share: 0.2}
                  - name: parquet
                    input: parquet
                    amount: {count: 700}
            """
        let path = dir + "/mix.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let env = ["CURATE_SHARE_UNIT_BYTES": "4096"]

    static func expectSame(_ dir: String, _ tasks: String) throws {
        let one = try ShareCLITests.records(dir + "/inline/mix"), shared = try ShareCLITests.records(tasks + "/mix")
        #expect(one.count > 1500 && one == shared, "\(one.count) vs \(shared.count) records")
        let ids = one.compactMap { try? JSONParser.parse($0)["id"]?.stringValue }
        #expect(Set(ids).count == one.count && ids.filter { $0.contains("#") }.count > 100, "unique ids, many numbered copies")
        #expect(try ExecutorCLITests.normalized(dir + "/inline/mix/report.json", run: dir + "/inline")
            == ExecutorCLITests.normalized(tasks + "/mix/report.json", run: tasks))
        #expect(try Manifest.load(tasks + "/mix/part.manifest.json").verify(directory: tasks + "/mix").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: tasks + "/mix/phases"), "the phases' files are removed by the merge")
    }

    @Test func mixAsTasksGivesTheInlineMix() throws {
        let dir = CLI.tempDir("mix-shares")
        let recipe = try Self.recipe(dir)
        let inline = try ExecutorCLITests.run(recipe, dir + "/inline", env: Self.env)
        #expect(inline.status == 0, "\(inline.stderr)")
        for n in [1, 3, 5] where n > 1 {
            let out = dir + "/tasks\(n)"
            let tasks = try ExecutorCLITests.run(recipe, out, ["--executor", "local", "--tasks", "\(n)", "--max-parallel", "2"], env: Self.env)
            #expect(tasks.status == 0, "\(tasks.stderr)")
            try Self.expectSame(dir, out)
            // Every phase ran as tasks: N scan and gather tasks, one plan task, N shares.
            let folder = out + "/mix/tasks/"
            for name in ["scan-s0of\(n)", "scan-s\(n - 1)of\(n)", "plan-s0of1", "gather-s\(n - 1)of\(n)", "s\(n - 1)of\(n)"] {
                #expect(FileManager.default.fileExists(atPath: folder + name + ".state.json"), "\(name)")
            }
            // runs show lists the phases' tasks before the shares.
            let shown = try CLI.run(["runs", "show", "1", "--store", out])
            #expect(shown.stdout.contains("scan \(n - 1)/\(n)") && shown.stdout.contains("plan 0/1") && shown.stdout.contains("gather 0/\(n)"), "\(shown.stdout)")
            let json = try JSONParser.parse(try CLI.run(["runs", "show", "1", "--store", out, "--json"]).stdout)
            #expect(json["stages"]?.arrayValue?.first?["tasks"]?["phases"]?.arrayValue?.count == 2 * n + 1)
        }
    }

    @Test func aKilledGatherTaskIsTheOnlyOneRunAgain() throws {
        let dir = CLI.tempDir("mix-shares-kill")
        let recipe = try Self.recipe(dir)
        let inline = try ExecutorCLITests.run(recipe, dir + "/inline", env: Self.env)
        #expect(inline.status == 0, "\(inline.stderr)")
        let out = dir + "/tasks"
        let args = ["--executor", "local", "--tasks", "3", "--retries", "0"]
        var env = Self.env
        env["CURATE_TEST_KILL_SHARE"] = "1"
        env["CURATE_TEST_KILL_KIND"] = "mix-gather"
        let killed = try ExecutorCLITests.run(recipe, out, args, env: env)
        #expect(killed.status != 0 && killed.stderr.contains("signal 9") && killed.stderr.contains("gather-s1of3.log"), "\(killed.stderr)")
        func state(_ name: String) throws -> JSONValue { try JSONParser.parse(String(contentsOfFile: out + "/mix/tasks/\(name).state.json", encoding: .utf8)) }
        let scans = try (0..<3).map { try state("scan-s\($0)of3") }
        #expect(try state("gather-s1of3")["state"]?.stringValue == "failed")
        let again = try ExecutorCLITests.run(recipe, out, args, env: Self.env)
        #expect(again.status == 0, "\(again.stderr)")
        for i in 0..<3 { #expect(try state("scan-s\(i)of3")["started"] == scans[i]["started"], "scan \(i) ran again") }
        #expect(try state("plan-s0of1")["attempts"]?.intValue == 1)
        #expect(try state("gather-s0of3")["attempts"]?.intValue == 1 && state("gather-s2of3")["attempts"]?.intValue == 1)
        #expect(try state("gather-s1of3")["attempts"]?.intValue == 2 && state("gather-s1of3")["state"]?.stringValue == "done")
        try Self.expectSame(dir, out)
    }

    /// `mix --shard i/N --phase P` by hand (as a user's own array jobs would), then `--merge-shares N`: the
    /// one-process mix's records, report and rejected lines (`--on-error skip`, a bad line in a share).
    @Test func mixPhasesByHandGiveTheOneProcessMix() throws {
        let dir = CLI.tempDir("mix-shares-cli")
        _ = try Self.recipe(dir)
        var lines = try String(contentsOfFile: dir + "/repeated.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        lines.insert("{\"id\": broken", at: 500)
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/repeated.jsonl", atomically: true, encoding: .utf8)
        try """
            seed: 3
            dedupe: true
            sources:
              - name: repeated
                paths: ["\(dir)/repeated.jsonl"]
                amount: {count: 1200}
              - name: parquet
                paths: ["\(dir)/chat_cdc.parquet"]
                amount: {fraction: 0.5}
            """.write(toFile: dir + "/mix.yaml", atomically: true, encoding: .utf8)
        let common = ["mix", "--recipe", dir + "/mix.yaml", "--on-error", "skip", "--quiet"]
        let one = try CLI.run(common + ["--output", dir + "/one"], env: Self.env)
        #expect(one.status == 0, "\(one.stderr)")
        let out = dir + "/shared"
        for phase in ["scan", "plan", "gather", "write"] {
            for i in (phase == "plan" ? [0] : [2, 0, 1]) {
                let r = try CLI.run(common + ["--output", out, "--phase", phase, "--shard", "\(i)/3"], env: Self.env)
                #expect(r.status == 0, "\(phase) \(i): \(r.stderr)")
            }
        }
        let refused = try CLI.run(["merge", out])
        #expect(refused.status != 0 && refused.stderr.contains("--merge-shares 3"), "\(refused.stderr)")
        let merged = try CLI.run(common + ["--output", out, "--merge-shares", "3"], env: Self.env)
        #expect(merged.status == 0, "\(merged.stderr)")
        let a = try ShareCLITests.records(dir + "/one"), b = try ShareCLITests.records(out)
        #expect(a.count > 1000 && a == b, "\(a.count) vs \(b.count)")
        #expect(try ShareCLITests.comparable(dir + "/one/part.report.json") == ShareCLITests.comparable(out + "/part.report.json"))
        for f in ["rejected.jsonl", "rejected.reasons.jsonl"] {
            #expect(ShareCLITests.text(dir + "/one/" + f).contains(f == "rejected.jsonl" ? "broken" : "repeated.jsonl")
                && ShareCLITests.text(dir + "/one/" + f) == ShareCLITests.text(out + "/" + f), "\(f)")
        }
        // A phase before its predecessor is an error naming what is missing, not a crash.
        let early = try CLI.run(common + ["--output", dir + "/early", "--phase", "gather", "--shard", "0/3"], env: Self.env)
        #expect(early.status != 0 && early.stderr.contains("plan phase"), "\(early.stderr)")
        let bare = try CLI.run(common + ["--output", dir + "/bare", "--shard", "0/3"], env: Self.env)
        #expect(bare.status != 0 && bare.stderr.contains("--phase"), "\(bare.stderr)")
    }

    /// Damaged phase files (cut short, a count past the end, an index of the wrong size) are errors naming
    /// the file, never a crash.
    @Test func damagedPhaseFilesAreErrorsNamingThem() throws {
        let dir = CLI.tempDir("mix-shares-damaged")
        _ = try Self.recipe(dir)
        try """
            seed: 3
            sources:
              - name: repeated
                paths: ["\(dir)/repeated.jsonl"]
                amount: {count: 500}
            """.write(toFile: dir + "/mix.yaml", atomically: true, encoding: .utf8)
        let out = dir + "/out"
        func phase(_ p: String, _ i: Int) throws -> CLI.Result {
            try CLI.run(["mix", "--recipe", dir + "/mix.yaml", "--output", out, "--phase", p, "--shard", "\(i)/2", "--quiet"], env: Self.env)
        }
        for i in 0..<2 { #expect(try phase("scan", i).status == 0) }
        let scan = out + "/phases/scan-s1of2.bin"
        let whole = try #require(FileManager.default.contents(atPath: scan))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: scan))
        let cut = try phase("plan", 0)
        #expect(cut.status == 1 && cut.stderr.contains("scan-s1of2.bin"), "\(cut.stderr)")
        var bytes = [UInt8](whole)
        // The first source's count of kept lines, right after the JSON header, made huge.
        let header = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        for k in 0..<8 { bytes[12 + header + k] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: scan))
        let huge = try phase("plan", 0)
        #expect(huge.status == 1 && huge.stderr.contains("scan-s1of2.bin") && huge.stderr.contains("more than the file holds"), "\(huge.stderr)")
        try whole.write(to: URL(fileURLWithPath: scan))
        #expect(try phase("plan", 0).status == 0)
        for i in 0..<2 { #expect(try phase("gather", i).status == 0) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: out + "/phases/gather-s0of2.index"))
        let index = try phase("write", 1)
        #expect(index.status == 1 && index.stderr.contains("gather-s0of2.index"), "\(index.stderr)")
    }
}
