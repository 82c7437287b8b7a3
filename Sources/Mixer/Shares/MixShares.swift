import Curation
import Foundation

/// A mix run as N tasks (on one machine or a cluster), with the records of `MixStage.run` in the same
/// order. A mix is not record-wise: what a source gives depends on all of it (dedupe keeps the first
/// occurrence, `count`/`tokens` amounts take the smallest keys of the whole pool, repeated ids are
/// numbered on in input order), and its shuffle is global. So it runs in phases, each after the one
/// before, every phase's files in `OUTPUT/phases/` (`PhaseRecord`s mark its finished tasks):
///
/// 1. **scan** (N tasks): share i of every source (each source cut by `SharePlan`), parsed, filtered and
///    measured as the one-process scan does, kept lines written with their key, tokens, text hash and id
///    (`scan-sIofN.bin`, about 40 bytes plus the id per kept record);
/// 2. **plan** (one task, the counting pass): every scan file in share order, which is input order: dedupe,
///    repeated ids, each amount as copies per line, and every copy's output id; one `plan-sIofN.bin` per
///    share (copies per line, and the output ids that are not just the record's id);
/// 3. **gather** (N tasks): share i's taken records with their lineage fields and output ids, sorted by
///    (shuffle key, input order) and cut into N key ranges (`gather-sIofN.run` and its `.index`);
/// 4. **write** (N tasks, the stage's shares): share j merges key range j of every gather file and writes it
///    as `part-sJofN-*` shards. Key ranges in order are the global shuffle's order, so the merge
///    (`finish`) lists the shards in share order and the records are the one-process mix's.
///
/// Equal shuffle keys are ordered by (source, input share, arrival in it), which is the one-process
/// run's arrival order.
public enum MixShares {
    /// The phases before the shares, in order.
    public enum Phase: String, CaseIterable, Sendable {
        case scan, plan, gather
        /// One task (the plan) or N.
        public var single: Bool { self == .plan }
    }

    /// More shares than this are refused: the tie order packs the share into 16 bits.
    public static let maxShares = 1 << 16

    // MARK: - 1: scan

    /// Phase 1, task `share`: scans share `share` of every source into `phases/scan-sIofN.bin`.
    public static func scan<Counter: TokenCounter>(recipe: MixRecipe, outputDirectory dir: String, share: ShardSpec,
                                                   options: MixOptions, tokenCounter: Counter) throws {
        let started = Date()
        try check(share)
        let seed = options.seed ?? recipe.seed
        let files = try MixStage.sourceFiles(recipe: recipe, outputDirectory: dir)
        try PhaseRecord.begin(directory: dir, phase: Phase.scan.rawValue, share: share)
        let rejected = options.onError == .skip
            ? RejectedWriter(directory: options.rejectedDirectory ?? dir, name: share.name("rejected")) : nil
        var out = BinaryOut()
        var sources: [ScanShareSource] = []
        var entries = BinaryOut()
        for (si, source) in recipe.sources.enumerated() {
            let slices = try SharePlan.plan(files[si], options: options.read, plainUnitBytes: options.plainUnitBytes).slices(for: share)
            let reader = RecordReader(slices: slices, policy: options.onError, rejected: rejected, options: options.read)
            var keeping = LineScanner(source: source, seed: seed, counter: tokenCounter, dedupe: recipe.dedupe && source.dedupe,
                                      recordNormalizer: recipe.normalize)
            keeping.keepID = true
            let scanner = keeping
            var tally = ScanTally(summary: SourceSummary(name: source.name, files: files[si], amount: source.amount))
            var kept = 0, bytes = 0
            var body = BinaryOut()
            try scanner.scanAll(reader, options: options, rejected: rejected, tally: &tally, batchDone: { _, b in bytes += b }) { r, line in
                body.u32(UInt32(truncatingIfNeeded: line)); body.u32(r.tokens)
                body.u64(r.key); body.u64(r.contentHash); body.u64(r.idHash)
                body.string(r.id ?? "")
                kept += 1
            }
            guard tally.lines <= Int(UInt32.max) else { throw CurationError.invalidArgument("source \(source.name) has more than 2^32 records in share \(share.index)/\(share.count)") }
            sources.append(ScanShareSource(lines: tally.lines, bytes: bytes, kept: kept, recordsRead: tally.summary.recordsRead,
                                           filtered: tally.summary.filtered, counts: tally.counts(reader.counts)))
            entries.u64(UInt64(kept))
            entries.bytes.append(contentsOf: body.bytes)
        }
        try rejected?.finish()
        let header = try JSONEncoder().encode(sources)
        out.bytes.append(contentsOf: Self.scanMagic)
        out.u32(UInt32(header.count))
        out.bytes.append(contentsOf: header)
        out.bytes.append(contentsOf: entries.bytes)
        let name = scanFile(share)
        try AtomicFileWriter.write(out.bytes, to: path(dir, name))
        try PhaseRecord.complete(directory: dir, phase: Phase.scan.rawValue, share: share, files: [name], seconds: Date().timeIntervalSince(started))
    }

