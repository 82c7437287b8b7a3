import Foundation
import Testing
import curate_tool

/// The Slurm client layer's parsing and planning, on sample command output (no cluster needed).
@Suite struct SlurmUnitTests {
    // MARK: ArrayPlan

    @Test func fortyTasksWithMaxArraySizeElevenMakeFourArrays() throws {
        let plan = try ArrayPlan(tasks: 40, maxArraySize: 11)
        #expect(plan.chunks.map(\.count) == [11, 11, 11, 7])
        #expect(plan.chunks.map(\.offset) == [0, 11, 22, 33])
        #expect(plan.chunks.map { $0.arraySpec(maxParallel: nil) } == ["0-10", "0-10", "0-10", "0-6"])
        #expect(plan.shares == Array(0..<40))
        // Every index is below MaxArraySize, as Slurm requires.
        #expect(plan.chunks.allSatisfy { $0.indices.allSatisfy { $0 < 11 } })
    }

    @Test func arrayPlanEdges() throws {
        #expect(try ArrayPlan(tasks: 11, maxArraySize: 11).chunks.map(\.count) == [11])
        #expect(try ArrayPlan(tasks: 12, maxArraySize: 11).chunks.map(\.count) == [11, 1])
        #expect(try ArrayPlan(tasks: 1, maxArraySize: 1).chunks.map { $0.arraySpec(maxParallel: nil) } == ["0"])
        #expect(try ArrayPlan(tasks: 3, maxArraySize: 1).chunks.map(\.offset) == [0, 1, 2])
        #expect(try ArrayPlan(tasks: 5000, maxArraySize: 1001).chunks.map(\.count) == [1001, 1001, 1001, 1001, 996])
        #expect(try ArrayPlan(tasks: 20, maxArraySize: 11, maxParallel: 4).chunks.map { $0.arraySpec(maxParallel: 4) } == ["0-10%4", "0-8%4"])
        #expect(throws: SlurmError.self) { try ArrayPlan(tasks: 0, maxArraySize: 11) }
        #expect(throws: SlurmError.self) { try ArrayPlan(tasks: 5, maxArraySize: 0) }
        #expect(throws: SlurmError.self) { try ArrayPlan(tasks: 5, maxArraySize: 11, maxParallel: 0) }
        #expect(throws: SlurmError.self) { try ArrayPlan(shares: [3, 9], shareCount: 9, maxArraySize: 11) }
        #expect(ArrayPlan.perArrayLimit(8, arrays: 4) == 2)
        #expect(ArrayPlan.perArrayLimit(3, arrays: 4) == 1)
    }

    /// A resumed stage runs only its missing shares: index lists relative to each array's first share.
    @Test func arrayPlanOfMissingShares() throws {
        let plan = try ArrayPlan(shares: [3, 4, 5, 7, 9, 10, 14, 30, 31, 3], shareCount: 40, maxArraySize: 11)
        #expect(plan.chunks.map(\.offset) == [3, 14, 30])
        #expect(plan.chunks.map { $0.arraySpec(maxParallel: nil) } == ["0-2,4,6-7", "0", "0-1"])
        #expect(plan.shares == [3, 4, 5, 7, 9, 10, 14, 30, 31])
    }

    // MARK: SbatchScript

    @Test func scriptQuotesTheCommandAndExportsTheShare() throws {
        let plan = try ArrayPlan(tasks: 40, maxArraySize: 11, maxParallel: 3)
        let script = SbatchScript(jobName: "curate dedup", plan: plan, chunk: plan.chunks[2], logDirectory: "/shared/run 1/dedup/tasks/",
                                  command: ["/opt/curate tool/curate-tool", "run-task", "/shared/run 1/dedup/tasks/task.json", "--shard", "env", "it's"],
                                  environment: [("CURATE_THREADS", "2")],
                                  options: SbatchOptions(partition: "cpu", account: "lab", time: "1:00:00", mem: "4G", cpusPerTask: 2, extra: ["--qos=high"]))
        let text = try script.text()
        #expect(text.hasPrefix("#!/bin/sh\n"))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("#SBATCH --job-name=\"curate dedup\""))
        #expect(lines.contains("#SBATCH --array=0-10%3"))
        #expect(lines.contains("#SBATCH --output=\"/shared/run 1/dedup/tasks/slurm-%A_%a.log\""))
        #expect(lines.contains("#SBATCH --partition=cpu"))
        #expect(lines.contains("#SBATCH --account=lab"))
        #expect(lines.contains("#SBATCH --time=1:00:00"))
        #expect(lines.contains("#SBATCH --mem=4G"))
        #expect(lines.contains("#SBATCH --cpus-per-task=2"))
        #expect(lines.contains("#SBATCH --qos=high"))
        #expect(lines.contains("export CURATE_SHARD_COUNT=40"))
        #expect(lines.contains("export CURATE_SHARD_OFFSET=22"))
        #expect(lines.contains("export CURATE_THREADS=2"))
        #expect(lines.last == "exec '/opt/curate tool/curate-tool' run-task '/shared/run 1/dedup/tasks/task.json' --shard env 'it'\\''s'")
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        let firstCommand = lines.firstIndex { !$0.hasPrefix("#") } ?? lines.count
        #expect(!lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") })
    }

