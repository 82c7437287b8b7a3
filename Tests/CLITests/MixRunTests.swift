import Curation
import Foundation
import Testing

@Suite struct MixCommandTests {
    @Test func mixIsByteIdenticalForThreadsAndMemory() throws {
        let dir = MixCLI.tempDir()
        let recipe = MixCLI.fixture("weighted.yaml")
        let a = try CLI.run(["mix", "--recipe", recipe, "-o", dir + "/a", "--threads", "1", "--quiet"])
        let b = try CLI.run(["mix", "--recipe", recipe, "-o", dir + "/b", "--threads", "2", "--memory", "4KB", "--max-records", "100", "--quiet"])
        let c = try CLI.run(["mix", "--recipe", recipe, "-o", dir + "/c", "--threads", "2", "--max-records", "100", "--json", "--quiet"])
        #expect(a.status == 0 && b.status == 0 && c.status == 0, "\(a.stderr)\(b.stderr)\(c.stderr)")
        #expect(try MixCLI.lines(dir + "/a") == MixCLI.lines(dir + "/b"))
        #expect(try MixCLI.shards(dir + "/b") == MixCLI.shards(dir + "/c"))
        // The report: per source table, realised next to asked, counts add up.
        let report = try #require(try JSONParser.parse(c.stdout).objectValue)
        #expect(report["records_in"]?.intValue == 2178)
        let sources = try #require(report["sources"]?.arrayValue)
        #expect(sources.count == 5)
        #expect(sources.allSatisfy { $0["asked_share_tokens"] != nil && $0["realised_share_tokens"] != nil })
        #expect(FileManager.default.fileExists(atPath: dir + "/c/part.report.json"))
        #expect(try CLI.run(["mix", "--recipe", recipe, "-o", dir + "/seed", "--seed", "5", "--quiet"]).status == 0)
        #expect(try MixCLI.lines(dir + "/seed") != MixCLI.lines(dir + "/a"))
    }

    @Test func badMixRecipesFailWithFileLineAndEntry() throws {
        let r = try CLI.run(["mix", "--recipe", MixCLI.fixture("bad/two_units.yaml"), "-o", MixCLI.tempDir()])
        #expect(r.status != 0)
        #expect(r.stderr.contains("two_units.yaml:7:7: sources[0] \"chat\": two amounts given"), "\(r.stderr)")
    }
}