    // MARK: - 2: plan

    /// Phase 2 (one task): the counting pass over all N scan files; writes every share's plan file.
    public static func plan(recipe: MixRecipe, outputDirectory dir: String, count: Int, options: MixOptions) throws {
        let started = Date()
        let only = try ShardSpec(index: 0, count: 1)
        try PhaseRecord.begin(directory: dir, phase: Phase.plan.rawValue, share: only)
        let planned = try computePlan(recipe: recipe, outputDirectory: dir, count: count, options: options, withIDs: true)
        try MixDiskPlan(recipe: recipe, plannedBytes: planned.plannedBytes,
                        directories: [dir] + [options.tempDirectory].compactMap { $0 }).check()
        var names: [String] = []
        for i in 0..<count {
            let share = try ShardSpec(index: i, count: count)
            var out = BinaryOut()
            out.bytes.append(contentsOf: Self.planMagic)
            for si in recipe.sources.indices {
                let copies = planned.copies[si][i]
                out.u64(UInt64(copies.count))
                for c in copies { out.u32(c) }
                let named = planned.named[si][i]
                out.u64(UInt64(named.count))
                for (line, ids) in named {
                    out.u32(line)
                    out.u32(UInt32(ids.count))
                    for id in ids { out.string(id) }
                }
            }
            let name = planFile(share)
            try AtomicFileWriter.write(out.bytes, to: path(dir, name))
            names.append(name)
        }
        try PhaseRecord.complete(directory: dir, phase: Phase.plan.rawValue, share: only, files: names, seconds: Date().timeIntervalSince(started))
    }

    /// What the plan decides, per source and share.
    struct Planned {
        var summaries: [SourceSummary] = []
        var report = StageReport(stage: "mix")
        var plannedBytes: [Double] = []
        /// [source][share]: copies of each line of that share of the source.
        var copies: [[[UInt32]]] = []
        /// [source][share]: (line in the share, output ids) for taken lines whose ids are not just their id.
        var named: [[[(UInt32, [String])]]] = []
    }

