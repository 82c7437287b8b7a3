import Curation
import Foundation
import Testing
import curate_tool

/// The Slurm client layer against a real slurmctld (scripts/slurm-cluster.sh): arrays submitted with
/// sbatch, chained with afterok, watched with squeue, inspected with scontrol. Serialized: one test
/// restarts slurmctld with MaxArraySize=11.
@Suite(.serialized, .requiresSlurm) struct SlurmClusterTests {
    static let commands = SlurmCommands(timeout: 30)
    let submit = SlurmSubmit(commands: commands)
    let wait = SlurmWait(queue: SlurmQueue(commands: commands), initialInterval: 0.2, maxInterval: 1)

    /// Submits one array running `shell` (a `/bin/sh -c` command) per chunk of `plan`, logs in `dir/tasks`.
    func submitPlan(_ plan: ArrayPlan, name: String, dir: String, shell: String, afterOK: [String] = []) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir + "/tasks", withIntermediateDirectories: true)
        var ids: [String] = []
        for (n, chunk) in plan.chunks.enumerated() {
            // Trivial tasks may share a CPU (the test cluster's partition allows 8 per CPU for jobs that ask):
            // on a 2-CPU machine scheduling latency, not work, would otherwise set the pace.
            let script = SbatchScript(jobName: name, plan: plan, chunk: chunk, logDirectory: dir + "/tasks", command: ["/bin/sh", "-c", shell],
                                      options: SbatchOptions(extra: ["--oversubscribe"]))
            ids.append(try submit.submit(script, writingTo: dir + "/tasks/\(name)-\(n).sbatch", afterOK: afterOK))
        }
        return ids
    }

    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stage B (afterok on stage A's array) starts only after every A task succeeded: each B task sees all
    /// of A's files. Then scontrol still reports the finished tasks' exit codes and logs.
    @Test func twoStageChainOfArraysWithAfterOK() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm chain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        let plan = try ArrayPlan(tasks: 6, maxArraySize: 1001)
        let a = try submitPlan(plan, name: "chain-a", dir: dir, shell: "sleep 0.3; echo $SLURM_ARRAY_TASK_ID > '\(dir)/a/'$SLURM_ARRAY_TASK_ID")
        let b = try submitPlan(plan, name: "chain-b", dir: dir,
                               shell: "ls '\(dir)/a' | wc -l > '\(dir)/b/'$SLURM_ARRAY_TASK_ID", afterOK: a)
        try wait.untilDone(a + b, timeout: 90)
        for i in 0..<6 {
            #expect(Self.read("\(dir)/a/\(i)") == "\(i)", "stage A task \(i)")
            #expect(Self.read("\(dir)/b/\(i)") == "6", "stage B task \(i) ran after all of stage A")
        }
        let records = try SlurmJobInfo(commands: Self.commands).records(try #require(a.first))
        #expect(records.count == 6)
        let hostname = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        for r in records {
            #expect(r.succeeded, "\(r.fields)")
            #expect(r.nodeList == hostname || hostname.isEmpty)
            let log = try #require(r.stdOut)
            #expect(log == "\(dir)/tasks/slurm-\(a[0])_\(try #require(r.arrayTaskID)).log")
            #expect(FileManager.default.fileExists(atPath: log))
        }
    }

    /// A failed task fails its array's afterok: the dependent array is cancelled (--kill-on-invalid-dep)
    /// instead of pending forever on DependencyNeverSatisfied, so the wait ends; the failed task's exit
    /// code is in scontrol, and only its completion record is missing.
    @Test func failedDependencyCancelsInsteadOfHanging() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-fail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/shares", withIntermediateDirectories: true)
        let plan = try ArrayPlan(tasks: 3, maxArraySize: 1001)
        let a = try submitPlan(plan, name: "fail-a", dir: dir,
                               shell: "[ $SLURM_ARRAY_TASK_ID -ne 1 ] || exit 7; echo '{}' > '\(dir)/shares/s'$SLURM_ARRAY_TASK_ID'of3.json'")
        let b = try submitPlan(plan, name: "fail-b", dir: dir, shell: "touch '\(dir)/b-ran'", afterOK: a)
        try wait.untilDone(a + b, timeout: 90)
        #expect(!FileManager.default.fileExists(atPath: dir + "/b-ran"))
        #expect(try ShareCompletion.missing(stageDirectory: dir, count: 3) == [1])
        let failed = try SlurmJobInfo(commands: Self.commands).records("\(a[0])_1")
        #expect(failed.first?.state == "FAILED" && failed.first?.exitStatus == 7)
        let cancelled = try SlurmJobInfo(commands: Self.commands).records(b[0])
        #expect(cancelled.allSatisfy { $0.state == "CANCELLED" }, "\(cancelled.map(\.state))")
        try SlurmCancel(commands: Self.commands).cancel(a + b)  // already finished: not an error
    }

    /// With MaxArraySize=11 Slurm refuses index 11, and 40 tasks go as 4 arrays whose tasks compute their
    /// global share from CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID; every share runs exactly once.
    @Test func fortyTasksAcrossArraysAtMaxArraySizeEleven() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let up = try SlurmTestCluster.script(["--max-array-size", "11"])
        try #require(up.status == 0, "slurm-cluster.sh --max-array-size 11: \(up.stderr)")
        defer {
            let back = try? SlurmTestCluster.script([])
            #expect(back?.status == 0, "restoring MaxArraySize: \(back?.stderr ?? "")")
        }
        let config = try SlurmConfig.load(using: Self.commands)
        #expect(config.maxArraySize == 11)

        let dir = CLI.tempDir("slurm-40")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        // The limit is real: an array with index 11 is refused.
        let tooBig = SbatchScript(jobName: "too-big", array: "0-11", logDirectory: dir, shareCount: 12, shareOffset: 0, command: ["true"])
        #expect(throws: SlurmError.self) { try submit.submit(tooBig, writingTo: dir + "/too-big.sbatch") }

        let plan = try ArrayPlan(tasks: 40, maxArraySize: config.maxArraySize, maxParallel: 3)
        #expect(plan.chunks.map(\.count) == [11, 11, 11, 7])
        let ids = try submitPlan(plan, name: "forty", dir: dir,
                                 shell: "i=$((CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID)); echo \"$i $CURATE_SHARD_COUNT\" >> '\(dir)/out/'$i")
        try wait.untilDone(ids, timeout: 120)
        for i in 0..<40 { #expect(Self.read("\(dir)/out/\(i)") == "\(i) 40", "share \(i)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").count == 40)
    }

    /// The real tool under Slurm: 5 shares of `convert --shard env` as arrays of at most 3 (offsets 0 and 3),
    /// each task writing its outputs and completion record to the shared directory; `merge`, a job with
    /// afterok on both arrays, then gives exactly the records of one unsharded run.
    @Test func curateToolSharesRunAsArraysAndMerge() throws {
        SlurmTestCluster.lock.lock(); defer { SlurmTestCluster.lock.unlock() }
        try SlurmTestCluster.require()
        let dir = CLI.tempDir("slurm-convert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = CLI.fixture("decontam/train-mix.jsonl")
        let whole = try CLI.run(["convert", input, "--output", dir + "/whole", "--quiet"])
        try #require(whole.status == 0, "\(whole.stderr)")
        let plan = try ArrayPlan(tasks: 5, maxArraySize: 3)
        #expect(plan.chunks.map(\.offset) == [0, 3])
        let stage = dir + "/convert"
        try FileManager.default.createDirectory(atPath: stage + "/tasks", withIntermediateDirectories: true)
        var ids: [String] = []
        for (n, chunk) in plan.chunks.enumerated() {
            let script = SbatchScript(jobName: "convert", plan: plan, chunk: chunk, logDirectory: stage + "/tasks",
                                      command: [CLI.binary, "convert", input, "--output", stage, "--shard", "env", "--quiet"],
                                      environment: [("CURATE_SHARE_UNIT_BYTES", "4096")], options: SbatchOptions(extra: ["--oversubscribe"]))
            ids.append(try submit.submit(script, writingTo: stage + "/tasks/convert-\(n).sbatch"))
        }
        // The merge runs on the cluster too, as one job after every array succeeded.
        let merge = SbatchScript.single(jobName: "convert-merge", logDirectory: stage + "/tasks", command: [CLI.binary, "merge", stage, "--quiet"])
        let mergeID = try submit.submit(merge, writingTo: stage + "/tasks/merge.sbatch", afterOK: ids)
        try wait.untilDone(ids + [mergeID], timeout: 120)
        let missing = try ShareCompletion.missing(stageDirectory: stage, count: 5)
        #expect(missing.isEmpty, "shares without a completion record: \(missing); logs in \(stage)/tasks")
        let mergeJob = try SlurmJobInfo(commands: Self.commands).records(mergeID)
        #expect(mergeJob.first?.succeeded == true, "merge job: \(mergeJob.first?.fields ?? [:]); log \(stage)/tasks/slurm-\(mergeID).log")
        #expect(FileManager.default.fileExists(atPath: stage + "/tasks/slurm-\(mergeID).log"))
        func records(_ d: String) throws -> [String] {
            var out: [String] = []
            for f in try InputFiles.resolve([d]) {
                try LineReader(path: f).forEachLine { line, _, _ in out.append(String(decoding: line, as: UTF8.self)) }
            }
            return out
        }
        let one = try records(dir + "/whole"), shared = try records(stage)
        #expect(one.count > 50 && one == shared)
    }
}