@Suite struct RunCommandTests {
    @Test(arguments: [
        ("unknown_source.yaml", 13, "unknown source \"web\""),
        ("unknown_stage.yaml", 10, "unknown source or stage \"cleaned\""),
        ("cycle.yaml", 5, "cycle between stages: a <- c <- b <- a"),
        ("unknown_kind.yaml", 6, "unknown stage kind \"rlhf_ppo\""),
    ])
    func badRunRecipesNameStageAndLine(file: String, line: Int, message: String) throws {
        let r = try CLI.run(["run", MixCLI.fixture("bad/\(file)"), "-o", MixCLI.tempDir()])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(file):\(line):"), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func rerunSkipsUnchangedStagesAndRedoesChangedOnes() throws {
        let dir = MixCLI.tempDir()
        let recipe = dir + "/run.yaml"
        // A copy of the fixture recipe that points at the fixtures, so it can be edited.
        let text = try String(contentsOfFile: MixCLI.fixture("run.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "paths: [", with: "paths: [\(MixCLI.fixture("chat.jsonl").dropLast("chat.jsonl".count))")
        try text.write(toFile: recipe, atomically: true, encoding: .utf8)
        let first = try CLI.run(["run", recipe, "-o", dir + "/out", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let mixed = try MixCLI.shards(dir + "/out/mix")
        let second = try CLI.run(["run", recipe, "-o", dir + "/out", "--json", "--quiet"])
        let shown = try #require(try JSONParser.parse(second.stdout).objectValue)
        #expect(shown["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["skipped", "skipped", "skipped"])
        // Change only the mix's settings: the converts are skipped, the mix runs again.
        try text.replacingOccurrences(of: "fraction: 0.75", with: "fraction: 0.5").write(toFile: recipe, atomically: true, encoding: .utf8)
        let third = try CLI.run(["run", recipe, "-o", dir + "/out", "--json", "--quiet"])
        let s3 = try #require(try JSONParser.parse(third.stdout).objectValue)
        #expect(s3["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["skipped", "skipped", "done"])
        #expect(try MixCLI.shards(dir + "/out/mix") != mixed)
        // A damaged output is not trusted: the stage runs again.
        let shard = dir + "/out/docs/part-00000.jsonl.zst"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: shard))
        let fourth = try CLI.run(["run", recipe, "-o", dir + "/out", "--json", "--quiet"])
        let s4 = try #require(try JSONParser.parse(fourth.stdout).objectValue)
        #expect(s4["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } == ["skipped", "done", "skipped"])

        let list = try CLI.run(["runs", "--store", dir + "/out"])
        #expect(list.stdout.split(separator: "\n").count == 2 + 4)
        let show = try CLI.run(["runs", "show", "1", "--store", dir + "/out"])
        #expect(show.stdout.contains("chat_shards") && show.stdout.contains("dropped in mix: duplicate"), "\(show.stdout)")
        let store = try RunStore(path: dir + "/out/runs.sqlite")
        let mix = try #require(try store.stage(run: 1, name: "mix"))
        #expect(mix.inputs.map(\.name) == ["chat_shards", "docs", "math"])
        #expect(mix.inputs.map(\.kind) == ["stage", "stage", "source"])
        #expect(mix.recordsIn == (mix.recordsOut ?? 0) + RunStore.droppedCounts(mix.dropped).reduce(0) { $0 + $1.1 })
    }

    /// Two stages of one run with the same kind, settings and inputs (a lab's `eval` scoring the model `eval-sft`
    /// already scored): under `--shared-stages` the second reuses the first's output and is still recorded
    /// under its own name, so whoever reads the run's stages by name finds it.
    @Test func aStageSharingAnotherStagesOutputInTheSameRunIsRecorded() throws {
        let dir = MixCLI.tempDir()
        let recipe = dir + "/twins.yaml"
        try """
        sources:
          chat: {paths: [\(MixCLI.fixture("chat.jsonl"))]}
        stages:
          - {name: first, kind: convert, inputs: [chat], max_records: 30}
          - {name: second, kind: convert, inputs: [chat], max_records: 30}
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", recipe, "-o", dir + "/out", "--shared-stages", dir + "/out/stages", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let store = try RunStore(path: dir + "/out/runs.sqlite")
        let first = try #require(try store.stage(run: 1, name: "first"))
        let second = try #require(try store.stage(run: 1, name: "second"))
        #expect(first.status == .done && second.status == .skipped)
        #expect(second.outputDirectory == first.outputDirectory && second.outputHash == first.outputHash)
    }

    /// `--shared-stages`: two recipes that differ in one stage (an ablation's variants) run into one store;
    /// their common stages are computed once, each variant's own stage keeps its outputs, and running the
    /// first variant again recomputes nothing.
    @Test func sharedStagesAreComputedOnceAcrossRecipes() throws {
        let dir = MixCLI.tempDir()
        let text = try String(contentsOfFile: MixCLI.fixture("run.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "paths: [", with: "paths: [\(MixCLI.fixture("chat.jsonl").dropLast("chat.jsonl".count))")
        let a = dir + "/a.yaml", b = dir + "/b.yaml"
        try text.write(toFile: a, atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: "fraction: 0.75", with: "fraction: 0.5").write(toFile: b, atomically: true, encoding: .utf8)
        func statuses(_ r: CLI.Result) throws -> [String] {
            let shown = try #require(try JSONParser.parse(r.stdout).objectValue, "\(r.stderr)")
            return shown["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } ?? []
        }
        let args = ["-o", dir + "/lab", "--shared-stages", dir + "/lab/stages", "--json", "--quiet"]
        let runA = try CLI.run(["run", a] + args)
        #expect(try statuses(runA) == ["done", "done", "done"], "\(runA.stderr)")
        let runB = try CLI.run(["run", b] + args)
        #expect(try statuses(runB) == ["skipped", "skipped", "done"], "\(runB.stderr)")
        let again = try CLI.run(["run", a] + args)
        #expect(try statuses(again) == ["skipped", "skipped", "skipped"], "\(again.stderr)")
        // Four stage directories: two converts shared, one mix per variant; both mixes differ.
        let dirs = try FileManager.default.contentsOfDirectory(atPath: dir + "/lab/stages").sorted()
        #expect(dirs.count == 4 && dirs.filter { $0.hasPrefix("mix-") }.count == 2, "\(dirs)")
        let mixes = try dirs.filter { $0.hasPrefix("mix-") }.map { try MixCLI.shards(dir + "/lab/stages/" + $0) }
        #expect(mixes[0] != mixes[1])
        // Sources inside the shared directory are refused like sources inside the run directory.
        let inside = try CLI.run(["run", a, "-o", dir + "/other", "--shared-stages", MixCLI.fixture(""), "--quiet"])
        #expect(inside.status != 0 && inside.stderr.contains("lies inside"), "\(inside.stderr)")
    }

    @Test func killedRunResumesAtItsStageWithTheSameBytes() throws {
        let dir = MixCLI.tempDir()
        let recipe = MixCLI.fixture("run.yaml")
        let clean = try CLI.run(["run", recipe, "-o", dir + "/clean", "--quiet", "--memory", "8KB"])
        #expect(clean.status == 0, "\(clean.stderr)")

        let killed = try CLI.run(["run", recipe, "-o", dir + "/out", "--quiet", "--memory", "8KB", "--threads", "1"],
                                    env: ["CURATE_TEST_KILL_AFTER_RECORDS": "50", "CURATE_TEST_KILL_KIND": "mix"])
        #expect(killed.signaled, "the child should die by SIGKILL (a release binary needs -Xswiftc -DCURATE_TEST_HOOKS, as scripts/test.sh builds it): \(killed.status) \(killed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/mix/part.manifest.json"))
        do {
            let store = try RunStore(path: dir + "/out/runs.sqlite")
            #expect(try store.run(1).status == .running)
            #expect(try store.stage(run: 1, name: "docs")?.status == .done)
            #expect(try store.stage(run: 1, name: "mix")?.status == .running)
        }
        let resumed = try CLI.run(["run", recipe, "-o", dir + "/out", "--json", "--quiet", "--memory", "8KB", "--threads", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let store = try RunStore(path: dir + "/out/runs.sqlite")
        #expect(try store.runs().count == 1)
        let run = try store.run(1)
        #expect(run.status == .succeeded && run.attempts == 2)
        let stages = try store.stages(run: 1)
        #expect(stages.map(\.attempts) == [1, 1, 2]) // only the killed stage ran again
        #expect(stages.map(\.status) == [.done, .done, .done])
        #expect(try MixCLI.shards(dir + "/out/mix") == MixCLI.shards(dir + "/clean/mix"))
        let ids = try MixCLI.lines(dir + "/out/mix").map { try JSONParser.parse($0)["id"]?.stringValue ?? "" }
        #expect(Set(ids).count == ids.count)
        #expect(ids.count == (try MixCLI.lines(dir + "/clean/mix")).count)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/out/mix").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}

/// `count_of: INPUT` in a run recipe's mix stage: as many records as another input has, known only when the
/// stage runs (the self-consistency lab's random control, the size of what the vote kept).
@Suite struct MixCountOfTests {
    static let recipe = """
    seed: 3
    stages:
      - name: samples
        kind: synth
        emit: samples
        train_count: 60
        min_steps: 1
        max_steps: 2
        max_number: 10
      - name: vote
        kind: vote
        inputs: [samples]
        dataset: gsm8k
        gold: ignore
      - name: control
        kind: mix
        inputs: [samples, vote]
        dedupe: false
        sources:
          - name: all
            input: samples
            count_of: vote
            dedupe: false

    """

    @Test func aMixTakesAsManyRecordsAsAnotherStageKept() throws {
        let dir = MixCLI.tempDir()
        try Self.recipe.write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/run.yaml", "-o", dir + "/out", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let voted = try MixCLI.lines(dir + "/out/vote").count
        let control = try MixCLI.lines(dir + "/out/control")
        #expect(voted > 0 && voted < 60)
        #expect(control.count == voted)
        #expect(Set(control).count == control.count)   // a subset, no repeats
        // gold: ignore keeps wrong majorities, which the default (check) drops.
        let checked = Self.recipe.replacingOccurrences(of: "gold: ignore", with: "gold: check")
        try checked.write(toFile: dir + "/checked.yaml", atomically: true, encoding: .utf8)
        let c = try CLI.run(["run", dir + "/checked.yaml", "-o", dir + "/checked", "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(try MixCLI.lines(dir + "/checked/vote").count < voted)
    }

    @Test func countOfNamesAnInputOfTheStage() throws {
        let dir = MixCLI.tempDir()
        let bad = Self.recipe.replacingOccurrences(of: "count_of: vote", with: "count_of: votes")
        try bad.write(toFile: dir + "/run.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/run.yaml", "-o", dir + "/out", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("run.yaml:22:") && r.stderr.contains("count_of: unknown input \"votes\""), "\(r.stderr)")
    }
}
