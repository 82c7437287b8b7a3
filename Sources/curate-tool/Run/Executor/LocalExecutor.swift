import Curation
import Foundation

/// Runs one shareable stage as N processes of this machine (`run --executor local --tasks N`), through
/// the file protocol any executor follows:
///
/// 1. write `STAGE_DIR/tasks/task.json` (`TaskFile`: recipe, stage, inputs, context); finished shares
///    (`STAGE_DIR/shares/sIofN.json` records whose shards are on disk) of the same work are kept,
///    any others are removed first;
/// 2. run `curate-tool run-task task.json --shard i/N` for every share not finished, at most K at
///    once, output appended to `tasks/sIofN.log`, state in `tasks/sIofN.state.json`; a task that
///    fails (nonzero exit, a signal, or exit 0 without its share record) is retried up to R times;
/// 3. when all N shares are finished, merge them (`ShareMerging`), which writes the merged report and
///    manifests; the recipe runner then records the stage as for an inline run.
///
/// Only this process touches the run store; tasks write only their shares' files.
struct LocalExecutor {
    /// Bounds: tasks per stage, processes at once, retries per task.
    static let maxTasks = 4096
    static let maxParallel = 256
    static let maxRetries = 10

    var settings: ExecutorSettings
    /// Lines for the person running the recipe.
    var log: (String) -> Void

    struct Stage {
        var spec: StageSpec
        var runner: any StageRunner
        var inputs: [StageInput]
        var directory: String
        var fingerprint: String
        var settings: String
        var run: Int64
        var recipePath: String
        var context: StageContext
    }

    /// What a stage run as tasks starts from: its task file (written) and the shares still to do.
    struct Prepared {
        var task: TaskFile
        var taskPath: String
        var queue: [Int]
    }

    /// Steps 1 of the protocol, shared by every executor: the task file, the shares of other work
    /// discarded, the stage's own preparation (`PreparesShares`), finished shares kept and the rest
    /// marked pending.
    func prepare(_ stage: Stage) throws -> Prepared {
        let n = settings.tasks, k = settings.parallel
        let dir = stage.directory
        let fm = FileManager.default
        let task = TaskFile(executor: settings.kind.rawValue, run: stage.run, recipe: stage.recipePath, stage: stage.spec.name,
                            kind: stage.spec.kind, fingerprint: stage.fingerprint, settings: stage.settings, directory: dir,
                            workingDirectory: fm.currentDirectoryPath, count: n, inputs: stage.inputs,
                            threads: max(1, stage.context.threads / k), memory: stage.context.memory, quiet: stage.context.quiet,
                            seed: stage.context.seed,
                            environment: ProcessInfo.processInfo.environment.filter { TaskFile.passedVariables.contains($0.key) && !$0.value.isEmpty })
        do { try fm.createDirectory(atPath: TaskFile.folder(directory: dir), withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: TaskFile.folder(directory: dir), reason: "cannot create the tasks folder: \(error.localizedDescription)")
        }
        try refuseLiveTasks(task)
        let taskPath = TaskFile.path(directory: dir)
        if let old = try? TaskFile.load(taskPath), old.sameWork(as: task) {} else { try discardShares(task) }
        try task.write()
        if let prepared = stage.runner as? PreparesShares {
            try prepared.prepareShares(inputs: stage.inputs, output: dir, context: stage.context)
        }

        var queue: [Int] = []
        for i in 0..<n {
            let spec = try ShardSpec(index: i, count: n)
            if Self.completed(directory: dir, share: spec) != nil {
                var st = TaskState.load(directory: dir, share: spec) ?? fresh(spec, task)
                if st.state != .done { st.state = .done; try st.write(directory: dir) }
                continue
            }
            var st = TaskState.load(directory: dir, share: spec) ?? fresh(spec, task)
            st.state = .pending
            try st.write(directory: dir)
            queue.append(i)
        }
        if queue.count < n { log("  \(n - queue.count) of \(n) shares finished earlier, kept") }
        return Prepared(task: task, taskPath: taskPath, queue: queue)
    }

    func run(_ stage: Stage) throws -> StageOutcome {
        let n = settings.tasks, k = settings.parallel
        let dir = stage.directory
        let prepared = try prepare(stage)
        let task = prepared.task, taskPath = prepared.taskPath
        log("  \(prepared.queue.count) task\(prepared.queue.count == 1 ? "" : "s") of \(n), \(min(k, max(1, prepared.queue.count))) at once, \(task.threads) thread\(task.threads == 1 ? "" : "s") each -> \(TaskFile.folder(directory: dir))")
        if let phased = stage.runner as? RunsInPhases, !prepared.queue.isEmpty {
            for phase in phased.phases {
                let queue = try Self.phaseQueue(phase, directory: dir, count: n)
                let count = phase.count(n)
                if queue.count < count { log("  phase \(phase.name): \(count - queue.count) of \(count) task\(count == 1 ? "" : "s") finished earlier, kept") }
                try runTasks(stage, task: task, taskPath: taskPath, queue: queue, count: count, phase: phase.name)
            }
        }
        try runTasks(stage, task: task, taskPath: taskPath, queue: prepared.queue, count: n, phase: nil)
        return try Self.finish(stage, count: n)
    }

