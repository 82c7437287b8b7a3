import Foundation

/// The completion record of one task of a phase that runs before a stage's shares (a sharded mix's
/// scan, plan and gather): `DIR/phases/PHASE-sIofN.done.json`, written last, listing the files the task
/// wrote (in `DIR/phases/`) with their sizes. A task is done when its record reads and every file it
/// lists is there with that size, so a killed task (no record) or a removed file is redone. The phase
/// files are the stage's working files: the stage's merge removes the folder once its output is complete.
public struct PhaseRecord: Sendable, Equatable {
    public var phase: String
    public var share: ShardSpec
    /// File names in the phases folder, and their sizes in bytes.
    public var files: [String: Int]
    public var seconds: Double

    public init(phase: String, share: ShardSpec, files: [String: Int], seconds: Double) {
        self.phase = phase; self.share = share; self.files = files; self.seconds = seconds
    }

    public static let folder = "phases"
    public static func folder(directory: String) -> String { (directory as NSString).appendingPathComponent(folder) }
    public static func path(directory: String, phase: String, share: ShardSpec) -> String {
        (folder(directory: directory) as NSString).appendingPathComponent("\(phase)-\(share.tag).done.json")
    }

    /// The first step of a phase task: the folder, and no record of an earlier attempt.
    public static func begin(directory: String, phase: String, share: ShardSpec) throws {
        let dir = folder(directory: directory)
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: dir, reason: "cannot create the phases folder: \(error.localizedDescription)")
        }
        let record = path(directory: directory, phase: phase, share: share)
        if unlink(record) != 0 && errno != ENOENT {
            throw CurationError.io(path: record, reason: "cannot remove the task's old completion record: \(String(cString: strerror(errno)))")
        }
    }

    /// The last step of a phase task: the record of the files it wrote (sizes read from disk now).
    public static func complete(directory: String, phase: String, share: ShardSpec, files names: [String], seconds: Double) throws {
        var files: [String: Int] = [:]
        for name in names {
            let p = (folder(directory: directory) as NSString).appendingPathComponent(name)
            var st = stat()
            guard stat(p, &st) == 0 else { throw CurationError.io(path: p, reason: "a file this task wrote is missing") }
            files[name] = Int(st.st_size)
        }
        try PhaseRecord(phase: phase, share: share, files: files, seconds: seconds).write(directory: directory)
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["phase"] = .string(phase)
        o["share"] = .int(share.index)
        o["count"] = .int(share.count)
        o["files"] = .object(JSONObject(files.keys.sorted().map { .init(key: $0, value: .int(files[$0] ?? 0)) }))
        o["seconds"] = .double((seconds * 1000).rounded() / 1000)
        return .object(o)
    }

    public func write(directory: String) throws {
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: Self.path(directory: directory, phase: phase, share: share))
    }

    /// Whether task `share` of `phase` finished: its record reads and its files have their sizes.
    public static func isDone(directory: String, phase: String, share: ShardSpec) -> Bool {
        guard let data = FileManager.default.contents(atPath: path(directory: directory, phase: phase, share: share)),
              let v = try? JSONParser.parse([UInt8](data)), v["phase"]?.stringValue == phase, v["share"]?.intValue == share.index,
              v["count"]?.intValue == share.count, let files = v["files"]?.objectValue else { return false }
        for e in files.entries {
            var st = stat()
            let p = (folder(directory: directory) as NSString).appendingPathComponent(e.key)
            guard stat(p, &st) == 0, Int(st.st_size) == e.value.intValue else { return false }
        }
        return true
    }

    /// Removes the phases folder (the merge's last step, and before other work's tasks start).
    public static func removeAll(directory: String) throws {
        let dir = folder(directory: directory)
        guard FileManager.default.fileExists(atPath: dir) else { return }
        do { try FileManager.default.removeItem(atPath: dir) } catch {
            throw CurationError.io(path: dir, reason: "cannot remove the phases folder: \(error.localizedDescription)")
        }
    }
}
