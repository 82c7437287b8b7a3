import Curation
import Foundation

/// Runs a recipe's stages as Slurm jobs (`run --executor slurm --tasks N`), through the same file protocol
/// as `LocalExecutor` (task file, share records, merge). The recipe runner submits every stage it can at
/// once, each after the stages it reads (`afterok`), then waits for the whole submission
/// (`RecipeRunner.runOnSlurm`); this type submits one stage and, once its jobs have left the queue, reads
/// what it did.
///
/// A shareable stage becomes:
/// 1. a `prepare` job, when the stage prepares something before its tasks (decontam's eval index) and its
///    inputs are not there yet (otherwise this process prepares it, as the local executor does);
/// 2. arrays of `curate-tool run-task TASKFILE --shard env` for the shares still to do (`ArrayPlan`: arrays
///    longer than the cluster's MaxArraySize are split, each exporting its `CURATE_SHARD_OFFSET`;
///    `--max-parallel K` becomes each array's `%k`, K divided between the arrays);
/// 3. a `finish` job (`run-task --step finish`) after the arrays: the merge, run on the cluster, which
///    writes the stage's outcome record.
///
/// Any other stage (training, mixing, selection) is one `run-task --step whole` job, with
/// `--cpus-per-task` threads when given. Every dependency is `afterok` with `--kill-on-invalid-dep=yes`:
/// when a job fails, the jobs after it are cancelled rather than left pending on DependencyNeverSatisfied.
///
/// The records decide what is done, whatever Slurm says: a share is done when its share record is there,
/// a stage when its outcome record and manifest are. Slurm is reached only through `sbatch`, `squeue`,
/// `scontrol` and `scancel` (no `sacct`: a cluster without an accounting database has none).
struct SlurmExecutor {
    var settings: ExecutorSettings
    var log: (String) -> Void
    var commands = SlurmCommands()

    /// What was submitted for one stage.
    struct Submitted {
        var stage: LocalExecutor.Stage
        /// N for a stage run as shares, 1 for a stage run whole.
        var count: Int
        var whole: Bool
        /// The shares submitted in arrays (the others were finished earlier).
        var shares: [Int]
        /// Every job of the stage, in submission order.
        var jobs: [String]
        /// The job the stages reading this one wait on (its finish or whole job).
        var last: String
        /// Tasks of the phases before the shares (`RunsInPhases`) submitted: phase, its task count, the tasks.
        var phaseTasks: [(phase: String, count: Int, tasks: [Int])] = []

        /// Every submitted task's state file key: (phase or nil, share spec).
        var allTasks: [(phase: String?, spec: ShardSpec)] {
            let phased = phaseTasks.flatMap { p in p.tasks.compactMap { i in (try? ShardSpec(index: i, count: p.count)).map { (Optional(p.phase), $0) } } }
            return phased + shares.compactMap { i in (try? ShardSpec(index: i, count: count)).map { (nil, $0) } }
        }
    }

    func checkAvailable() throws {
        guard commands.available("sbatch"), commands.available("squeue"), commands.available("scontrol") else {
            throw CurationError.invalidArgument("--executor slurm needs Slurm's commands (sbatch, squeue, scontrol) on PATH; none found on this machine")
        }
    }

    /// Whether a stage runs as shares (arrays and a merge) or as one job.
    func runsAsShares(_ stage: LocalExecutor.Stage) -> Bool { settings.runsAsTasks(stage.runner) }

