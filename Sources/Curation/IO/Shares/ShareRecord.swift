import Foundation

/// A share's completion marker: the last thing a task writes (`STAGE_DIR/shares/sIofN.json`), holding
/// all `merge` needs from it: its outputs' manifests, its report, the side files it wrote (each named
/// as `ShardSpec.name` names it, merged by concatenation) and the slices it read. A task that has not
/// written it has not finished; a re-run of the task removes it first (`ShardedOutput.beginShare`).
public struct ShareRecord: Sendable, Equatable {
    public var stage: String
    public var share: ShardSpec
    /// One manifest per output prefix (`part`, decontam's `removed`), each listing this share's shards.
    public var manifests: [Manifest]
    /// The share's report, as the stage writes it.
    public var report: JSONValue
    /// Where the merged report goes (relative to the stage directory, or absolute).
    public var reportFile: String
    /// Merged names of side files (`rejected.jsonl`, `matches.jsonl.zst`): this share wrote
    /// `share.name(file)`; merge concatenates them in share order (valid for JSONL, zstd and gzip).
    public var sideFiles: [String]
    /// What the share read, for `runs show` and for people.
    public var slices: [String]
    public var seconds: Double
    /// What a stage's merge needs beyond counts (vote: the groups it voted, to check none was split).
    public var extra: JSONObject

    public init(stage: String, share: ShardSpec, manifests: [Manifest], report: JSONValue, reportFile: String,
                sideFiles: [String] = [], slices: [String] = [], seconds: Double = 0, extra: JSONObject = JSONObject()) {
        self.stage = stage; self.share = share; self.manifests = manifests; self.report = report
        self.reportFile = reportFile; self.sideFiles = sideFiles; self.slices = slices; self.seconds = seconds
        self.extra = extra
    }

    public static let folder = "shares"

    /// Where the records of a stage directory's shares go: `DIR/shares`.
    public static func folder(directory: String) -> String { (directory as NSString).appendingPathComponent(folder) }
    /// Where the records of a single-file output's shares go (`verify --output x.jsonl.zst`): `x.jsonl.zst.shares`.
    public static func folder(outputFile: String) -> String { outputFile + ".shares" }

    public static func path(directory: String, share: ShardSpec) -> String { path(folder: folder(directory: directory), share: share) }

    /// Where an output listed in a record lives: a manifest prefix may name a sub-directory of the stage
    /// directory (`prompts/part`: persona's synthesis prompts, written beside its records), so one record
    /// covers every output of the share. Returns the output's directory and its plain prefix.
    public static func location(prefix: String, directory: String) -> (directory: String, prefix: String) {
        guard let slash = prefix.lastIndex(of: "/") else { return (directory, prefix) }
        return ((directory as NSString).appendingPathComponent(String(prefix[..<slash])), String(prefix[prefix.index(after: slash)...]))
    }
    public static func path(folder: String, share: ShardSpec) -> String { (folder as NSString).appendingPathComponent("\(share.tag).json") }

    public var json: JSONValue {
        var o = JSONObject()
        o["version"] = .int(1)
        o["stage"] = .string(stage)
        o["share"] = .int(share.index)
        o["count"] = .int(share.count)
        o["manifests"] = .array(manifests.map { (try? JSONParser.parse($0.jsonBytes())) ?? .null })
        o["report_file"] = .string(reportFile)
        o["report"] = report
        o["side_files"] = .array(sideFiles.map { .string($0) })
        o["slices"] = .array(slices.map { .string($0) })
        o["seconds"] = .double((seconds * 1000).rounded() / 1000)
        if !extra.entries.isEmpty { o["extra"] = .object(extra) }
        return .object(o)
    }

    /// Writes the marker atomically: the task's last step.
    public func write(directory: String) throws { try write(folder: Self.folder(directory: directory)) }

    public func write(folder: String) throws {
        let path = Self.path(folder: folder, share: share)
        do { try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: path, reason: "cannot create the shares folder: \(error.localizedDescription)")
        }
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: path)
    }

    public static func load(_ path: String) throws -> ShareRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw CurationError.io(path: path, reason: "cannot read share record") }
        func bad(_ why: String) -> CurationError { .io(path: path, reason: "not a valid share record: \(why)") }
        let v: JSONValue
        do { v = try JSONParser.parse([UInt8](data)) } catch { throw bad("\(error)") }
        guard let stage = v["stage"]?.stringValue, let i = v["share"]?.intValue, let n = v["count"]?.intValue,
              let ms = v["manifests"]?.arrayValue, let report = v["report"], let reportFile = v["report_file"]?.stringValue else {
            throw bad("missing stage, share, count, manifests, report or report_file")
        }
        let spec: ShardSpec
        do { spec = try ShardSpec(index: i, count: n) } catch { throw bad("share \(i) of \(n)") }
        var manifests: [Manifest] = []
        for m in ms {
            do { manifests.append(try JSONDecoder().decode(Manifest.self, from: Data(JSONWriter.bytes(m)))) } catch { throw bad("manifest: \(error)") }
        }
        return ShareRecord(stage: stage, share: spec, manifests: manifests, report: report, reportFile: reportFile,
                           sideFiles: (v["side_files"]?.arrayValue ?? []).compactMap(\.stringValue),
                           slices: (v["slices"]?.arrayValue ?? []).compactMap(\.stringValue),
                           seconds: v["seconds"]?.doubleValue ?? 0, extra: v["extra"]?.objectValue ?? JSONObject())
    }

    /// The share records of a stage directory: all N of one share count, in share order. Missing
    /// shares, or records of two different counts, are an error naming them.
    public static func loadAll(directory: String, expectedCount: Int? = nil) throws -> [ShareRecord] {
        try loadAll(folder: folder(directory: directory), expectedCount: expectedCount)
    }

    public static func loadAll(folder: String, expectedCount: Int? = nil) throws -> [ShareRecord] {
        let directory = folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") && $0.hasSuffix(".json") }
        var byCount: [Int: [Int: ShareRecord]] = [:]
        for name in names {
            let r = try load((folder as NSString).appendingPathComponent(name))
            byCount[r.share.count, default: [:]][r.share.index] = r
        }
        let count: Int
        if let expectedCount { count = expectedCount } else {
            guard !byCount.isEmpty else { throw CurationError.io(path: directory, reason: "no finished shares (sIofN.json): no sharded task of this stage completed") }
            guard byCount.count == 1, let only = byCount.keys.first else {
                throw CurationError.io(path: directory, reason: "share records of different share counts (\(byCount.keys.sorted().map { "of \($0)" }.joined(separator: ", "))); pass the count to merge")
            }
            count = only
        }
        let found = byCount[count] ?? [:]
        let missing = (0..<count).filter { found[$0] == nil }
        if !missing.isEmpty {
            let shown = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", ..." : "")
            throw CurationError.io(path: directory, reason: "\(missing.count) of \(count) shares have not completed (share \(shown)): run them, then merge")
        }
        return (0..<count).compactMap { found[$0] }
    }
}
