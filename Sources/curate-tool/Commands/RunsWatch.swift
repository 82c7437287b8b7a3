import ArgumentParser
import Curation
import Foundation

/// `curate-tool runs watch ID`: follows a run until it ends, a line per stage start and end and per task
/// state change, so a person (or a script) waiting on a cluster run sees which task is where without
/// re-running `runs show`. It reads what the run already writes, the run store (read-only) and the stage
/// directories' `tasks/sIofN.state.json`, and nothing else: it works from any machine that sees the run
/// directory, and can never disturb the run (no writer lock, no writes).
struct RunsWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a run until it ends: stage starts and ends (in/out/dropped), task state changes.",
        discussion: "Exits 0 when the run succeeded, 1 when it failed, 124 when --timeout passed first. A run that already ended prints its summary and exits at once.")

    static let intervalRange = 0.2...60.0
    /// A week, as `--slurm-timeout`'s default: longer than any run this tool waits on.
    static let maxTimeout = 604_800.0
    static let timedOutExitCode: Int32 = 124

    @Argument(help: "Run id.") var id: Int64
    @OptionGroup var store: StoreOption
    @Option(name: .long, help: "Seconds between two looks at the run (0.2 to 60).") var interval = 2.0
    @Option(name: .long, help: "Give up after this many seconds (at most 604800; default: until the run ends).") var timeout: Double?

    func validate() throws {
        guard interval.isFinite, Self.intervalRange.contains(interval) else {
            throw ValidationError("--interval must be between \(Self.intervalRange.lowerBound) and \(Self.intervalRange.upperBound) seconds, got \(interval)")
        }
        if let timeout, !(timeout.isFinite && timeout > 0 && timeout <= Self.maxTimeout) {
            throw ValidationError("--timeout must be more than 0 and at most \(Int(Self.maxTimeout)) seconds, got \(timeout)")
        }
    }

    func run() throws {
        let reader = try runStage { try store.openReadOnly() }
        let start = Date()
        var follower = RunFollower()
        while true {
            let snapshot: RunSnapshot
            do { snapshot = try RunSnapshot.read(reader, run: id) } catch RunStoreError.noSuchRun(let id) {
                let ids = (try? reader.runIDs()) ?? []
                Console.error("\(reader.path): no run with id \(id) (\(ids.isEmpty ? "the store has no runs" : "runs here: " + RunFollower.ranges(ids)))")
                throw ExitCode.failure
            } catch let e as CurationError {
                Console.error(e.description)
                throw ExitCode.failure
            }
            for line in follower.lines(snapshot, at: Date()) { Console.stdout(line) }
            switch snapshot.run.status {
            case .succeeded:
                return
            case .failed:
                Console.error("run \(id) failed: \(snapshot.run.error ?? "no error recorded") (`curate-tool runs show \(id) --store \(store.store)` for every task; fix the cause and run the same command again: finished stages and shares are kept)")
                throw ExitCode.failure
            case .running:
                break
            }
            let elapsed = Date().timeIntervalSince(start)
            if let timeout, elapsed >= timeout {
                let active = snapshot.stages.filter { $0.status == .running }.map(\.name)
                Console.error("run \(id) is still running after \(RunFollower.seconds(timeout)) (--timeout)\(active.isEmpty ? "" : "; running: " + active.joined(separator: ", ")). If its `run` process is gone, the same `run` command resumes it")
                throw ExitCode(Self.timedOutExitCode)
            }
            Thread.sleep(forTimeInterval: timeout.map { min(interval, max(0.01, $0 - elapsed)) } ?? interval)
        }
    }
}

/// One look at a run: its record, its stages, and the task states of the stages it runs as tasks.
/// The run is read first: a run the store says has ended had every stage recorded before, so the stages
/// and state files read after it are final.
struct RunSnapshot {
    var run: RunRecord
    var stages: [StageRecord]
    var tasks: [String: (task: TaskFile, states: [TaskState])]

    static func read(_ store: RunStoreReader, run id: Int64) throws -> RunSnapshot {
        let run = try store.run(id)
        let stages = try store.stages(run: id)
        var tasks: [String: (task: TaskFile, states: [TaskState])] = [:]
        for st in stages { if let t = RunsShow.tasks(run: run, stage: st) { tasks[st.name] = t } }
        return RunSnapshot(run: run, stages: stages, tasks: tasks)
    }
}