    /// Submits one stage after `dependencies` (the last jobs of the stages it reads that are still to
    /// run). `deferred`: inputs those stages are computing (input name -> stage directory), read by the
    /// jobs when they start.
    func submit(_ stage: LocalExecutor.Stage, after dependencies: [String], deferred: [String: String], config: SlurmConfig,
                afterStages: [String] = []) throws -> Submitted {
        /// What a script waits for, written in it for the person reading it.
        func note(_ jobs: [String], _ what: String) -> [String] {
            jobs.isEmpty ? [] : ["Submitted with --dependency=afterok:\(jobs.joined(separator: ":")) --kill-on-invalid-dep=yes: after \(what)."]
        }
        let upstream = note(dependencies, afterStages.isEmpty ? "the stages it reads" : "stage \(afterStages.joined(separator: ", stage "))")
        let dir = stage.directory
        let folder = TaskFile.folder(directory: dir)
        let executable = ChildProcess.selfExecutable()
        let cwd = FileManager.default.currentDirectoryPath
        let submitter = SlurmSubmit(commands: commands)
        try refuseQueuedJobs(stage)
        StageOutcomeRecord.remove(directory: dir)
        let local = LocalExecutor(settings: settings, log: log)

        guard runsAsShares(stage) else {
            var whole = settings
            whole.tasks = 1
            whole.maxParallel = nil
            var st = stage
            st.context.threads = settings.slurm.cpusPerTask ?? stage.context.threads
            let task = try Self.writeTaskFile(st, executor: whole, deferred: deferred)
            var script = SbatchScript.single(jobName: "curate-\(stage.spec.name)", logDirectory: folder,
                                             command: [executable, "run-task", TaskFile.path(directory: dir), "--step", "whole"],
                                             workingDirectory: cwd, options: settings.slurm)
            script.notes = upstream
            let id = try submitter.submit(script, writingTo: (folder as NSString).appendingPathComponent("slurm-whole.sh"), afterOK: dependencies)
            let only = try ShardSpec(index: 0, count: 1)
            var state = TaskState.load(directory: dir, share: only) ?? local.fresh(only, task)
            Self.submitted(&state, job: id, log: (folder as NSString).appendingPathComponent("slurm-\(id).log"))
            try state.write(directory: dir)
            try Self.writeJobList([id], directory: dir)
            log("  submitted as one job \(id)\(dependencies.isEmpty ? "" : " after \(dependencies.joined(separator: ", "))")")
            return Submitted(stage: stage, count: 1, whole: true, shares: [0], jobs: [id], last: id)
        }

        let n = settings.tasks
        var jobs: [String] = []
        var queue: [Int]
        var taskPath = TaskFile.path(directory: dir)
        var before = dependencies
        var beforeNotes = upstream
        if deferred.isEmpty {
            let prepared = try local.prepare(stage)
            queue = prepared.queue
            taskPath = prepared.taskPath
        } else {
            // Its inputs do not exist yet: shares of earlier work cannot be this work's, and the stage's own
            // preparation runs as a job once they do.
            let task = try Self.writeTaskFile(stage, executor: settings, deferred: deferred)
            try local.discardShares(task)
            try task.write()
            queue = Array(0..<n)
            for i in queue {
                let spec = try ShardSpec(index: i, count: n)
                var st = local.fresh(spec, task)
                st.attempts = TaskState.load(directory: dir, share: spec)?.attempts ?? 0
                try st.write(directory: dir)
            }
            if stage.runner is PreparesShares {
                var script = SbatchScript.single(jobName: "curate-\(stage.spec.name)-prepare", logDirectory: folder,
                                                 command: [executable, "run-task", taskPath, "--step", "prepare"],
                                                 workingDirectory: cwd, options: settings.slurm)
                script.notes = upstream
                let id = try submitter.submit(script, writingTo: (folder as NSString).appendingPathComponent("slurm-prepare.sh"), afterOK: before)
                jobs.append(id)
                before = [id]
                beforeNotes = note(before, "this stage's prepare job")
            }
        }

        /// Arrays of `run-task --shard env` (with `--phase` for a phase's tasks) for the tasks `todo` of `count`.
        func submitArrays(_ todo: [Int], count: Int, phase: String?) throws -> [String] {
            guard !todo.isEmpty else { return [] }
            var ids: [String] = []
            let chunks = try ArrayPlan(shares: todo, shareCount: count, maxArraySize: config.maxArraySize).chunks.count
            let plan = try ArrayPlan(shares: todo, shareCount: count, maxArraySize: config.maxArraySize,
                                     maxParallel: settings.maxParallel.map { ArrayPlan.perArrayLimit($0, arrays: chunks) })
            let task = try TaskFile.load(taskPath)
            for (c, chunk) in plan.chunks.enumerated() {
                var script = SbatchScript(jobName: "curate-\(stage.spec.name)\(phase.map { "-\($0)" } ?? "")", plan: plan, chunk: chunk, logDirectory: folder,
                                          command: [executable, "run-task", taskPath] + (phase.map { ["--phase", $0] } ?? []) + ["--shard", "env"],
                                          workingDirectory: cwd, options: settings.slurm)
                script.notes = beforeNotes
                let name = "slurm-\(phase.map { "\($0)-" } ?? "")array\(c).sh"
                let id = try submitter.submit(script, writingTo: (folder as NSString).appendingPathComponent(name), afterOK: before)
                ids.append(id)
                for index in chunk.indices {
                    let spec = try ShardSpec(index: chunk.offset + index, count: count)
                    var st = TaskState.load(directory: dir, share: spec, phase: phase) ?? local.fresh(spec, task, phase: phase)
                    Self.submitted(&st, job: "\(id)_\(index)", log: (folder as NSString).appendingPathComponent("slurm-\(id)_\(index).log"))
                    try st.write(directory: dir)
                }
            }
            return ids
        }

        // The phases before the shares (a mix's scan, plan and gather), each after the one before; none when every share is done.
        var phaseTasks: [(phase: String, count: Int, tasks: [Int])] = []
        if let phased = stage.runner as? RunsInPhases, !queue.isEmpty {
            for phase in phased.phases {
                let todo = deferred.isEmpty ? try LocalExecutor.phaseQueue(phase, directory: dir, count: n) : Array(0..<phase.count(n))
                let ids = try submitArrays(todo, count: phase.count(n), phase: phase.name)
                guard !ids.isEmpty else { continue }
                phaseTasks.append((phase.name, phase.count(n), todo))
                jobs += ids
                before = ids
                beforeNotes = note(ids, "phase \(phase.name) of this stage")
            }
        }
        let arrays = try submitArrays(queue, count: n, phase: nil)
        jobs += arrays
        var merge = SbatchScript.single(jobName: "curate-\(stage.spec.name)-merge", logDirectory: folder,
                                        command: [executable, "run-task", taskPath, "--step", "finish"],
                                        workingDirectory: cwd, options: settings.slurm)
        merge.notes = arrays.isEmpty ? beforeNotes : note(arrays, "this stage's arrays")
        let last = try submitter.submit(merge, writingTo: (folder as NSString).appendingPathComponent("slurm-merge.sh"),
                                        afterOK: arrays.isEmpty ? before : arrays)
        jobs.append(last)
        try Self.writeJobList(jobs, directory: dir)
        let kept = n - queue.count
        log("  submitted \(queue.count) task\(queue.count == 1 ? "" : "s") of \(n)\(kept > 0 ? " (\(kept) finished earlier, kept)" : "") as \(arrays.count) array\(arrays.count == 1 ? "" : "s")\(arrays.isEmpty ? "" : " (\(arrays.joined(separator: ", ")))"), MaxArraySize \(config.maxArraySize), merge job \(last)\(dependencies.isEmpty ? "" : ", after \(dependencies.joined(separator: ", "))")")
        return Submitted(stage: stage, count: n, whole: false, shares: queue, jobs: jobs, last: last, phaseTasks: phaseTasks)
    }