    /// The tasks of `phase` not finished (whose `PhaseRecord` is missing or does not match its files).
    static func phaseQueue(_ phase: SharePhase, directory: String, count n: Int) throws -> [Int] {
        let count = phase.count(n)
        return try (0..<count).filter { !PhaseRecord.isDone(directory: directory, phase: phase.name, share: try ShardSpec(index: $0, count: count)) }
    }

    /// Runs the tasks `queue` of one phase (`phase`) or of the shares (nil), at most K at once, retrying
    /// failures; throws naming the tasks that failed for good.
    func runTasks(_ stage: Stage, task: TaskFile, taskPath: String, queue start: [Int], count n: Int, phase: String?) throws {
        let k = settings.parallel
        let dir = stage.directory
        var queue = start
        let what = phase.map { "\($0) task" } ?? "share"
        func done(_ spec: ShardSpec) -> Bool {
            phase.map { PhaseRecord.isDone(directory: dir, phase: $0, share: spec) } ?? (Self.completed(directory: dir, share: spec) != nil)
        }
        if let phase, !queue.isEmpty { log("  phase \(phase): \(queue.count) task\(queue.count == 1 ? "" : "s") of \(n)") }
        let executable = ChildProcess.selfExecutable()
        var triesThisRun: [Int: Int] = [:]
        var running: [pid_t: TaskState] = [:]
        var failed: [TaskState] = []
        while !queue.isEmpty || !running.isEmpty {
            while running.count < k, !queue.isEmpty {
                let i = queue.removeFirst()
                let spec = try ShardSpec(index: i, count: n)
                var st = TaskState.load(directory: dir, share: spec, phase: phase) ?? fresh(spec, task, phase: phase)
                st.attempts += 1
                triesThisRun[i, default: 0] += 1
                st.state = .running
                st.started = Date(); st.finished = nil; st.seconds = nil; st.exitCode = nil; st.signal = nil; st.pid = nil
                st.host = TaskState.hostName
                Self.append("== \(TaskState.time(Date())) \(what) \(i)/\(n) of stage \"\(stage.spec.name)\", attempt \(st.attempts) ==\n", to: st.log)
                do {
                    st.pid = try ChildProcess.spawn(executable, ["run-task", taskPath] + (phase.map { ["--phase", $0] } ?? []) + ["--shard", "\(i)/\(n)"], log: st.log)
                } catch {
                    Self.append("could not start: \(error)\n", to: st.log)
                    st.finished = Date()
                    if triesThisRun[i, default: 0] <= settings.retries { st.state = .pending; queue.append(i) } else { st.state = .failed; failed.append(st) }
                    try st.write(directory: dir)
                    continue
                }
                try st.write(directory: dir)
                if let pid = st.pid { running[pid] = st }
            }
            guard !running.isEmpty else { continue }
            guard let exit = ChildProcess.waitAny() else {
                let lost = running.values.map(\.share).sorted()
                for var st in running.values { st.state = .failed; st.finished = Date(); try? st.write(directory: dir); failed.append(st) }
                running = [:]
                log("  lost the tasks of \(what)(s) \(lost.map(String.init).joined(separator: ", "))")
                continue
            }
            guard var st = running.removeValue(forKey: exit.pid) else { continue }
            let spec = try ShardSpec(index: st.share, count: n)
            st.finished = Date()
            st.seconds = st.started.map { Date().timeIntervalSince($0) }
            st.exitCode = exit.code
            st.signal = exit.signal
            let seconds = String(format: "%.1f s", st.seconds ?? 0)
            if exit.code == 0, done(spec) {
                st.state = .done
                log("  \(what) \(st.share)/\(n): done in \(seconds)")
            } else {
                let how = exit.signal.map { "killed by signal \($0)" } ?? (exit.code == 0 ? "exit 0 without its completion record" : "exit \(exit.code)")
                if triesThisRun[st.share, default: 0] <= settings.retries {
                    st.state = .pending
                    queue.append(st.share)
                    log("  \(what) \(st.share)/\(n): failed (\(how)) after \(seconds), retrying (\(triesThisRun[st.share, default: 0]) of \(settings.retries + 1) attempts); log \(st.log)")
                } else {
                    st.state = .failed
                    failed.append(st)
                    log("  \(what) \(st.share)/\(n): failed (\(how)) after \(seconds); log \(st.log)")
                }
            }
            try st.write(directory: dir)
        }
        if !failed.isEmpty { throw ExecutorError.tasksFailed(stage: stage.spec.name, count: n, failures: failed.sorted { $0.share < $1.share }) }
    }

