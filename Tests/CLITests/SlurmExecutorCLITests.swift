import Curation
import Foundation
import Testing

/// `run --executor slurm --tasks N` on the real one-node cluster (scripts/slurm-cluster.sh): shareable
/// stages run as job arrays of `run-task --shard env` and merge to what the local executor writes; a
/// task that dies is the only one resubmitted; more tasks than MaxArraySize run as several arrays.
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
