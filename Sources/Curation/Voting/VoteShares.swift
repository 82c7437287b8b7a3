import Foundation

/// A vote run as N tasks, partitioned by instance id, with the records, order and report of one
/// `VoteStage` run. Completions of one instance may sit anywhere in the input, and one run votes them as
/// one group, so the tasks run in two phases before the shares (files in `OUTPUT/phases/`, finished tasks
/// marked by `PhaseRecord`s):
///
/// 1. **route** (N tasks): share i of the input. Instances with a `completions` list are voted here and
///    their outputs kept in order (`list-sIofN.jsonl`); every per-completion record goes to the vote task
///    of its id's hash (`route-sIofN.run`, by bucket, with its `.index`), with its place in the input;
/// 2. **vote** (N tasks): bucket j of every route file, in share order, which is input order: the groups
///    of the ids hashed to j, voted as one run votes them, their outputs keyed by where each group first
///    appeared (`vote-sJofN.run`);
/// 3. **write** (the shares): share j writes route task j's list outputs; the last share then writes every
///    group's outputs, merged by first appearance. One run writes all list instances first and the groups
///    at its end, in order of first appearance: the shares in order are that.
///
/// Share j's report is route task j's and vote task j's together, so the merged report counts every record
/// once. A sharded vote fails on a bad record (the run executor's policy): skipping one would put its
/// rejected line elsewhere in the rejected file than one run puts it.
public enum VoteShares {
    public enum Phase: String, CaseIterable, Sendable { case route, vote }

    /// More shares than this are refused: an input position packs the share into the top 24 bits.
    public static let maxShares = 1 << 16

    // MARK: - 1: route

    public static func route(files: [String], directory dir: String, share: ShardSpec, options: VoteOptions, read: ReadOptions = ReadOptions(),
                             plainUnitBytes: Int = SharePlan.plainUnitBytes) throws {
        let started = Date()
        try check(share)
        try PhaseRecord.begin(directory: dir, phase: Phase.route.rawValue, share: share)
        let slices = try SharePlan.plan(files, options: read, plainUnitBytes: plainUnitBytes).slices(for: share)
        let reader = RecordReader(slices: slices, policy: .fail, options: read)
        let stage = try VoteStage(options: options, policy: .fail)
        let listName = "list-\(share.tag).jsonl"
        let list = try AtomicFileWriter(path: path(dir, listName))
        var buckets = [[(seq: UInt64, payload: [UInt8])]](repeating: [], count: share.count)
        var position: UInt64 = 0
        let newline: [UInt8] = [0x0A]
        let emit: (RawRecord) throws -> Void = { r in try list.write(r.bytes); try list.write(newline) }
        try reader.forEach { record in
            try stage.process(record, emit: emit) { r, id in
                guard position < 1 << 40 else { throw CurationError.invalidArgument("share \(share.index)/\(share.count) holds more than 2^40 records") }
                let b = Int(XXH3.hash64(id, seed: 0x7674).multipliedFullWidth(by: UInt64(share.count)).high)
                buckets[b].append((UInt64(share.index) << 40 | position, Routed.encode(r, id: id)))
            }
            position += 1
        }
        stage.absorbReader(reader.counts)
        let report = try stage.finish(emit: emit)
        try list.commit()
        let runName = "route-\(share.tag).run", indexName = "route-\(share.tag).index", reportName = "route-\(share.tag).json"
        let writer = try RunWriter(path: path(dir, runName), bufferBytes: 1 << 20)
        var starts: [UInt64] = []
        for (b, bucket) in buckets.enumerated() {
            starts.append(UInt64(writer.offset))
            for e in bucket { try e.payload.withUnsafeBytes { try writer.append(key: UInt64(b), seq: e.seq, $0) } }
        }
        starts.append(UInt64(writer.offset))
        try writer.close()
        try RunIndex.write(starts, to: path(dir, indexName))
        try AtomicFileWriter.write(PrettyJSON.string(report.json) + "\n", to: path(dir, reportName))
        try PhaseRecord.complete(directory: dir, phase: Phase.route.rawValue, share: share, files: [listName, runName, indexName, reportName],
                                 seconds: Date().timeIntervalSince(started))
    }

    // MARK: - 2: vote

