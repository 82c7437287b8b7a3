import Curation
import Foundation

/// The mix stage: reads every source twice and writes one shuffled, sharded mix.
///
/// 1. Scan: each record is parsed, given its sampling key (seed, source, id), filtered, measured in
///    tokens and, with dedupe on, checked against the hashes of the normalised texts seen so far
///    (sources in recipe order, records in file then line order: the first occurrence wins). Only
///    about 16 bytes per available record are kept.
/// 2. Plan: per source, the amount becomes a number of copies per record (see `Selection`).
/// 3. Gather: the sources are read again; each taken record gets its lineage fields (`source`,
///    `orig_id`, a unique output `id`: `#2`, `#3`, ... for repeated copies) and a shuffle key from
///    (seed, source, output id), and goes to the external shuffler.
/// 4. Write: the shuffler's sorted stream goes to `ShardedWriter`, which writes the manifest.
///
/// Parsing, filtering and hashing run on `threads` workers over batches of lines; everything with
/// an order (dedupe, id claims, the shuffle's arrival numbers) happens on the calling thread in input
/// order, so the output bytes do not depend on the thread count.
public enum MixStage {
    public static func run<Counter: TokenCounter>(
        recipe: MixRecipe, outputDirectory: String, options: MixOptions = MixOptions(), tokenCounter: Counter,
        progress: ((MixProgress) -> Void)? = nil
    ) throws -> MixResult {
        let started = Date()
        let seed = options.seed ?? recipe.seed
        let sourceFiles = try sourceFiles(recipe: recipe, outputDirectory: outputDirectory)
        do { try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: outputDirectory, reason: "cannot create output directory: \(error.localizedDescription)")
        }
        SpillDirectory.removeStale(in: outputDirectory)
        let rejected = options.onError == .skip ? RejectedWriter(directory: options.rejectedDirectory ?? outputDirectory) : nil
        var report = StageReport(stage: "mix")
        var summaries: [SourceSummary] = []
        var copiesPerSource: [[UInt32]] = []
        var state = ScanState()
        var scanned = 0, scannedBytes = 0
        var plannedBytes: [Double] = []

        // 1 + 2: scan and plan, source by source (a later source never changes an earlier one's pool).
        for (si, source) in recipe.sources.enumerated() {
            var summary = SourceSummary(name: source.name, files: sourceFiles[si], amount: source.amount)
            let reader = RecordReader(files: sourceFiles[si], policy: options.onError, rejected: rejected, options: options.read)
            let scanner = LineScanner(source: source, seed: seed, counter: tokenCounter, dedupe: recipe.dedupe && source.dedupe,
                                      recordNormalizer: recipe.normalize)
            var candidates: [Selection.Candidate] = []
            var lineOfCandidate: [UInt32] = []
            var tally = ScanTally(summary: summary)
            var sourceBytes = 0, duplicates = 0, availableTokens = 0
            try scanner.scanAll(reader, options: options, rejected: rejected, tally: &tally, batchDone: { lines, bytes in
                scanned += lines
                scannedBytes += bytes
                sourceBytes += bytes
                progress?(MixProgress(phase: .scan, source: source.name, records: scanned, bytes: scannedBytes))
            }) { r, line in
                if scanner.dedupe, !state.texts.insert(r.contentHash).inserted {
                    duplicates += 1
                    return
                }
                if !state.ids.insert(r.idHash).inserted { state.repeatedIDs.insert(r.idHash) }
                let index = UInt32(truncatingIfNeeded: candidates.count)
                candidates.append(.init(key: r.key, tokens: r.tokens, index: index))
                lineOfCandidate.append(UInt32(truncatingIfNeeded: line))
                availableTokens += Int(r.tokens)
            }
            tally.summary.duplicates = duplicates
            tally.summary.availableTokens = availableTokens
            let lines = tally.lines
            guard lines <= Int(UInt32.max) else { throw CurationError.invalidArgument("source \(source.name) has more than 2^32 records") }
            report.absorb(tally.counts(reader.counts))
            summary = tally.summary
            summary.availableRecords = candidates.count
            let copies = try CopyPlan.copies(source: si, of: recipe, candidates: &candidates, lineOfCandidate: lineOfCandidate, lines: lines, summary: &summary)
            copiesPerSource.append(copies)
            summaries.append(summary)
            plannedBytes.append(lines == 0 ? 0 : Double(sourceBytes) / Double(lines) * Double(summary.takenRecords))
        }
        state.texts = [] // the dedupe set is no longer needed
        try MixDiskPlan(recipe: recipe, plannedBytes: plannedBytes, directories: [outputDirectory] + [options.tempDirectory].compactMap { $0 }).check()

