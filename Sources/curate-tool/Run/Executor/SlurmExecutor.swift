import Curation
import Foundation

/// Runs one shareable stage as Slurm job arrays (`run --executor slurm --tasks N`), through the same file
/// protocol as `LocalExecutor` (task file, share records, merge):
///
/// 1. `prepare`: the task file on shared storage, finished shares kept;
/// 2. the shares still to do are submitted as arrays of `curate-tool run-task TASKFILE --shard env`
///    (`ArrayPlan`: arrays longer than the cluster's MaxArraySize are split, each exporting its
///    `CURATE_SHARD_OFFSET`; `--max-parallel K` becomes each array's `%k`, K divided between the arrays),
///    and this process waits until they leave the queue (`SlurmWait`: backoff, a deadline, and an end to
///    the wait when every remaining job can never start);
/// 3. a share is done when its record is there, whatever Slurm says; the others are resubmitted up to
///    `--retries` times, with each task's job id, node, exit code and log in its state file;
/// 4. `LocalExecutor.finish` merges, here (the stage's next stages run after it, so its outputs are
///    whole before anything reads them).
///
/// Slurm is reached only through `sbatch`, `squeue`, `scontrol` and `scancel` (no `sacct`: a cluster
/// without an accounting database has none).
struct SlurmExecutor {
    var settings: ExecutorSettings
    var log: (String) -> Void
    var commands = SlurmCommands()

    func run(_ stage: LocalExecutor.Stage) throws -> StageOutcome {
        guard commands.available("sbatch"), commands.available("squeue"), commands.available("scontrol") else {
            throw CurationError.invalidArgument("--executor slurm needs Slurm's commands (sbatch, squeue, scontrol) on PATH; none found on this machine")
        }
        let n = settings.tasks
        let dir = stage.directory
        let local = LocalExecutor(settings: settings, log: log)
        let prepared = try local.prepare(stage)
        let config = try SlurmConfig.load(using: commands)
        let folder = TaskFile.folder(directory: dir)
        let executable = ChildProcess.selfExecutable()
        var missing = prepared.queue
        var round = 0
        while !missing.isEmpty {
            round += 1
            let arrays = try ArrayPlan(shares: missing, shareCount: n, maxArraySize: config.maxArraySize).chunks.count
            let plan = try ArrayPlan(shares: missing, shareCount: n, maxArraySize: config.maxArraySize,
                                     maxParallel: settings.maxParallel.map { ArrayPlan.perArrayLimit($0, arrays: arrays) })
            var jobs: [String] = []
            for (c, chunk) in plan.chunks.enumerated() {
                let script = SbatchScript(jobName: "curate-\(stage.spec.name)", plan: plan, chunk: chunk, logDirectory: folder,
                                          command: [executable, "run-task", prepared.taskPath, "--shard", "env"],
                                          workingDirectory: FileManager.default.currentDirectoryPath, options: settings.slurm)
                let path = (folder as NSString).appendingPathComponent("slurm-round\(round)-array\(c).sh")
                let id = try SlurmSubmit(commands: commands).submit(script, writingTo: path)
                jobs.append(id)
                for index in chunk.indices {
                    let share = chunk.offset + index
                    let spec = try ShardSpec(index: share, count: n)
                    var st = TaskState.load(directory: dir, share: spec) ?? local.fresh(spec, prepared.task)
                    st.attempts += 1
                    st.state = .running
                    st.slurmJob = "\(id)_\(index)"
                    st.log = LocalExecutor.absolute((folder as NSString).appendingPathComponent("slurm-\(id)_\(index).log"))
                    st.started = Date(); st.finished = nil; st.seconds = nil; st.exitCode = nil; st.signal = nil; st.pid = nil; st.node = nil
                    try st.write(directory: dir)
                }
            }
            log("  submitted \(missing.count) task\(missing.count == 1 ? "" : "s") of \(n) as \(jobs.count) array\(jobs.count == 1 ? "" : "s") (\(jobs.joined(separator: ", "))), MaxArraySize \(config.maxArraySize); waiting")
            do {
                try SlurmWait(queue: SlurmQueue(commands: commands)).untilDone(jobs, timeout: settings.slurmTimeout)
            } catch let e as SlurmError {
                // Stuck or timed out: cancel what is left, so a re-run starts from the records alone.
                try? SlurmCancel(commands: commands).cancel(jobs)
                throw CurationError.io(path: folder, reason: "stage \"\(stage.spec.name)\": \(e); its jobs were cancelled, a re-run resubmits the shares not finished")
            }
            var failed: [TaskState] = []
            var info: [String: SlurmJobRecord] = [:]
            for id in jobs {
                for r in (try? SlurmJobInfo(commands: commands).records(id)) ?? [] {
                    if let t = r.arrayTaskID { info["\(r.arrayJobID ?? id)_\(t)"] = r }
                }
            }
            for share in missing {
                let spec = try ShardSpec(index: share, count: n)
                var st = TaskState.load(directory: dir, share: spec) ?? local.fresh(spec, prepared.task)
                if let job = st.slurmJob, let r = info[job] {
                    st.exitCode = r.exitStatus.map { Int32(truncatingIfNeeded: $0) }
                    st.signal = r.exitSignal.flatMap { $0 == 0 ? nil : Int32(truncatingIfNeeded: $0) }
                    st.node = r.nodeList
                    st.seconds = r.runTime.map(Double.init)
                    if let out = r.stdOut, !out.isEmpty { st.log = out }
                }
                st.finished = Date()
                st.state = LocalExecutor.completed(directory: dir, share: spec) != nil ? .done : .failed
                try st.write(directory: dir)
                if st.state == .failed { failed.append(st) }
            }
            missing = failed.map(\.share)
            if !failed.isEmpty {
                if round > settings.retries {
                    throw ExecutorError.tasksFailed(stage: stage.spec.name, count: n, failures: failed)
                }
                log("  \(failed.count) task\(failed.count == 1 ? "" : "s") did not finish (share \(failed.prefix(10).map { String($0.share) }.joined(separator: ", "))\(failed.count > 10 ? ", ..." : "")): resubmitting (round \(round + 1) of \(settings.retries + 1))")
            }
        }
        return try LocalExecutor.finish(stage, count: n)
    }
}