    /// Every job a stage's last submission made (`STAGE_DIR/tasks/slurm-jobs.txt`, one id a line), so a
    /// later run can tell whether any of them is still queued.
    static func jobListPath(directory: String) -> String {
        (TaskFile.folder(directory: directory) as NSString).appendingPathComponent("slurm-jobs.txt")
    }

    static func writeJobList(_ jobs: [String], directory: String) throws {
        try AtomicFileWriter.write(jobs.joined(separator: "\n") + "\n", to: jobListPath(directory: directory))
    }

    /// Refuses to submit a stage while jobs of its earlier submission are still queued or running (the
    /// `run` that submitted them was stopped, or another is running): two submissions would write the same
    /// files. The message names the jobs to wait for or cancel.
    func refuseQueuedJobs(_ stage: LocalExecutor.Stage) throws {
        let path = Self.jobListPath(directory: stage.directory)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let ids = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty && $0.count <= 20 && $0.allSatisfy(\.isNumber) }
        guard !ids.isEmpty else { return }
        let queued = try SlurmQueue(commands: commands).entries(Array(ids.prefix(LocalExecutor.maxTasks)))
        guard !queued.isEmpty else { return }
        let jobs = Array(Set(queued.map(\.jobID))).sorted()
        throw CurationError.io(path: path, reason: "stage \"\(stage.spec.name)\": Slurm job\(jobs.count == 1 ? "" : "s") \(jobs.joined(separator: ", ")) of an earlier submission \(jobs.count == 1 ? "is" : "are") still queued or running: wait for \(jobs.count == 1 ? "it" : "them") (`runs watch`) or cancel (`scancel \(jobs.joined(separator: " "))`), then run again")
    }

    /// The task file of a stage whose inputs may still be computed by earlier jobs.
    static func writeTaskFile(_ stage: LocalExecutor.Stage, executor: ExecutorSettings, deferred: [String: String]) throws -> TaskFile {
        let fm = FileManager.default
        var task = TaskFile(executor: executor.kind.rawValue, run: stage.run, recipe: stage.recipePath, stage: stage.spec.name,
                            kind: stage.spec.kind, fingerprint: deferred.isEmpty ? stage.fingerprint : TaskFile.deferredFingerprint,
                            settings: stage.settings, directory: stage.directory, workingDirectory: fm.currentDirectoryPath,
                            count: executor.tasks, inputs: stage.inputs,
                            threads: max(1, stage.context.threads / executor.parallel), memory: stage.context.memory,
                            quiet: stage.context.quiet, seed: stage.context.seed,
                            environment: ProcessInfo.processInfo.environment.filter { TaskFile.passedVariables.contains($0.key) && !$0.value.isEmpty })
        task.deferredInputs = deferred
        try task.write()
        return task
    }

    static func submitted(_ st: inout TaskState, job: String, log: String) {
        st.attempts += 1
        st.state = .running
        st.slurmJob = job
        st.log = LocalExecutor.absolute(log)
        st.started = Date(); st.finished = nil; st.seconds = nil; st.exitCode = nil; st.signal = nil; st.pid = nil; st.node = nil
    }

    /// Waits until every job of the submission has left the queue; a wait that times out or can never end
    /// cancels what is left (a re-run starts from the records alone).
    func wait(_ jobs: [String]) throws {
        guard !jobs.isEmpty else { return }
        do {
            // One squeue a second at most (over the submission's few array and single job ids, not its tasks):
            // nothing for slurmctld, and a run ends within a second of its last job, not up to 5 s later.
            try SlurmWait(queue: SlurmQueue(commands: commands), maxInterval: 1).untilDone(jobs, timeout: settings.slurmTimeout)
        } catch let e as SlurmError {
            try? SlurmCancel(commands: commands).cancel(jobs)
            throw CurationError.io(path: ".", reason: "\(e); the run's jobs were cancelled, a re-run resubmits what did not finish")
        }
    }

    /// A stage whose jobs Slurm cancelled before they started (a stage it reads failed): its tasks are
    /// pending again, the attempt not counted.
    func notRun(_ s: Submitted) {
        for (phase, spec) in s.allTasks {
            guard var st = TaskState.load(directory: s.stage.directory, share: spec, phase: phase) else { continue }
            st.state = .pending
            st.attempts = max(0, st.attempts - 1)
            st.started = nil
            try? st.write(directory: s.stage.directory)
        }
    }

    enum Collected {
        /// The stage's outcome and when its work started and ended on the cluster.
        case done(StageOutcome, started: Date, finished: Date)
        /// The stage's jobs ran and it did not finish: why.
        case failed(any Error)
    }

    /// After the jobs left the queue: every submitted task's state (from its record and `scontrol`), and
    /// the stage's outcome when its outcome record and manifest are there.
    func collect(_ s: Submitted) throws -> Collected {
        let dir = s.stage.directory
        var info: [String: SlurmJobRecord] = [:]
        for id in s.jobs {
            for r in (try? SlurmJobInfo(commands: commands).records(id)) ?? [] {
                if let t = r.arrayTaskID { info["\(r.arrayJobID ?? id)_\(t)"] = r } else { info[r.jobID] = r }
            }
        }
        var failed: [TaskState] = []
        // A phase task is done when its record is there, or the stage merged (which removes the phases' files).
        let merged = (try? StageOutcomeRecord.load(directory: dir, stage: s.stage.spec.name)) != nil
        for (phase, spec) in s.allTasks {
            guard var st = TaskState.load(directory: dir, share: spec, phase: phase) else { continue }
            if let job = st.slurmJob, let r = info[job] {
                st.exitCode = r.exitStatus.map { Int32(truncatingIfNeeded: $0) }
                st.signal = r.exitSignal.flatMap { $0 == 0 ? nil : Int32(truncatingIfNeeded: $0) }
                st.node = r.nodeList
                st.seconds = r.runTime.map(Double.init)
                if let out = r.stdOut, !out.isEmpty { st.log = out }
            }
            st.finished = Date()
            let done = s.whole ? merged
                : phase.map { merged || PhaseRecord.isDone(directory: dir, phase: $0, share: spec) } ?? (LocalExecutor.completed(directory: dir, share: spec) != nil)
            st.state = done ? .done : .failed
            try st.write(directory: dir)
            if !done { failed.append(st) }
        }
        if !failed.isEmpty {
            if s.whole, let st = failed.first {
                let how = st.exitCode.map { "exit \($0)" } ?? "did not run (cancelled, or a stage before it failed)"
                return .failed(CurationError.io(path: st.log, reason: "stage \"\(s.stage.spec.name)\": its job \(st.slurmJob ?? "?") failed (\(how)); see its log"))
            }
            return .failed(ExecutorError.tasksFailed(stage: s.stage.spec.name, count: s.count, failures: failed))
        }
        do {
            guard let outcome = try StageOutcomeRecord.load(directory: dir, stage: s.stage.spec.name) else {
                let job = s.last
                let log = info[job]?.stdOut ?? (TaskFile.folder(directory: dir) as NSString).appendingPathComponent("slurm-\(job).log")
                return .failed(CurationError.io(path: log, reason: "stage \"\(s.stage.spec.name)\": every share finished but its merge job \(job) did not (see its log); a re-run merges again"))
            }
            let manifest = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
            return .done(StageOutcome(report: outcome.report, manifest: manifest, summary: outcome.summary), started: outcome.started, finished: outcome.finished)
        } catch {
            return .failed(error)
        }
    }
}