        // 3: gather the taken records into the shuffler.
        let spillDir = options.tempDirectory ?? SpillDirectory.path(in: outputDirectory)
        let shuffler = ExternalShuffler(memoryLimit: max(1, options.memoryLimit / 2), tempDirectory: spillDir)
        defer { shuffler.discard() }
        var claims: [UInt64: Int] = [:]
        var gathered = 0, gatheredBytes = 0
        for (si, source) in recipe.sources.enumerated() {
            let copies = copiesPerSource[si]
            let reader = RecordReader(files: sourceFiles[si], policy: .skip, options: options.read)
            let gatherer = LineGatherer(source: source, copies: copies, recordNormalizer: recipe.normalize)
            let lines = try gatherer.gatherAll(reader, options: options, batchDone: { bytes in
                gatheredBytes += bytes
                progress?(MixProgress(phase: .gather, source: source.name, records: gathered, bytes: gatheredBytes))
            }) { g in
                for outID in state.outputIDs(of: g.id, idHash: SamplingKey.id(g.id), copies: Int(g.copies), claims: &claims) {
                    try shuffler.add(g, outputID: outID, key: SamplingKey.shuffle(seed: seed, source: source.name, outputID: outID))
                    gathered += 1
                }
            }
            guard lines == copies.count else {
                throw CurationError.io(path: sourceFiles[si].first ?? source.name,
                                       reason: "source \"\(source.name)\" changed while mixing (\(copies.count) lines, then \(lines))")
            }
        }

        // 4: write the shuffled stream.
        let writer = try ShardedWriter(directory: outputDirectory, options: options.shard)
        var written = 0
        try shuffler.finish { line in
            try writer.write(line: line)
            written += 1
            if written & 8191 == 0 { progress?(MixProgress(phase: .write, source: "", records: written, bytes: writer.bytesWritten)) }
        }
        let manifest = try writer.finish()
        try rejected?.finish()

        finishReport(&report, summaries: summaries)
        report.bytesOut = manifest.compressedBytes
        report.seconds = Date().timeIntervalSince(started)
        let result = MixResult(manifest: manifest, report: report, sources: summaries, seed: seed,
                               tokenCounter: tokenCounter.name, runsSpilled: shuffler.runsSpilled,
                               bytesSpilled: shuffler.bytesSpilled, memoryLimit: options.memoryLimit)
        return result.withReportSections()
    }
}

/// Ordered state of the scan: content hashes for dedupe and id hashes to find ids several records share.
struct ScanState {
    var texts = Set<UInt64>()
    var ids = Set<UInt64>()
    var repeatedIDs = Set<UInt64>()
    /// Hashes of the `#N` ids given to copies so far (checked with `ids` so a copy's id is never taken twice).
    var copyIDs = Set<UInt64>()
}

/// The hidden directory spilled runs go to: `.mix-spill-PID`, so a killed run's leftovers can be told
/// from a live run's and removed.
enum SpillDirectory {
    static func path(in dir: String) -> String { (dir as NSString).appendingPathComponent(".mix-spill-\(getpid())") }

    static func removeStale(in dir: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for n in names where n.hasPrefix(".mix-spill-") {
            guard let pid = Int32(n.dropFirst(".mix-spill-".count)) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(n))
            }
        }
    }
}