    /// The quoted command line is the same words after sh parses it.
    @Test func shellQuotingRoundTripsThroughSh() throws {
        let words = ["plain", "with space", "it's", "$HOME", "`date`", "a\"b", "back\\slash", "", "new\nline", "*", "semi;colon"]
        let r = try CLI.runProgram("/bin/sh", ["-c", "for a in " + (try ShellQuoting.join(words)) + "; do printf '%s\\0' \"$a\"; done"])
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == words)
        #expect(throws: SlurmError.self) { try ShellQuoting.quote("nul\u{0}") }
    }

    @Test func scriptRefusesWhatADirectiveCannotCarry() throws {
        func text(_ options: SbatchOptions = SbatchOptions(), log: String = "/scratch/t", name: String = "j", env: [(String, String)] = []) throws -> String {
            try SbatchScript(jobName: name, array: "0-3", logDirectory: log, shareCount: 4, shareOffset: 0, command: ["true"],
                             environment: env, options: options).text()
        }
        #expect(throws: SlurmError.self) { try text(SbatchOptions(extra: ["-p debug"])) }
        #expect(throws: SlurmError.self) { try text(SbatchOptions(extra: ["script.sh"])) }
        #expect(throws: SlurmError.self) { try text(SbatchOptions(extra: ["--array=0-99"])) }
        #expect(throws: SlurmError.self) { try text(SbatchOptions(extra: ["--qos=a\n#SBATCH --array=0-9"])) }
        #expect(throws: SlurmError.self) { try text(SbatchOptions(partition: "a\"b")) }
        #expect(throws: SlurmError.self) { try text(log: "/scratch/a\nb") }
        #expect(throws: SlurmError.self) { try text(name: "") }
        #expect(throws: SlurmError.self) { try text(env: [("1BAD", "x")]) }
        #expect(throws: SlurmError.self) {
            try SbatchScript(jobName: "j", array: "0-3; rm", logDirectory: "/t", shareCount: 4, shareOffset: 0, command: ["true"]).text()
        }
        #expect(throws: SlurmError.self) {
            try SbatchScript(jobName: "j", array: "0-3", logDirectory: "/t", shareCount: 4, shareOffset: 4, command: ["true"]).text()
        }
        // A % in the directory is doubled so Slurm does not expand it.
        #expect(try text(log: "/scratch/100%").contains("#SBATCH --output=/scratch/100%%/slurm-%A_%a.log"))
    }

    @Test func singleJobScriptHasNoArrayOrShare() throws {
        let text = try SbatchScript.single(jobName: "merge", logDirectory: "/s/tasks", command: ["curate-tool", "merge", "/s"]).text()
        #expect(!text.contains("--array") && !text.contains("CURATE_SHARD"))
        #expect(text.contains("#SBATCH --output=/s/tasks/slurm-%j.log\n"))
        #expect(text.hasSuffix("exec curate-tool merge /s\n"))
    }

    // MARK: sbatch

    @Test func sbatchArgumentsAndJobID() throws {
        #expect(try SlurmSubmit.arguments(scriptPath: "/t/a.sbatch") == ["--parsable", "/t/a.sbatch"])
        #expect(try SlurmSubmit.arguments(scriptPath: "/t/a.sbatch", afterOK: ["12", "13"])
            == ["--parsable", "--dependency=afterok:12:13", "--kill-on-invalid-dep=yes", "/t/a.sbatch"])
        #expect(throws: SlurmError.self) { try SlurmSubmit.arguments(scriptPath: "/t/a", afterOK: ["12,13"]) }
        #expect(try SlurmSubmit.parseJobID("4242\n") == "4242")
        #expect(try SlurmSubmit.parseJobID("4242;cluster\n") == "4242")
        #expect(throws: SlurmError.self) { try SlurmSubmit.parseJobID("") }
        #expect(throws: SlurmError.self) { try SlurmSubmit.parseJobID("Submitted batch job 4242") }
    }

    // MARK: scontrol show config

    static let showConfig = """
        Configuration data as of 2026-12-06T14:59:17
        AccountingStorageBackupHost = (null)
        AccountingStorageType   = accounting_storage/none
        MaxArraySize            = 11
        MaxJobCount             = 20000
        MinJobAge               = 300 sec
        SchedulerParameters     = default_queue_depth=1000,bf_max_job_test=1000
        SlurmctldHost[0]        = vm

        Cgroup Support Configuration:
        AllowedKmemSpace        = (null)
        """

    @Test func parsesShowConfig() throws {
        let c = try SlurmConfig(parsing: Self.showConfig)
        #expect(c.maxArraySize == 11)
        #expect(c.maxJobCount == 20000)
        #expect(c.minJobAge == 300)
        #expect(c.values["SchedulerParameters"] == "default_queue_depth=1000,bf_max_job_test=1000")
        #expect(c.values["SlurmctldHost[0]"] == "vm")
        // Missing limits take Slurm's defaults; unreadable ones are errors.
        let d = try SlurmConfig(parsing: "Configuration data as of now\nClusterName = x\n")
        #expect(d.maxArraySize == 1001 && d.maxJobCount == 10000 && d.minJobAge == nil)
        #expect(throws: SlurmError.self) { try SlurmConfig(parsing: "MaxArraySize = lots\n") }
        #expect(throws: SlurmError.self) { try SlurmConfig(parsing: "MaxArraySize = 0\n") }
    }

    // MARK: squeue

    @Test func parsesSqueueArrayForms() throws {
        let text = """
            101_[5-9%2]|PENDING||JobArrayTaskLimit
            101_3|RUNNING|vm|None
            101_4|RUNNING|vm|None
            102_[0-10]|PENDING||Dependency
            103_[1,3,5-7,20-30:5]|PENDING||Priority
            104|PENDING||DependencyNeverSatisfied
            105+0|RUNNING|vm|None

            """
        let e = try SlurmQueue.parse(text)
        #expect(e.count == 7)
        #expect(e[0].jobID == "101" && e[0].tasks?.count == 5 && e[0].tasks?.limit == 2 && e[0].isPending && e[0].reason == "JobArrayTaskLimit")
        #expect(e[1].jobID == "101" && e[1].tasks == SlurmArrayTasks(parsing: "3") && e[1].state == "RUNNING" && e[1].nodes == "vm")
        #expect(e[3].tasks?.count == 11 && e[3].tasks?.limit == nil)
        let t = try #require(e[4].tasks)
        #expect(t.count == 1 + 1 + 3 + 3)
        #expect(t.contains(25) && !t.contains(26) && t.contains(3) && !t.contains(4))
        #expect(e[5].tasks == nil && e[5].isStuck)
        #expect(e[6].jobID == "105" && !e[6].isStuck)
        for bad in ["101_[5-9|PENDING||None", "101_[9-5]|PENDING||None", "x1|PENDING||None", "101|PENDING", "101_[]|PENDING||None", "101_[5-9%x]|PENDING||None"] {
            #expect(throws: SlurmError.self, "\(bad)") { try SlurmQueue.parse(bad) }
        }
        #expect(try SlurmQueue.parse("").isEmpty)
    }

    // MARK: scontrol show job

    static let showJob = """
        JobId=6 ArrayJobId=1 ArrayTaskId=3 ArrayTaskThrottle=2 JobName=curate dedup
           UserId=root(0) GroupId=root(0) MCS_label=N/A
           JobState=FAILED Reason=NonZeroExitCode Dependency=(null)
           Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0
           RunTime=1-00:00:02 TimeLimit=UNLIMITED TimeMin=N/A
           AllocNode:Sid=localhost:19671
           NodeList=vm
           TRES=cpu=1,node=1,billing=1
           Command=/scratch/sl/a b.sh
           StdOut=/scratch/sl/a b/slurm-1_3.log
           Power=


        JobId=7 ArrayJobId=1 ArrayTaskId=4 JobName=t1
           JobState=COMPLETED Reason=None Dependency=(null)
           ExitCode=0:0
           RunTime=00:00:01 TimeLimit=UNLIMITED
           NodeList=vm
           StdOut=/scratch/sl/slurm-1_4.log

        JobId=10 JobName=wrap
           JobState=CANCELLED Reason=DependencyNeverSatisfied Dependency=afterok:9_*(failed)
           ExitCode=0:0
           NodeList=(null)
        """

    @Test func parsesShowJob() throws {
        let r = SlurmJobInfo.parse(Self.showJob)
        #expect(r.count == 3)
        #expect(r[0].jobID == "6" && r[0].arrayJobID == "1" && r[0].arrayTaskID == 3)
        #expect(r[0].fields["JobName"] == "curate dedup")
        #expect(r[0].state == "FAILED" && r[0].reason == "NonZeroExitCode" && r[0].exitStatus == 3 && r[0].exitSignal == 0 && !r[0].succeeded)
        #expect(r[0].runTime == 86_402 && r[0].nodeList == "vm")
        #expect(r[0].stdOut == "/scratch/sl/a b/slurm-1_3.log")
        #expect(r[0].fields["Command"] == "/scratch/sl/a b.sh")
        #expect(r[0].fields["TRES"] == "cpu=1,node=1,billing=1")
        #expect(r[0].fields["AllocNode:Sid"] == "localhost:19671")
        #expect(r[1].succeeded && r[1].runTime == 1 && r[1].arrayTaskID == 4)
        #expect(r[2].state == "CANCELLED" && r[2].reason == "DependencyNeverSatisfied" && r[2].nodeList == nil && r[2].arrayJobID == nil)
        #expect(r[2].fields["Dependency"] == "afterok:9_*(failed)")
        #expect(SlurmJobInfo.parse("").isEmpty)
        #expect(SlurmJobInfo.parse("garbage\n\nNoId=1\n").isEmpty)
        #expect(SlurmJobInfo.duration("05:07") == 307 && SlurmJobInfo.duration("x") == nil)
        #expect(SlurmJobInfo.duration("99999999999999999:00:00") == nil)
    }

    // MARK: commands

    @Test func commandsAreBoundedAndTyped() throws {
        let c = SlurmCommands(timeout: 0.5, maxOutputBytes: 1000)
        #expect(throws: SlurmError.notInstalled(command: "no-such-slurm-command")) { try c.run("no-such-slurm-command", []) }
        let start = Date()
        #expect(throws: SlurmError.self) { try c.run("/bin/sleep", ["30"]) }
        #expect(Date().timeIntervalSince(start) < 10)
        let big = try c.run("/bin/sh", ["-c", "head -c 1000000 /dev/zero; echo oops >&2; exit 3"])
        #expect(big.status == 3 && big.truncated && big.stdout.utf8.count == 1000 && big.stderr == "oops\n")
        do {
            _ = try c.output("/bin/sh", ["-c", "echo 'Invalid thing' >&2; exit 2"])
            Issue.record("expected a failure")
        } catch let e as SlurmError {
            #expect(e.description.contains("exited with status 2: Invalid thing"))
            #expect(e.description.contains("/bin/sh -c"))
        }
        #expect(throws: SlurmError.self) { try SlurmQueue().entries(["1;rm"]) }
        #expect(throws: SlurmError.self) { try SlurmCancel().cancel([]) }
    }

    @Test func completionRecordsDecideMissingShares() throws {
        let dir = CLI.tempDir("slurm-shares")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/shares", withIntermediateDirectories: true)
        for i in [0, 2, 3] { try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/shares/s\(i)of5.json")) }
        #expect(try ShareCompletion.missing(stageDirectory: dir, count: 5) == [1, 4])
        #expect(try ShareCompletion.recordPath(stageDirectory: "/s", index: 1, count: 5) == "/s/shares/s1of5.json")
    }
}