    /// The one-process scan's decisions, made from the scan files in input order (`MixStage.run` steps 1-2,
    /// then its gather's output ids). `withIDs: false` stops after the counts (the merge's report).
    static func computePlan(recipe: MixRecipe, outputDirectory dir: String, count: Int, options: MixOptions, withIDs: Bool) throws -> Planned {
        let files = try MixStage.sourceFiles(recipe: recipe, outputDirectory: dir)
        var scans: [ScanFile] = []
        for i in 0..<count { scans.append(try ScanFile(path: path(dir, scanFile(try ShardSpec(index: i, count: count))), sources: recipe.sources.count)) }
        var p = Planned()
        var state = ScanState()
        // Per source, the taken candidates' ids for the naming pass: (share, line in share, id, id hash).
        var takenIDs: [[(share: Int, line: UInt32, id: String, hash: UInt64, copies: UInt32)]] = []
        for (si, source) in recipe.sources.enumerated() {
            var summary = SourceSummary(name: source.name, files: files[si], amount: source.amount)
            var counts = ReadCounts()
            var candidates: [Selection.Candidate] = []
            var lineOfCandidate: [UInt32] = []
            var idOfCandidate: [(share: Int, line: UInt32, id: String, hash: UInt64)] = []
            var shareStart: [Int] = []
            var lines = 0, bytes = 0
            let dedupe = recipe.dedupe && source.dedupe
            for (i, scan) in scans.enumerated() {
                let s = scan.sources[si]
                shareStart.append(lines)
                summary.recordsRead += s.recordsRead
                summary.rejected += s.counts.rejected
                for (k, v) in s.filtered { summary.filtered[k, default: 0] += v }
                counts.add(s.counts)
                try scan.forEachKept(source: si) { e in
                    if dedupe, !state.texts.insert(e.content).inserted { summary.duplicates += 1; return }
                    if !state.ids.insert(e.idHash).inserted { state.repeatedIDs.insert(e.idHash) }
                    candidates.append(.init(key: e.key, tokens: e.tokens, index: UInt32(truncatingIfNeeded: candidates.count)))
                    lineOfCandidate.append(UInt32(truncatingIfNeeded: lines + Int(e.line)))
                    if withIDs { idOfCandidate.append((i, e.line, e.id, e.idHash)) }
                    summary.availableTokens += Int(e.tokens)
                }
                lines += s.lines
                bytes += s.bytes
            }
            guard lines <= Int(UInt32.max) else { throw CurationError.invalidArgument("source \(source.name) has more than 2^32 records") }
            p.report.absorb(counts)
            summary.availableRecords = candidates.count
            let copies = try CopyPlan.copies(source: si, of: recipe, candidates: &candidates, lineOfCandidate: lineOfCandidate, lines: lines, summary: &summary)
            p.summaries.append(summary)
            p.plannedBytes.append(lines == 0 ? 0 : Double(bytes) / Double(lines) * Double(summary.takenRecords))
            guard withIDs else { continue }
            var perShare: [[UInt32]] = []
            for i in 0..<count {
                let a = shareStart[i], b = i + 1 < count ? shareStart[i + 1] : lines
                perShare.append(Array(copies[a..<b]))
            }
            p.copies.append(perShare)
            takenIDs.append(idOfCandidate.enumerated().compactMap { k, c in
                let n = copies[Int(lineOfCandidate[k])]
                return n > 0 ? (c.share, c.line, c.id, c.hash, n) : nil
            })
        }
        MixStage.finishReport(&p.report, summaries: p.summaries)
        guard withIDs else { return p }
        // The gather's naming, in its order (sources, then lines): only ids other than the record's own are written.
        state.texts = []
        var claims: [UInt64: Int] = [:]
        for si in recipe.sources.indices {
            var named = [[(UInt32, [String])]](repeating: [], count: count)
            for t in takenIDs[si] {
                let ids = state.outputIDs(of: t.id, idHash: t.hash, copies: Int(t.copies), claims: &claims)
                if ids.count != 1 || ids[0] != t.id { named[t.share].append((t.line, ids)) }
            }
            p.named.append(named)
        }
        return p
    }

    // MARK: - 3: gather

