import Curation
import Foundation
import Testing
import curate_tool

/// `run --executor slurm --tasks N` on the real one-node cluster (scripts/slurm-cluster.sh): shareable
/// stages run as job arrays of `run-task --shard env` and merge to what the local executor writes; a
/// task that dies, or is cancelled with `scancel` while it runs, is the only one resubmitted; more tasks than MaxArraySize run as several arrays.
@Suite(.serialized, .requiresSlurm) struct SlurmExecutorCLITests {
    @Test func slurmTasksGiveTheLocalExecutorsOutputs() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-exec")
        let recipe = try ExecutorCLITests.recipe(dir)
        let local = try ExecutorCLITests.run(recipe, dir + "/local", ["--executor", "local", "--tasks", "4"])
        #expect(local.status == 0, "\(local.stderr)")
        let slurm = try ExecutorCLITests.run(recipe, dir + "/slurm", ["--executor", "slurm", "--tasks", "4", "--max-parallel", "4",
                                                                       "--sbatch-arg", "--oversubscribe"])
        #expect(slurm.status == 0, "\(slurm.stderr)")
        try ExecutorCLITests.expectSameOutputs(dir + "/local", dir + "/slurm")
        let shown = try CLI.run(["runs", "show", "1", "--store", dir + "/slurm"])
        #expect(shown.stdout.contains("slurm executor") && shown.stdout.contains("slurm job") && shown.stdout.contains("slurm-"), "\(shown.stdout)")
        for i in 0..<4 {
            let st = try ExecutorCLITests.state(dir + "/slurm", "converted", i, of: 4)
            #expect(st["state"]?.stringValue == "done" && st["slurm_job"]?.stringValue?.hasSuffix("_\(i)") == true, "\(st)")
        }
        // Unchanged: the re-run skips both stages without submitting anything.
        let again = try ExecutorCLITests.run(recipe, dir + "/slurm", ["--executor", "slurm", "--tasks", "4"])
        let statuses = try ExecutorCLITests.statuses(again)
        #expect(again.status == 0 && statuses == ["skipped", "skipped"], "\(again.stderr)")
    }

    /// The demo recipe's data stages: decontam and verify as 4 Slurm tasks each, the rest inline.
    @Test func demoDataStagesOnSlurm() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        try ExecutorCLITests.demoDataStagesMatchInline(CLI.tempDir("slurm-demo"), ["--executor", "slurm", "--tasks", "4", "--sbatch-arg", "--oversubscribe"])
    }

    @Test func aTaskThatDiesIsTheOnlyOneResubmitted() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-kill")
        let recipe = try ExecutorCLITests.recipe(dir)
        let inline = try ExecutorCLITests.run(recipe, dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let out = dir + "/slurm"
        let args = ["--executor", "slurm", "--tasks", "4", "--retries", "0", "--sbatch-arg", "--oversubscribe"]
        var env = ExecutorCLITests.unitEnv
        env["CURATE_TEST_KILL_SHARE"] = "2"
        env["CURATE_TEST_KILL_KIND"] = "convert"
        let killed = try ExecutorCLITests.run(recipe, out, args, env: env)
        #expect(killed.status != 0 && killed.stderr.contains("share 2/4"), "\(killed.stderr)")
        let before = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }
        #expect(before[2]["state"]?.stringValue == "failed")
        #expect([0, 1, 3].allSatisfy { before[$0]["state"]?.stringValue == "done" })

        let again = try ExecutorCLITests.run(recipe, out, args)
        #expect(again.status == 0, "\(again.stderr)")
        let after = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }
        for i in [0, 1, 3] {
            #expect(after[i]["attempts"]?.intValue == 1 && after[i]["slurm_job"] == before[i]["slurm_job"], "share \(i) was resubmitted")
        }
        #expect(after[2]["attempts"]?.intValue == 2 && after[2]["state"]?.stringValue == "done" && after[2]["slurm_job"] != before[2]["slurm_job"])
        try ExecutorCLITests.expectSameOutputs(dir + "/inline", out)
    }

    /// A task cancelled mid-run (`scancel`) fails the run naming its share; the re-run resubmits that share
    /// alone (the others keep their one attempt and job), and every output is the local executor's.
    @Test func aCancelledTaskIsTheOnlyOneResubmitted() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-cancel")
        let recipe = try ExecutorCLITests.recipe(dir)
        let local = try ExecutorCLITests.run(recipe, dir + "/local", ["--executor", "local", "--tasks", "4"])
        #expect(local.status == 0, "\(local.stderr)")
        let out = dir + "/slurm"
        let args = ["--executor", "slurm", "--tasks", "4", "--retries", "0", "--sbatch-arg", "--oversubscribe"]
        var env = ExecutorCLITests.unitEnv
        // Share 2 of the convert stage waits 90 s before its work: it is running, and not done, when cancelled.
        env["CURATE_TEST_SLOW_SHARE"] = "2:90"
        env["CURATE_TEST_SLOW_KIND"] = "convert"
        let run = try BackgroundCLI(["run", (recipe as NSString).lastPathComponent, "--output", out, "--json", "--quiet"] + args,
                                    cwd: dir, env: env)
        var job: String?
        defer {
            run.stop()
            if let job { _ = try? SlurmTestCluster.commands.run("scancel", [job]) }
        }
        // Share 2's job, once Slurm runs it and its task has started the share (its log says so).
        let running = BackgroundCLI.waitFor(120) {
            guard run.isRunning, let st = try? ExecutorCLITests.state(out, "converted", 2, of: 4), let j = st["slurm_job"]?.stringValue,
                  let q = try? SlurmTestCluster.commands.run("squeue", ["-h", "-j", j, "-o", "%T"], timeout: 10),
                  q.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "RUNNING",
                  let log = st["log"]?.stringValue, ShareCLITests.text(log).contains("share 2/4 of stage \"converted\"") else { return false }
            job = j
            return true
        }
        let cancelled = try #require(running ? job : nil, "share 2's task never ran: \(run.stderrSoFar)")
        let scancel = try SlurmTestCluster.commands.run("scancel", [cancelled], timeout: 30)
        #expect(scancel.status == 0, "\(scancel.stderr)")
        let killed = run.wait(timeout: 300)
        #expect(killed.status != 0 && killed.stderr.contains("share 2/4"), "\(killed.stderr)")
        let before = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }
        #expect(before[2]["state"]?.stringValue == "failed" && before[2]["slurm_job"]?.stringValue == cancelled, "\(before[2])")
        #expect([0, 1, 3].allSatisfy { before[$0]["state"]?.stringValue == "done" }, "\(before)")
        #expect(!FileManager.default.fileExists(atPath: out + "/converted/shares/s2of4.json"))
        // `runs watch` on the failed run names the cancelled task and its job.
        let watched = try CLI.run(["runs", "watch", "1", "--store", out])
        #expect(watched.status == 1 && watched.stdout.contains("converted share 2/4: failed") && watched.stdout.contains("slurm job \(cancelled)"),
                "\(watched.stdout)\n\(watched.stderr)")

        let again = try ExecutorCLITests.run(recipe, out, args)
        #expect(again.status == 0, "\(again.stderr)")
        let after = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }
        for i in [0, 1, 3] {
            #expect(after[i]["attempts"]?.intValue == 1 && after[i]["slurm_job"] == before[i]["slurm_job"], "share \(i) was resubmitted")
        }
        #expect(after[2]["attempts"]?.intValue == 2 && after[2]["state"]?.stringValue == "done" && after[2]["slurm_job"] != before[2]["slurm_job"], "\(after[2])")
        try ExecutorCLITests.expectSameOutputs(dir + "/local", out)
    }

    /// 40 tasks with MaxArraySize 11: four arrays (offsets 0, 11, 22, 33), every share once.
    @Test func moreTasksThanMaxArraySizeRunAsSeveralArrays() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let set = try SlurmTestCluster.script(["--max-array-size", "11"])
        #expect(set.status == 0, "\(set.stderr)")
        defer { _ = try? SlurmTestCluster.script(["--max-array-size", "1001"]) }
        let dir = CLI.tempDir("slurm-forty")
        let recipe = try ExecutorCLITests.recipe(dir)
        let env = ["CURATE_SHARE_UNIT_BYTES": "2048"]
        let inline = try ExecutorCLITests.run(recipe, dir + "/inline", [], env: env)
        #expect(inline.status == 0, "\(inline.stderr)")
        let slurm = try ExecutorCLITests.run(recipe, dir + "/slurm", ["--executor", "slurm", "--tasks", "40", "--sbatch-arg", "--oversubscribe"], env: env)
        #expect(slurm.status == 0, "\(slurm.stderr)")
        try ExecutorCLITests.expectSameOutputs(dir + "/inline", dir + "/slurm")
        let jobs = Set(try (0..<40).compactMap { try ExecutorCLITests.state(dir + "/slurm", "converted", $0, of: 40)["slurm_job"]?.stringValue?.split(separator: "_").first })
        #expect(jobs.count == 4, "\(jobs)")
    }
    /// `clean` reads `converted`: both go to Slurm in one submission, clean's jobs after converted's merge
    /// job (afterok), reading converted's manifest when they start. When a share of converted dies, Slurm
    /// cancels clean's jobs (they never ran: pending, no attempt counted); the re-run resubmits that share,
    /// converted's merge and clean only, and the outputs are the local executor's.
    @Test func aChainedRecipeIsOneSubmissionAndAFailureStopsWhatFollows() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-chain")
        let recipe = dir + "/chain.yaml"
        try """
            seed: 7
            sources:
              raw: {paths: ["\(CLI.fixture("decontam/train-mix.jsonl"))", "\(CLI.fixture("train/chat.jsonl"))"]}
            stages:
              - name: converted
                kind: convert
                inputs: [raw]
              - name: clean
                kind: decontam
                inputs: [converted]
                evals:
                  gsm8k: \(CLI.fixture("evals/gsm8k-test.jsonl"))
                ngram: 8
                action: drop
              - name: picked
                kind: mix
                inputs: [clean]
                sources:
                  - name: general
                    input: clean
                    amount: {fraction: 0.5}
              - name: tidy
                kind: normalize
                inputs: [picked]
                to: chat

            """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let env = ["CURATE_SHARE_UNIT_BYTES": "2048"]
        let local = try ExecutorCLITests.run(recipe, dir + "/local", ["--executor", "local", "--tasks", "4"], env: env)
        #expect(local.status == 0, "\(local.stderr)")

        let out = dir + "/slurm"
        let args = ["--executor", "slurm", "--tasks", "4", "--retries", "0", "--sbatch-arg", "--oversubscribe"]
        var dying = env
        dying["CURATE_TEST_KILL_SHARE"] = "2"
        dying["CURATE_TEST_KILL_KIND"] = "convert"
        let killed = try ExecutorCLITests.run(recipe, out, args, env: dying)
        #expect(killed.status != 0 && killed.stderr.contains("share 2/4"), "\(killed.stderr)")
        // Submitted at once, each after the stage it reads (the batch scripts say so).
        #expect(ShareCLITests.text(out + "/clean/tasks/slurm-prepare.sh").contains("--kill-on-invalid-dep=yes: after stage converted."))
        // The mix's first phase waits for clean; the one-job stage for the mix.
        #expect(ShareCLITests.text(out + "/picked/tasks/slurm-scan-array0.sh").contains("--kill-on-invalid-dep=yes: after stage clean."))
        #expect(ShareCLITests.text(out + "/tidy/tasks/slurm-whole.sh").contains("--kill-on-invalid-dep=yes: after stage picked."))
        for i in 0..<4 {
            let st = try ExecutorCLITests.state(out, "clean", i, of: 4)
            #expect(st["state"]?.stringValue == "pending" && st["attempts"]?.intValue == 0, "clean share \(i): \(st)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/clean/tasks/outcome.json"))
        let before = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }

        let again = try ExecutorCLITests.run(recipe, out, args, env: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try ExecutorCLITests.statuses(again) == ["done", "done", "done", "done"], "\(again.stdout)")
        let after = try (0..<4).map { try ExecutorCLITests.state(out, "converted", $0, of: 4) }
        for i in [0, 1, 3] {
            #expect(after[i]["attempts"]?.intValue == 1 && after[i]["slurm_job"] == before[i]["slurm_job"], "share \(i) was resubmitted")
        }
        #expect(after[2]["attempts"]?.intValue == 2 && after[2]["state"]?.stringValue == "done")
        for i in 0..<4 {
            let st = try ExecutorCLITests.state(out, "clean", i, of: 4)
            #expect(st["state"]?.stringValue == "done" && st["attempts"]?.intValue == 1, "clean share \(i): \(st)")
        }
        // The mix ran in phases (scan, plan, gather) before its shares, all on the cluster.
        for name in ["scan-s3of4", "plan-s0of1", "gather-s0of4", "s3of4"] {
            let st = try JSONParser.parse(String(contentsOfFile: out + "/picked/tasks/\(name).state.json", encoding: .utf8))
            #expect(st["state"]?.stringValue == "done" && st["slurm_job"]?.stringValue?.isEmpty == false, "\(name): \(st)")
        }
        // The single-job stage ran on the cluster as one job.
        let whole = try ExecutorCLITests.state(out, "tidy", 0, of: 1)
        #expect(whole["state"]?.stringValue == "done" && whole["slurm_job"]?.stringValue?.isEmpty == false, "\(whole)")

        for stage in ["converted", "clean", "picked", "tidy"] {
            let a = try ShareCLITests.records(dir + "/local/" + stage), b = try ShareCLITests.records(out + "/" + stage)
            #expect(!a.isEmpty && a == b, "\(stage): \(a.count) vs \(b.count) records")
            #expect(try ExecutorCLITests.normalized(dir + "/local/\(stage)/report.json", run: dir + "/local")
                    == ExecutorCLITests.normalized(out + "/\(stage)/report.json", run: out), "\(stage)")
        }
        #expect(try ExecutorCLITests.normalized(dir + "/local/clean/decontam.report.json", run: dir + "/local")
                == ExecutorCLITests.normalized(out + "/clean/decontam.report.json", run: out))
        let matches = { (run: String) in ShareCLITests.text(run + "/clean/matches.jsonl").replacingOccurrences(of: run + "/", with: "RUN/") }
        #expect(matches(dir + "/local") == matches(out))
        #expect(try Manifest.load(out + "/clean/part.manifest.json").verify(directory: out + "/clean").isEmpty)
    }
    /// A training stage is one Slurm job (`run-task --step whole`, `--cpus-per-task` threads) after the data
    /// stages it reads, and trains the model the inline run trains with as many threads, byte for byte.
    @Test func trainingIsOneJobAndTrainsTheInlineModel() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-sft")
        let demo = try String(contentsOfFile: CLI.root + "/Fixtures/recipes/demo.yaml", encoding: .utf8)
        let cut = try #require(demo.range(of: "\n  - name: dpo"))
        try ("directory: \(CLI.root)/Fixtures/recipes\n" + demo[..<cut.lowerBound] + "\n").write(toFile: dir + "/sft.yaml", atomically: true, encoding: .utf8)
        let inline = try ExecutorCLITests.run(dir + "/sft.yaml", dir + "/inline", ["--threads", "2"])
        #expect(inline.status == 0, "\(inline.stderr)")
        let slurm = try ExecutorCLITests.run(dir + "/sft.yaml", dir + "/slurm", ["--executor", "slurm", "--tasks", "2", "--cpus-per-task", "2",
                                                                                 "--sbatch-arg", "--oversubscribe"])
        #expect(slurm.status == 0, "\(slurm.stderr)")
        #expect(try ExecutorCLITests.statuses(slurm) == Array(repeating: "done", count: 6), "\(slurm.stdout)")
        let job = try ExecutorCLITests.state(dir + "/slurm", "sft", 0, of: 1)
        #expect(job["state"]?.stringValue == "done" && job["slurm_job"]?.stringValue?.isEmpty == false, "\(job)")
        #expect(ShareCLITests.text(dir + "/slurm/sft/tasks/slurm-whole.sh").contains("--cpus-per-task=2"))
        #expect(ShareCLITests.text(dir + "/slurm/sft/tasks/slurm-whole.sh").contains("after stage mix."))
        for file in ["model.safetensors", "tokenizer.json", "config.json"] {
            let a = FileManager.default.contents(atPath: dir + "/inline/sft/" + file), b = FileManager.default.contents(atPath: dir + "/slurm/sft/" + file)
            #expect(a != nil && a == b, "\(file)")
        }
    }
    /// A `run` stopped while its jobs wait leaves them to the cluster, and a second `run` of the recipe does not
    /// submit the same stage beside them: it names the queued jobs. Once they are gone, the run goes ahead.
    @Test func aStageIsNotSubmittedWhileItsEarlierJobsAreQueued() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-twice")
        let recipe = try ExecutorCLITests.recipe(dir)
        let out = dir + "/slurm"
        func listed() -> [String] {
            ["converted", "clean"].flatMap { stage in
                ShareCLITests.text(out + "/\(stage)/tasks/slurm-jobs.txt").split(whereSeparator: \.isNewline).map(String.init).filter { $0.allSatisfy(\.isNumber) }
            }
        }
        // Jobs that may not start for ten minutes: queued, pending, when the run is stopped.
        let first = try BackgroundCLI(["run", (recipe as NSString).lastPathComponent, "--output", out, "--json", "--quiet",
                                       "--executor", "slurm", "--tasks", "2", "--sbatch-arg", "--begin=now+600"],
                                      cwd: dir, env: ExecutorCLITests.unitEnv)
        defer {
            first.stop()
            let jobs = listed()
            if !jobs.isEmpty { _ = try? SlurmTestCluster.commands.run("scancel", jobs, timeout: 30) }
        }
        #expect(BackgroundCLI.waitFor(60) { listed().count >= 4 }, "not every stage submitted: \(first.stderrSoFar)")
        first.stop()
        let queued = listed()
        let again = try ExecutorCLITests.run(recipe, out, ["--executor", "slurm", "--tasks", "2"])
        #expect(again.status != 0 && again.stderr.contains("still queued or running") && again.stderr.contains("scancel"), "\(again.stderr)")
        #expect(queued.contains { again.stderr.contains($0) }, "\(again.stderr)")

        let cancel = try SlurmTestCluster.commands.run("scancel", queued, timeout: 30)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(BackgroundCLI.waitFor(60) {
            let q = try? SlurmTestCluster.commands.run("squeue", ["-h", "-j", queued.joined(separator: ","), "-o", "%i"], timeout: 10)
            return (q?.stdout ?? "x").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        })
        let third = try ExecutorCLITests.run(recipe, out, ["--executor", "slurm", "--tasks", "2", "--sbatch-arg", "--oversubscribe"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try ExecutorCLITests.statuses(third) == ["done", "done"], "\(third.stdout)")
    }
}
