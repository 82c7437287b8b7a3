import Curation
import Foundation

/// What every task of a sharded stage needs to run its share, written once by the executor as
/// `STAGE_DIR/tasks/task.json` before any task starts: `curate-tool run-task TASKFILE --shard i/N`
/// reads it. It is the whole task protocol (no arguments besides the share), so any executor that can
/// start a process with a share index (this machine's processes now, a Slurm array next) runs the same
/// tasks, and a re-run can tell whether the finished shares it finds belong to the same stage.
struct TaskFile: Equatable {
    var executor: String
    /// The run (in the run store) that wrote this file; `runs show` lists the tasks of that run only.
    var run: Int64
    /// The recipe as the run was given it (relative to `workingDirectory`, like every path here, so the
    /// paths it resolves are the same strings the run's settings hold): the task loads it to build the
    /// stage's runner with its settings.
    var recipe: String
    var stage: String
    var kind: String
    /// The stage's fingerprint and settings (as the run store records them): a task refuses to run
    /// if the recipe now gives other settings, and a re-run keeps finished shares only of this identity.
    var fingerprint: String
    var settings: String
    /// The stage's output directory, absolute.
    var directory: String
    /// The working directory the stage's paths are relative to (tasks run there).
    var workingDirectory: String
    var count: Int
    /// The stage's inputs exactly as the recipe runner passes them to an inline run.
    var inputs: [StageInput]
    /// Threads of one task (the run's threads shared among the tasks running at once).
    var threads: Int
    var memory: Int
    var quiet: Bool
    var seed: UInt64
    /// Environment variables every task must see alike (`CURATE_SHARE_UNIT_BYTES` cuts the inputs):
    /// passed on by the task file so an executor that does not forward the environment still agrees.
    var environment: [String: String]
    /// Inputs that an earlier stage of the same Slurm submission is still computing (input name -> that
    /// stage's directory): their `files` are empty here and are read from the stage's manifest when a
    /// task starts (`resolvedInputs`), which Slurm's `afterok` orders after that stage's merge. Such a task
    /// file has the fingerprint `deferred`, never the same work as another: the executor rewrites it with
    /// the real inputs and fingerprint once the stage it waited for is recorded.
    var deferredInputs: [String: String] = [:]

    static let folder = "tasks"
    /// The fingerprint of a task file written before its inputs existed.
    static let deferredFingerprint = "deferred"
    static let name = "task.json"
    /// Variables copied into the task file when set.
    static let passedVariables = ["CURATE_SHARE_UNIT_BYTES"]

    static func folder(directory: String) -> String { (directory as NSString).appendingPathComponent(folder) }
    static func path(directory: String) -> String { (folder(directory: directory) as NSString).appendingPathComponent(name) }
    /// A task's log: every attempt's output, appended.
    static func logPath(directory: String, share: ShardSpec, phase: String? = nil) -> String {
        (folder(directory: directory) as NSString).appendingPathComponent("\(TaskState.tag(share, phase)).log")
    }

    /// Whether finished shares of `other` are shares of this stage: the same stage, settings, inputs and count.
    func sameWork(as other: TaskFile) -> Bool {
        fingerprint != Self.deferredFingerprint && stage == other.stage && kind == other.kind && fingerprint == other.fingerprint && settings == other.settings
            && directory == other.directory && count == other.count && inputs == other.inputs && environment == other.environment
    }

    var json: JSONValue {
        var o = JSONObject()
        o["version"] = .int(1)
        o["executor"] = .string(executor)
        o["run"] = .int(Int(run))
        o["recipe"] = .string(recipe)
        o["stage"] = .string(stage)
        o["kind"] = .string(kind)
        o["fingerprint"] = .string(fingerprint)
        o["settings"] = .string(settings)
        o["directory"] = .string(directory)
        o["working_directory"] = .string(workingDirectory)
        o["count"] = .int(count)
        o["inputs"] = .array(inputs.map { i in
            .object(JSONObject([.init(key: "name", value: .string(i.name)), .init(key: "kind", value: .string(i.kind)),
                                .init(key: "files", value: .array(i.files.map { .string($0) }))]))
        })
        o["context"] = .object(JSONObject([.init(key: "threads", value: .int(threads)), .init(key: "memory", value: .int(memory)),
                                           .init(key: "quiet", value: .bool(quiet)), .init(key: "seed", value: .number(String(seed)))]))
        o["environment"] = .object(JSONObject(environment.keys.sorted().map { .init(key: $0, value: .string(environment[$0] ?? "")) }))
        if !deferredInputs.isEmpty {
            o["deferred_inputs"] = .object(JSONObject(deferredInputs.keys.sorted().map { .init(key: $0, value: .string(deferredInputs[$0] ?? "")) }))
        }
        return .object(o)
    }