    /// Phase 3, task `share`: share `share` of every source's taken records, sorted by (shuffle key, input
    /// order) into `phases/gather-sIofN.run`, with the offsets where each of the N key ranges starts in
    /// `gather-sIofN.index`.
    public static func gather(recipe: MixRecipe, outputDirectory dir: String, share: ShardSpec, options: MixOptions) throws {
        let started = Date()
        try check(share)
        let seed = options.seed ?? recipe.seed
        let files = try MixStage.sourceFiles(recipe: recipe, outputDirectory: dir)
        try PhaseRecord.begin(directory: dir, phase: Phase.gather.rawValue, share: share)
        let plan = try PlanFile(path: path(dir, planFile(share)), sources: recipe.sources.count)
        let spill = path(dir, ".gather-spill-\(share.tag)-\(getpid())")
        let shuffler = ExternalShuffler(memoryLimit: max(1, options.memoryLimit / 2), tempDirectory: spill)
        defer { shuffler.discard() }
        for (si, source) in recipe.sources.enumerated() {
            let copies = plan.copies[si]
            let named = plan.named[si]
            let slices = try SharePlan.plan(files[si], options: options.read, plainUnitBytes: options.plainUnitBytes).slices(for: share)
            let reader = RecordReader(slices: slices, policy: .skip, options: options.read)
            let gatherer = LineGatherer(source: source, copies: copies, recordNormalizer: recipe.normalize)
            var arrival: UInt64 = 0
            let tieBase = UInt64(si) << 48 | UInt64(share.index) << 32
            let lines = try gatherer.gatherAll(reader, options: options) { g in
                let ids = named[UInt32(truncatingIfNeeded: g.line)] ?? [g.id]
                guard ids.count == Int(g.copies) else {
                    throw CurationError.io(path: path(dir, planFile(share)), reason: "plan gives line \(g.line) of source \"\(source.name)\" \(g.copies) copies but \(ids.count) ids")
                }
                for outID in ids {
                    guard arrival < 1 << 32 else { throw CurationError.invalidArgument("share \(share.index)/\(share.count) of source \"\(source.name)\" takes more than 2^32 records") }
                    try shuffler.add(g, outputID: outID, key: SamplingKey.shuffle(seed: seed, source: source.name, outputID: outID), seq: tieBase | arrival)
                    arrival += 1
                }
            }
            guard lines == copies.count else {
                throw CurationError.io(path: files[si].first ?? source.name,
                                       reason: "source \"\(source.name)\" changed since its scan (share \(share.index)/\(share.count): \(copies.count) lines, then \(lines))")
            }
        }
        let runName = gatherFile(share), indexName = gatherIndexFile(share)
        let writer = try RunWriter(path: path(dir, runName), bufferBytes: 1 << 20)
        var starts: [UInt64] = []
        try shuffler.finishKeyed { key, seq, bytes in
            let range = Int(key.multipliedFullWidth(by: UInt64(share.count)).high)
            while starts.count <= range { starts.append(UInt64(writer.offset)) }
            try writer.append(key: key, seq: seq, bytes)
        }
        while starts.count <= share.count { starts.append(UInt64(writer.offset)) }
        try writer.close()
        try RunIndex.write(starts, to: path(dir, indexName))
        try PhaseRecord.complete(directory: dir, phase: Phase.gather.rawValue, share: share, files: [runName, indexName],
                                 seconds: Date().timeIntervalSince(started))
    }

    // MARK: - 4: write (the shares)

    /// Phase 4, share `share`: key range `share.index` of every gather file, merged in order and written as
    /// this share's shards. Returns the share's manifest and report (records written) for its `ShareRecord`.
    public static func write(recipe: MixRecipe, outputDirectory dir: String, share: ShardSpec, options: MixOptions) throws -> (manifest: Manifest, report: StageReport) {
        let started = Date()
        try check(share)
        var readers: [RunReader] = []
        let per = max(1 << 12, min(1 << 20, options.memoryLimit / 2 / share.count))
        for i in 0..<share.count {
            let g = try ShardSpec(index: i, count: share.count)
            let range = try RunIndex.range(path(dir, gatherIndexFile(g)), bucket: share.index, count: share.count)
            readers.append(try RunReader(path: path(dir, gatherFile(g)), bufferBytes: per, range: range))
        }
        var shard = options.shard
        shard.share = share
        let writer = try ShardedWriter(directory: dir, options: shard)
        var written = 0
        try ExternalShuffler.merge(readers: readers) { _, _, line in
            try writer.write(line: line)
            written += 1
        }
        let manifest = try writer.finish()
        var report = StageReport(stage: "mix")
        report.recordsOut = written
        report.bytesOut = manifest.compressedBytes
        report.seconds = Date().timeIntervalSince(started)
        return (manifest, report)
    }

