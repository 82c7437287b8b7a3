import ArgumentParser
import Curation
import Foundation

/// `curate-tool runs`: what the run store of a run directory holds, and how a run in progress goes.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List recipe runs, show one run's stages, counts and drop reasons, or follow a run as it goes.",
        subcommands: [RunsList.self, RunsShow.self, RunsWatch.self], defaultSubcommand: RunsList.self)
}

struct StoreOption: ParsableArguments {
    @Option(name: .long, help: "Run directory or runs.sqlite file (default: the current directory).")
    var store = "."

    var path: String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: store, isDirectory: &isDir), isDir.boolValue { return RunStore.path(inDirectory: store) }
        return store
    }

    func open() throws -> RunStore {
        guard FileManager.default.fileExists(atPath: path) else { throw CurationError.store(path: path, reason: "no run store here") }
        return try RunStore(path: path)
    }

    /// The store, read-only, for following a run another process writes (`runs watch`).
    func openReadOnly() throws -> RunStoreReader { try RunStoreReader(path: path) }
}

struct RunsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs.")
    @OptionGroup var store: StoreOption
    @Flag(name: .long, help: "Print JSON on stdout.") var json = false

    func run() throws {
        let s = try store.open()
        let runs = try s.runs()
        if json {
            Console.stdout(PrettyJSON.string(.array(try runs.map { RunsShow.json(run: $0, stages: try s.stages(run: $0.id)) })))
            return
        }
        let rows = try runs.map { r -> [String] in
            let st = try s.stages(run: r.id)
            let ran = st.filter { $0.status == .done }.count, skipped = st.filter { $0.status == .skipped }.count
            return ["\(r.id)", r.status.rawValue, RunsShow.time(r.startedAt), "\(st.count)", "\(ran)", "\(skipped)", "\(r.attempts)", r.recipe]
        }
        Console.stdout(TextTable.render(header: ["id", "status", "started", "stages", "ran", "skipped", "attempts", "recipe"], rows: rows, rightAlign: [0, 3, 4, 5, 6]))
    }
}

struct RunsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run's stages, counts and drop reasons.")
    @Argument(help: "Run id.") var id: Int64
    @OptionGroup var store: StoreOption
    @Flag(name: .long, help: "Print JSON on stdout.") var json = false

    func run() throws {
        let s = try store.open()
        let r = try s.run(id)
        let stages = try s.stages(run: id)
        if json { Console.stdout(PrettyJSON.string(Self.json(run: r, stages: stages))) } else { Console.stdout(Self.render(run: r, stages: stages)) }
    }

    static func time(_ d: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    static func render(run r: RunRecord, stages: [StageRecord]) -> String {
        var out = "run \(r.id): \(r.status.rawValue), \(r.recipe), started \(time(r.startedAt)) UTC, attempts \(r.attempts)\n"
        if let e = r.error { out += "error: \(e)\n" }
        let rows = stages.map { st -> [String] in
            let status = st.status == .skipped ? "skipped (run \(st.reusedFromRun.map(String.init) ?? "?"))" : st.status.rawValue
            return [st.name, st.kind, status, st.recordsIn.map(String.init) ?? "-", st.recordsOut.map(String.init) ?? "-",
                    st.seconds.map { String(format: "%.2f s", $0) } ?? "-", st.inputs.map(\.name).joined(separator: ","), st.outputDirectory]
        }
        out += TextTable.render(header: ["stage", "kind", "status", "in", "out", "time", "inputs", "output"], rows: rows, rightAlign: [3, 4, 5])
        for st in stages {
            let d = RunStore.droppedCounts(st.dropped).filter { $0.1 > 0 }
            guard !d.isEmpty else { continue }
            out += "dropped in \(st.name): " + d.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n"
        }
        for st in stages {
            guard let (task, states) = tasks(run: r, stage: st) else { continue }
            let what = task.count == 1 ? "one job" : "\(task.count) shares"
            out += "tasks of \(st.name) (\(task.executor) executor, \(what), \(TaskFile.folder(directory: st.outputDirectory))):\n"
            // Under Slurm: each task's job (ARRAYID_INDEX) and node.
            let phased = TaskState.phaseStates(directory: st.outputDirectory)
            let slurm = (phased + states).contains { $0.slurmJob != nil }
            let rows = (phased + states).map { t -> [String] in
                let exit: String = t.exitCode.map { "\($0)" + (t.signal.map { " (signal \($0))" } ?? "") } ?? "-"
                let time: String = t.seconds.map { String(format: "%.2f s", $0) } ?? "-"
                var row: [String] = [t.phase.map { "\($0) \(t.share)/\(t.count)" } ?? "\(t.share)", t.state.rawValue, exit, "\(t.attempts)", time]
                if slurm { row += [t.slurmJob ?? "-", t.node ?? "-"] }
                row.append(t.log)
                return row
            }
            out += TextTable.render(header: ["share", "state", "exit", "attempts", "time"] + (slurm ? ["slurm job", "node"] : []) + ["log"],
                                    rows: rows, rightAlign: [0, 3, 4])
        }
        return out
    }

    /// The tasks of a stage this run ran as tasks (its task file names this run), from the state files in
    /// the stage directory; nil for a stage run inline or skipped.
    static func tasks(run r: RunRecord, stage st: StageRecord) -> (TaskFile, [TaskState])? {
        guard st.status != .skipped, let found = TaskState.all(directory: st.outputDirectory), found.task.run == r.id,
              found.task.stage == st.name else { return nil }
        return found
    }

    static func json(run r: RunRecord, stages: [StageRecord]) -> JSONValue {
        var o = JSONObject()
        o["id"] = .int(Int(r.id)); o["status"] = .string(r.status.rawValue); o["recipe"] = .string(r.recipe)
        o["started_at"] = .string(time(r.startedAt)); o["attempts"] = .int(r.attempts); o["error"] = r.error.map { .string($0) } ?? .null
        o["stages"] = .array(stages.map { st in
            var s = JSONObject()
            s["name"] = .string(st.name); s["kind"] = .string(st.kind); s["status"] = .string(st.status.rawValue)
            s["records_in"] = st.recordsIn.map { .int($0) } ?? .null; s["records_out"] = st.recordsOut.map { .int($0) } ?? .null
            s["dropped"] = .object(JSONObject(RunStore.droppedCounts(st.dropped).map { .init(key: $0.0, value: .int($0.1)) }))
            s["seconds"] = st.seconds.map { .double($0) } ?? .null; s["attempts"] = .int(st.attempts)
            s["reused_from_run"] = st.reusedFromRun.map { .int(Int($0)) } ?? .null
            s["fingerprint"] = .string(st.fingerprint); s["output"] = .string(st.outputDirectory); s["output_hash"] = st.outputHash.map { .string($0) } ?? .null
            s["inputs"] = .array(st.inputs.map { .object(JSONObject([.init(key: "name", value: .string($0.name)), .init(key: "kind", value: .string($0.kind)),
                                                                    .init(key: "content_hash", value: .string($0.contentHash))])) })
            s["tasks"] = tasks(run: r, stage: st).map { (task, states) in
                .object(JSONObject([.init(key: "executor", value: .string(task.executor)), .init(key: "count", value: .int(task.count)),
                                    .init(key: "folder", value: .string(TaskFile.folder(directory: st.outputDirectory))),
                                    .init(key: "shares", value: .array(states.map(\.json))),
                                    .init(key: "phases", value: .array(TaskState.phaseStates(directory: st.outputDirectory).map(\.json)))]))
            } ?? .null
            return .object(s)
        })
        return .object(o)
    }
}