    /// Step 3, shared by every executor: all N shares are finished; merge them into the stage's output.
    static func finish(_ stage: Stage, count n: Int) throws -> StageOutcome {
        try finish(runner: stage.runner, inputs: stage.inputs, directory: stage.directory, count: n, context: stage.context)
    }

    /// Step 3 for any executor (here, or a Slurm merge job): merge the N shares (or the stage's own merge,
    /// `MergesShares`: select's final sampling), then the stage's own finishing (`FinishesShares`).
    static func finish(runner: any StageRunner, inputs: [StageInput], directory dir: String, count n: Int, context: StageContext) throws -> StageOutcome {
        if let own = runner as? MergesShares { return try own.mergeShares(inputs: inputs, output: dir, count: n, context: context) }
        let report = try ShareMerging.merge(directory: dir, count: n)
        let summary = try (runner as? FinishesShares)?.finishShares(output: dir, report: report) ?? ""
        let manifest = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        return StageOutcome(report: report, manifest: manifest, summary: summary)
    }

    func fresh(_ spec: ShardSpec, _ task: TaskFile, phase: String? = nil) -> TaskState {
        TaskState(share: spec.index, count: spec.count, state: .pending, attempts: 0,
                  log: Self.absolute(TaskFile.logPath(directory: task.directory, share: spec, phase: phase)), host: TaskState.hostName, phase: phase)
    }

    /// A share's record when the share is finished: it reads, it is this share's, and every shard it
    /// lists is on disk with the size it recorded (a record whose shards were removed is redone).
    static func completed(directory: String, share: ShardSpec) -> ShareRecord? {
        guard let r = try? ShareRecord.load(ShareRecord.path(directory: directory, share: share)), r.share == share, !r.manifests.isEmpty else { return nil }
        for m in r.manifests {
            let place = ShareRecord.location(prefix: m.prefix, directory: directory)
            for s in m.shards {
                var st = stat()
                let path = (place.directory as NSString).appendingPathComponent(s.file)
                guard stat(path, &st) == 0, Int(st.st_size) == s.compressedBytes || m.format == .parquet && s.compressedBytes == 0 else { return nil }
            }
        }
        return r
    }

    /// Refuses to start while a task of this stage that an earlier executor started still runs on this
    /// host (its process is alive and is a `run-task` of this task file).
    func refuseLiveTasks(_ task: TaskFile) throws {
        let folder = TaskFile.folder(directory: task.directory)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".state.json") }.sorted()
        for name in names.prefix(Self.maxTasks) {
            guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)),
                  let v = try? JSONParser.parse([UInt8](data)), v["state"]?.stringValue == TaskState.State.running.rawValue,
                  v["host"]?.stringValue == TaskState.hostName, let pid = v["pid"]?.intValue.map({ Int32(truncatingIfNeeded: $0) }),
                  ChildProcess.isAlive(pid), Self.isTask(pid: pid, taskFile: TaskFile.path(directory: task.directory)) else { continue }
            throw ExecutorError.stillRunning(stage: task.stage, share: v["share"]?.intValue ?? -1, count: v["count"]?.intValue ?? 0, pid: pid,
                                             log: v["log"]?.stringValue ?? "")
        }
    }

    /// Whether process `pid` runs `run-task TASKFILE` (its command line, from /proc): a reused pid is not.
    static func isTask(pid: Int32, taskFile: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return args.contains("run-task") && args.contains(taskFile)
    }

    /// Removes the finished shares and task states of other work (other settings, inputs or count) from
    /// the stage directory: they must not be merged into this stage's output. Logs are kept.
    func discardShares(_ task: TaskFile) throws {
        let fm = FileManager.default
        let shares = (task.directory as NSString).appendingPathComponent(ShareRecord.folder)
        if fm.fileExists(atPath: shares) {
            do { try fm.removeItem(atPath: shares) } catch {
                throw CurationError.io(path: shares, reason: "cannot remove the share records of an earlier run: \(error.localizedDescription)")
            }
        }
        try PhaseRecord.removeAll(directory: task.directory)
        let folder = TaskFile.folder(directory: task.directory)
        for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".state.json") || name == TaskFile.name {
            try? fm.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Appends a line to a task's log (the executor's own notes between attempts).
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, max(0, $0.count - 1)) }
    }
}