    // MARK: - merge

    /// After every share is written: the shares' shards listed in share order as the stage's manifest, the
    /// rejected lines of the scan joined, the report as the one-process mix writes it (counts from the scan
    /// files), and the phases folder removed.
    public static func finish(recipe: MixRecipe, outputDirectory dir: String, count: Int, options: MixOptions, tokenCounter: String) throws -> MixResult {
        let planned = try computePlan(recipe: recipe, outputDirectory: dir, count: count, options: options, withIDs: false)
        let records = try ShareRecord.loadAll(directory: dir, expectedCount: count)
        guard let manifest = try ShareMerge.merge(directory: dir, records: records).first else {
            throw CurationError.io(path: dir, reason: "the mix's shares list no output")
        }
        var report = planned.report
        report.bytesOut = manifest.compressedBytes
        report.seconds = records.reduce(0) { $0 + $1.seconds }
        let result = MixResult(manifest: manifest, report: report, sources: planned.summaries, seed: options.seed ?? recipe.seed,
                               tokenCounter: tokenCounter, runsSpilled: 0, bytesSpilled: 0, memoryLimit: options.memoryLimit)
        try PhaseRecord.removeAll(directory: dir)
        return result.withReportSections()
    }

    /// The side files a write share lists for the merge to join: the scan shares' rejected lines (same tags).
    public static func sideFiles(outputDirectory dir: String, options: MixOptions) -> [String] {
        guard options.onError == .skip else { return [] }
        let r = RejectedWriter(directory: options.rejectedDirectory ?? dir)
        return [r.path, r.reasonsPath]
    }

    // MARK: - files

    static let scanMagic = Array("MIXSCAN1".utf8)
    static let planMagic = Array("MIXPLAN1".utf8)
    static func scanFile(_ s: ShardSpec) -> String { "scan-\(s.tag).bin" }
    static func planFile(_ s: ShardSpec) -> String { "plan-\(s.tag).bin" }
    static func gatherFile(_ s: ShardSpec) -> String { "gather-\(s.tag).run" }
    static func gatherIndexFile(_ s: ShardSpec) -> String { "gather-\(s.tag).index" }
    static func path(_ dir: String, _ name: String) -> String { (PhaseRecord.folder(directory: dir) as NSString).appendingPathComponent(name) }

    static func check(_ share: ShardSpec) throws {
        guard share.count <= maxShares else { throw CurationError.invalidArgument("a mix runs as at most \(maxShares) shares, not \(share.count)") }
    }
}

/// What a scan task found in one source (the scan file's JSON header).
struct ScanShareSource: Codable {
    var lines: Int
    var bytes: Int
    var kept: Int
    var recordsRead: Int
    var filtered: [String: Int]
    var counts: ReadCounts
}

extension ReadCounts {
    /// Adds the counts of another part of the same input.
    mutating func add(_ o: ReadCounts) {
        files += o.files
        emptyFiles += o.emptyFiles
        records += o.records
        rejected += o.rejected
        for (k, v) in o.rejectedByReason { rejectedByReason[k, default: 0] += v }
        bytes += o.bytes
        fileBytes += o.fileBytes
        blankLines += o.blankLines
    }
}

/// A scan file read back: its header, and its kept lines per source.
struct ScanFile {
    struct Entry { var line: UInt32; var tokens: UInt32; var key: UInt64; var content: UInt64; var idHash: UInt64; var id: String }

    let path: String
    let sources: [ScanShareSource]
    private let data: [UInt8]
    /// Where each source's entries start.
    private var starts: [Int] = []