    public static func vote(directory dir: String, share: ShardSpec, options: VoteOptions) throws {
        let started = Date()
        try check(share)
        try PhaseRecord.begin(directory: dir, phase: Phase.vote.rawValue, share: share)
        let stage = try VoteStage(options: options, policy: .fail)
        var seen = Set<String>()
        var firstPlace: [UInt64] = []
        let unexpected: (RawRecord) throws -> Void = { r in
            throw CurationError.io(path: path(dir, "route-\(share.tag).run"), reason: "a routed record voted as a list instance (\(r.location))")
        }
        for i in 0..<share.count {
            let from = try ShardSpec(index: i, count: share.count)
            let range = try RunIndex.range(path(dir, "route-\(from.tag).index"), bucket: share.index, count: share.count)
            let reader = try RunReader(path: path(dir, "route-\(from.tag).run"), bufferBytes: 1 << 20, range: range)
            while !reader.exhausted {
                let (record, id) = try Routed.decode(reader.bytes, file: reader.path)
                if seen.insert(id).inserted { firstPlace.append(reader.seq) }
                try stage.process(record, emit: unexpected)
                try reader.advance()
            }
        }
        let runName = "vote-\(share.tag).run", reportName = "vote-\(share.tag).json"
        let writer = try RunWriter(path: path(dir, runName), bufferBytes: 1 << 20)
        var arrival: UInt64 = 0
        let report = try stage.finish(emit: unexpected) { g, r in
            guard g < firstPlace.count else { throw CurationError.io(path: path(dir, runName), reason: "group \(g) has no first place") }
            try r.bytes.withUnsafeBytes { try writer.append(key: firstPlace[g], seq: arrival, $0) }
            arrival += 1
        }
        try writer.close()
        try AtomicFileWriter.write(PrettyJSON.string(report.json) + "\n", to: path(dir, reportName))
        try PhaseRecord.complete(directory: dir, phase: Phase.vote.rawValue, share: share, files: [runName, reportName],
                                 seconds: Date().timeIntervalSince(started))
    }

    // MARK: - 3: write (the shares)

    /// Share j's records: route task j's list outputs, then, for the last share, every group's outputs in
    /// order of first appearance. Returns its manifest and its report (route j's and vote j's together).
    public static func write(directory dir: String, share: ShardSpec, shard options: ShardOptions) throws -> (manifest: Manifest, report: StageReport) {
        var shard = options
        shard.share = share
        let writer = try ShardedWriter(directory: dir, options: shard)
        var report = try write(directory: dir, share: share) { try writer.write(line: $0) }
        let manifest = try writer.finish()
        report.bytesOut = manifest.compressedBytes
        return (manifest, report)
    }

    /// Share j's records, in order, to `line` (a single output file's share); returns its report.
    public static func write(directory dir: String, share: ShardSpec, line: (UnsafeRawBufferPointer) throws -> Void) throws -> StageReport {
        try check(share)
        try LineReader(path: path(dir, "list-\(share.tag).jsonl")).forEachLine { l, _, _ in try line(l) }
        if share.index == share.count - 1 {
            let readers = try (0..<share.count).map { i in
                try RunReader(path: path(dir, "vote-\(try ShardSpec(index: i, count: share.count).tag).run"), bufferBytes: 1 << 18)
            }
            try RunMerge.merge(readers) { _, _, bytes in try line(bytes) }
        }
        var reports: [StageReport] = []
        var statistics = VoteStatistics()
        for name in ["route-\(share.tag).json", "vote-\(share.tag).json"] {
            let p = path(dir, name)
            guard let data = FileManager.default.contents(atPath: p) else { throw CurationError.io(path: p, reason: "missing: run the vote's earlier phases first") }
            let json: JSONValue
            do { json = try JSONParser.parse([UInt8](data)) } catch { throw CurationError.io(path: p, reason: "not a report: \(error)") }
            reports.append(try StageReport(json: json))
            if let v = json["vote"] { statistics.add(VoteStatistics(json: v)) }
        }
        var report = try StageReport.merged(reports)
        report.extra["vote"] = statistics.json
        return report
    }

    // MARK: - files

    static func path(_ dir: String, _ name: String) -> String { (PhaseRecord.folder(directory: dir) as NSString).appendingPathComponent(name) }

    static func check(_ share: ShardSpec) throws {
        guard share.count <= maxShares else { throw CurationError.invalidArgument("a vote runs as at most \(maxShares) shares, not \(share.count)") }
    }
}

/// A per-completion record on its way to its vote task: its location (for errors), its id and its bytes.
enum Routed {
    static func encode(_ r: RawRecord, id: String) -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: Int) { withUnsafeBytes(of: UInt64(bitPattern: Int64(v)).littleEndian) { out.append(contentsOf: $0) } }
        let file = Array(r.location.file.utf8), idBytes = Array(id.utf8)
        u32(file.count); out += file
        u64(r.location.line); u64(r.location.offset)
        u32(idBytes.count); out += idBytes
        out += r.bytes
        return out
    }

    static func decode(_ b: UnsafeRawBufferPointer, file path: String) throws -> (RawRecord, String) {
        var at = 0
        func take(_ n: Int) throws -> UnsafeRawBufferPointer {
            guard n >= 0, at + n <= b.count else { throw CurationError.io(path: path, reason: "a routed record is truncated") }
            defer { at += n }
            return UnsafeRawBufferPointer(rebasing: b[at..<(at + n)])
        }
        func u32() throws -> Int { Int(UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self))) }
        func u64() throws -> Int { Int(Int64(bitPattern: UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)))) }
        let file = String(decoding: try take(try u32()), as: UTF8.self)
        let line = try u64(), offset = try u64()
        let id = String(decoding: try take(try u32()), as: UTF8.self)
        let bytes = [UInt8](try take(b.count - at))
        return (try RawRecord(bytes: bytes, location: SourceLocation(file: file, line: line, offset: offset)), id)
    }
}