/// Turns successive snapshots of a run into lines, one per change. The first snapshot of a run that has
/// already ended gives its summary instead: every stage's end, the failed tasks (which, why, their logs)
/// and the run's outcome; of a run still going, everything as it stands.
struct RunFollower {
    private var stages: [String: (status: StageRecord.Status, attempts: Int)] = [:]
    private var tasks: [String: TaskSignature] = [:]
    private var looked = false

    /// What makes a task line worth printing again.
    private struct TaskSignature: Equatable {
        var state: TaskState.State, attempts: Int, exit: Int32?, signal: Int32?, job: String?, node: String?
        init(_ t: TaskState) { state = t.state; attempts = t.attempts; exit = t.exitCode; signal = t.signal; job = t.slurmJob; node = t.node }
    }

    mutating func lines(_ s: RunSnapshot, at now: Date) -> [String] {
        let summary = !looked && s.run.status != .running
        let stamp = summary ? "" : "[\(Self.clock(now))] "
        var out: [String] = []
        if !looked && !summary {
            out.append("\(stamp)run \(s.run.id): running, \(s.run.recipe), started \(RunsShow.time(s.run.startedAt)) UTC, attempt \(s.run.attempts)")
        }
        looked = true
        for st in s.stages {
            let before = stages[st.name]
            let changed = before.map { $0.status != st.status || $0.attempts != st.attempts } ?? true
            stages[st.name] = (st.status, st.attempts)
            let ended = st.status != .running
            if changed && !ended && !summary { out.append(stamp + Self.stageLine(st)) }
            if let (task, states) = s.tasks[st.name] {
                for t in states {
                    let key = "\(st.name)/\(t.share)"
                    let sig = TaskSignature(t)
                    guard tasks[key] != sig else { continue }
                    tasks[key] = sig
                    if !summary || t.state == .failed { out.append(stamp + "  " + Self.taskLine(stage: st.name, t, count: task.count)) }
                }
            }
            if changed && ended { out.append(stamp + Self.stageLine(st)) }
        }
        if s.run.status != .running { out.append(stamp + Self.runLine(s)) }
        return out
    }

    static func stageLine(_ st: StageRecord) -> String {
        var line = "stage \(st.name) (\(st.kind)): \(st.status.rawValue)"
        switch st.status {
        case .running:
            if st.attempts > 1 { line += " (attempt \(st.attempts))" }
        case .done:
            let dropped = RunStore.droppedCounts(st.dropped).filter { $0.1 > 0 }
            let total = dropped.reduce(0) { $0 + $1.1 }
            line += ", \(st.recordsIn.map(String.init) ?? "?") in, \(st.recordsOut.map(String.init) ?? "?") out, \(total) dropped"
            if !dropped.isEmpty { line += " (" + dropped.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")" }
            if let sec = st.seconds { line += ", " + seconds(sec) }
        case .skipped:
            line += ", inputs and settings unchanged (outputs of run \(st.reusedFromRun.map(String.init) ?? "?"))"
        case .failed:
            if let e = st.error { line += ": \(e)" }
        case .interrupted:
            line += " (its process died; the same `run` command resumes it)"
        }
        return line
    }

    static func taskLine(stage: String, _ t: TaskState, count: Int) -> String {
        var parts = ["attempt \(t.attempts)"]
        if let e = t.exitCode { parts.append("exit \(e)" + (t.signal.map { " (signal \($0))" } ?? "")) }
        if let j = t.slurmJob { parts.append("slurm job \(j)") }
        if let n = t.node { parts.append("node \(n)") } else if t.slurmJob == nil, t.state == .running, let pid = t.pid { parts.append("pid \(pid)") }
        if t.state != .running, t.state != .pending, let sec = t.seconds { parts.append(seconds(sec)) }
        var line = "\(stage) share \(t.share)/\(count): \(t.state.rawValue) (\(parts.joined(separator: ", ")))"
        if t.state == .failed { line += ", log \(t.log)" }
        return line
    }

    static func runLine(_ s: RunSnapshot) -> String {
        let ran = s.stages.filter { $0.status == .done }.count, skipped = s.stages.filter { $0.status == .skipped }.count
        let took = s.run.finishedAt.map { ", " + seconds($0.timeIntervalSince(s.run.startedAt)) } ?? ""
        return "run \(s.run.id) \(s.run.status.rawValue): \(s.stages.count) stage\(s.stages.count == 1 ? "" : "s") (\(ran) ran, \(skipped) skipped)\(took)"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }

    static func clock(_ d: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    /// "1-3, 5": run ids, compactly.
    static func ranges(_ ids: [Int64]) -> String {
        var parts: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count, ids[j + 1] == ids[j] + 1 { j += 1 }
            parts.append(j == i ? "\(ids[i])" : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