    init(path: String, sources count: Int) throws {
        self.path = path
        // Mapped, then copied once: the plan task holds every scan file, so not twice each.
        guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw CurationError.io(path: path, reason: "missing: run the mix's scan phase for this share first")
        }
        data = [UInt8](d)
        var r = BinaryIn(data, path: path)
        guard Array(try r.take(8)) == MixShares.scanMagic else { throw CurationError.io(path: path, reason: "not a mix scan file") }
        let n = Int(try r.u32())
        do { sources = try JSONDecoder().decode([ScanShareSource].self, from: Data(try r.take(n))) } catch let e as CurationError { throw e } catch {
            throw CurationError.io(path: path, reason: "bad scan header: \(error)")
        }
        guard sources.count == count else { throw CurationError.io(path: path, reason: "scanned \(sources.count) sources, the recipe has \(count)") }
        for _ in 0..<count {
            starts.append(r.offset)
            let kept = try r.count(each: 36)
            for _ in 0..<kept { try r.skip(32); try r.skip(Int(try r.u32())) }
        }
    }

    func forEachKept(source: Int, _ body: (Entry) throws -> Void) throws {
        var r = BinaryIn(data, path: path)
        r.offset = starts[source]
        let kept = try r.count(each: 36)
        for _ in 0..<kept {
            let line = try r.u32(), tokens = try r.u32(), key = try r.u64(), content = try r.u64(), idHash = try r.u64()
            let id = try r.string()
            try body(Entry(line: line, tokens: tokens, key: key, content: content, idHash: idHash, id: id))
        }
    }
}

/// A share's plan file read back: copies per line and the named lines, per source.
struct PlanFile {
    var copies: [[UInt32]] = []
    var named: [[UInt32: [String]]] = []

    init(path: String, sources: Int) throws {
        guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw CurationError.io(path: path, reason: "missing: run the mix's plan phase first")
        }
        var r = BinaryIn([UInt8](d), path: path)
        guard Array(try r.take(8)) == MixShares.planMagic else { throw CurationError.io(path: path, reason: "not a mix plan file") }
        for _ in 0..<sources {
            let n = try r.count(each: 4)
            var c = [UInt32](repeating: 0, count: n)
            for k in 0..<n { c[k] = try r.u32() }
            copies.append(c)
            let m = try r.count(each: 8)
            var table: [UInt32: [String]] = [:]
            for _ in 0..<m {
                let line = try r.u32()
                let k = Int(try r.u32())
                guard k <= r.remaining / 4 else { throw CurationError.io(path: path, reason: "truncated at byte \(r.offset)") }
                var ids: [String] = []
                for _ in 0..<k { ids.append(try r.string()) }
                table[line] = ids
            }
            named.append(table)
        }
    }
}

/// Little-endian integers and length-prefixed strings into a byte buffer.
struct BinaryOut {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) {
        let u = Array(s.utf8)
        u32(UInt32(truncatingIfNeeded: u.count))
        bytes.append(contentsOf: u)
    }
}

/// Reads what `BinaryOut` wrote; a short file is an error naming it, never a trap.
struct BinaryIn {
    let data: [UInt8]
    let path: String
    var offset = 0
    init(_ data: [UInt8], path: String) { self.data = data; self.path = path }
    var remaining: Int { data.count - offset }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw CurationError.io(path: path, reason: "truncated at byte \(offset)") }
        defer { offset += n }
        return data[offset..<(offset + n)]
    }
    mutating func skip(_ n: Int) throws { _ = try take(n) }
    mutating func u32() throws -> UInt32 { try take(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    mutating func u64() throws -> UInt64 { try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
    /// A count of items of at least `each` bytes that follow: more than the bytes left is an error.
    mutating func count(each: Int) throws -> Int {
        let v = try u64()
        guard v <= UInt64(remaining / max(1, each)) else { throw CurationError.io(path: path, reason: "a count of \(v) at byte \(offset - 8) is more than the file holds") }
        return Int(v)
    }
    mutating func string() throws -> String { String(decoding: try take(Int(try u32())), as: UTF8.self) }
}
