import Curation
import Foundation

/// One task's state as the executor last saw it: `STAGE_DIR/tasks/sIofN.state.json`, rewritten
/// atomically at every transition (pending, running, done, failed). It is for people and `runs show`;
/// whether a share is complete is decided by its `ShareRecord` alone, so a state file left by a killed
/// executor ("running") never makes a share count as done.
struct TaskState: Equatable {
    enum State: String { case pending, running, done, failed }

    var share: Int
    var count: Int
    var state: State
    /// The last attempt's exit status; a task killed by a signal has 128 + the signal, as shells report it.
    var exitCode: Int32?
    var signal: Int32?
    /// Attempts over all runs of this stage's tasks (a re-run adds to it only for the tasks it starts).
    var attempts: Int
    var started: Date?
    var finished: Date?
    var seconds: Double?
    var log: String
    var pid: Int32?
    var host: String
    /// Under the Slurm executor: the task's job (`ARRAYID_INDEX`) and the node it ran on, when Slurm said.
    var slurmJob: String? = nil
    var node: String? = nil
    /// Set for a task of a phase before the shares (`RunsInPhases`): its files are `PHASE-sIofN.*`.
    var phase: String? = nil

    static func path(directory: String, share: ShardSpec, phase: String? = nil) -> String {
        (TaskFile.folder(directory: directory) as NSString).appendingPathComponent("\(tag(share, phase)).state.json")
    }

    /// `s3of8`, or `scan-s3of8` for a phase task: the stem of its state file and log.
    static func tag(_ share: ShardSpec, _ phase: String?) -> String { phase.map { "\($0)-\(share.tag)" } ?? share.tag }

    var json: JSONValue {
        var o = JSONObject()
        o["share"] = .int(share)
        o["count"] = .int(count)
        o["state"] = .string(state.rawValue)
        o["exit_code"] = exitCode.map { .int(Int($0)) } ?? .null
        o["signal"] = signal.map { .int(Int($0)) } ?? .null
        o["attempts"] = .int(attempts)
        o["started"] = started.map { .string(Self.time($0)) } ?? .null
        o["finished"] = finished.map { .string(Self.time($0)) } ?? .null
        o["seconds"] = seconds.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
        o["log"] = .string(log)
        o["pid"] = pid.map { .int(Int($0)) } ?? .null
        o["host"] = .string(host)
        if let slurmJob { o["slurm_job"] = .string(slurmJob) }
        if let node { o["node"] = .string(node) }
        if let phase { o["phase"] = .string(phase) }
        return .object(o)
    }

    func write(directory: String) throws {
        guard let spec = try? ShardSpec(index: share, count: count) else { return }
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: Self.path(directory: directory, share: spec, phase: phase))
    }

    /// The state file of a share, or nil when there is none or it cannot be read (it is informational).
    static func load(directory: String, share: ShardSpec, phase: String? = nil) -> TaskState? {
        guard let data = FileManager.default.contents(atPath: path(directory: directory, share: share, phase: phase)),
              let v = try? JSONParser.parse([UInt8](data)), let i = v["share"]?.intValue, let n = v["count"]?.intValue,
              let state = v["state"]?.stringValue.flatMap(State.init(rawValue:)) else { return nil }
        return TaskState(share: i, count: n, state: state, exitCode: v["exit_code"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
                         signal: v["signal"]?.intValue.map { Int32(truncatingIfNeeded: $0) }, attempts: v["attempts"]?.intValue ?? 0,
                         started: v["started"]?.stringValue.flatMap(Self.date), finished: v["finished"]?.stringValue.flatMap(Self.date),
                         seconds: v["seconds"]?.doubleValue, log: v["log"]?.stringValue ?? "", pid: v["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) },
                         host: v["host"]?.stringValue ?? "", slurmJob: v["slurm_job"]?.stringValue, node: v["node"]?.stringValue,
                         phase: v["phase"]?.stringValue)
    }

    /// Every share's state of a stage directory's task file, in share order (nil: no task file).
    static func all(directory: String) -> (task: TaskFile, states: [TaskState])? {
        guard let task = try? TaskFile.load(TaskFile.path(directory: directory)) else { return nil }
        let states = (0..<min(task.count, LocalExecutor.maxTasks)).compactMap { i in
            (try? ShardSpec(index: i, count: task.count)).flatMap { load(directory: directory, share: $0) }
        }
        return (task, states)
    }

    /// The states of the tasks of the phases before a stage's shares (`PHASE-sIofN.state.json`), in the order
    /// they started (phase by phase), then by task.
    static func phaseStates(directory: String) -> [TaskState] {
        let folder = TaskFile.folder(directory: directory)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".state.json") && $0.contains("-") }
        let states = names.prefix(LocalExecutor.maxTasks * 4).compactMap { name -> TaskState? in
            guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)),
                  let v = try? JSONParser.parse([UInt8](data)), let phase = v["phase"]?.stringValue,
                  let i = v["share"]?.intValue, let n = v["count"]?.intValue, let spec = try? ShardSpec(index: i, count: n) else { return nil }
            return load(directory: directory, share: spec, phase: phase)
        }
        var firstStart: [String: Date] = [:]
        for s in states { if let t = s.started { firstStart[s.phase ?? ""] = min(firstStart[s.phase ?? ""] ?? t, t) } }
        return states.sorted {
            let a = firstStart[$0.phase ?? ""] ?? .distantFuture, b = firstStart[$1.phase ?? ""] ?? .distantFuture
            return a != b ? a < b : ($0.phase ?? "", $0.share) < ($1.phase ?? "", $1.share)
        }
    }

    /// ISO 8601 with milliseconds, UTC: start times that tell two attempts apart.
    static func time(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }

    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }

    static let hostName: String = {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "?" }
        return String(cString: buf)
    }()
}
