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
}