    func write() throws {
        let path = Self.path(directory: directory)
        do { try FileManager.default.createDirectory(atPath: Self.folder(directory: directory), withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: path, reason: "cannot create the tasks folder: \(error.localizedDescription)")
        }
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: path)
    }

    static func load(_ path: String) throws -> TaskFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw CurationError.io(path: path, reason: "cannot read the task file") }
        func bad(_ why: String) -> CurationError { .io(path: path, reason: "not a valid task file: \(why)") }
        let v: JSONValue
        do { v = try JSONParser.parse([UInt8](data)) } catch { throw bad("\(error)") }
        guard v["version"]?.intValue == 1 else { throw bad("version \(v["version"].map { JSONWriter.string($0) } ?? "missing"), this tool reads 1") }
        guard let executor = v["executor"]?.stringValue, let run = v["run"]?.intValue, let recipe = v["recipe"]?.stringValue,
              let stage = v["stage"]?.stringValue, let kind = v["kind"]?.stringValue, let fingerprint = v["fingerprint"]?.stringValue,
              let settings = v["settings"]?.stringValue, let directory = v["directory"]?.stringValue,
              let cwd = v["working_directory"]?.stringValue, let count = v["count"]?.intValue, count >= 1,
              let inputs = v["inputs"]?.arrayValue, let context = v["context"] else {
            throw bad("missing or mistyped run, recipe, stage, kind, fingerprint, settings, directory, working_directory, count, inputs or context")
        }
        var ins: [StageInput] = []
        for i in inputs {
            guard let name = i["name"]?.stringValue, let k = i["kind"]?.stringValue, let files = i["files"]?.arrayValue else { throw bad("an input lacks name, kind or files") }
            ins.append(StageInput(name: name, kind: k, files: try files.map { f in
                guard let s = f.stringValue else { throw bad("input \"\(name)\": a file is not a string") }
                return s
            }))
        }
        guard let threads = context["threads"]?.intValue, threads >= 1, let memory = context["memory"]?.intValue, memory >= 0,
              let quiet = context["quiet"]?.boolValue, case .number(let seedText)? = context["seed"], let seed = UInt64(seedText) else {
            throw bad("context needs threads (>= 1), memory, quiet and seed")
        }
        var env: [String: String] = [:]
        for e in v["environment"]?.objectValue?.entries ?? [] { if let s = e.value.stringValue { env[e.key] = s } }
        var deferred: [String: String] = [:]
        for e in v["deferred_inputs"]?.objectValue?.entries ?? [] {
            guard let s = e.value.stringValue, !s.isEmpty else { throw bad("deferred input \"\(e.key)\" has no stage directory") }
            guard ins.contains(where: { $0.name == e.key }) else { throw bad("deferred input \"\(e.key)\" is not one of the inputs") }
            deferred[e.key] = s
        }
        var file = TaskFile(executor: executor, run: Int64(run), recipe: recipe, stage: stage, kind: kind, fingerprint: fingerprint, settings: settings,
                        directory: directory, workingDirectory: cwd, count: count, inputs: ins, threads: threads, memory: memory, quiet: quiet,
                        seed: seed, environment: env)
        file.deferredInputs = deferred
        return file
    }

    /// The inputs with the deferred ones read from their stages' manifests (`DIR/part.manifest.json`, the
    /// shards in manifest order, as the recipe runner passes a finished stage's output on).
    func resolvedInputs() throws -> [StageInput] {
        try inputs.map { input in
            guard let dir = deferredInputs[input.name] else { return input }
            let path = Manifest.path(directory: dir, prefix: "part")
            guard FileManager.default.fileExists(atPath: path) else {
                throw CurationError.io(path: path, reason: "input \"\(input.name)\" of stage \"\(stage)\": the stage it reads has no manifest (it did not finish)")
            }
            let manifest = try Manifest.load(path)
            return StageInput(name: input.name, kind: input.kind, files: manifest.shards.map { (dir as NSString).appendingPathComponent($0.file) })
        }
    }
}

extension StageInput: Equatable {
    static func == (a: StageInput, b: StageInput) -> Bool { a.name == b.name && a.kind == b.kind && a.files == b.files }
}
