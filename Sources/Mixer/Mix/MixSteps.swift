import Curation
import Foundation

/// The steps of a mix that the one-process run (`MixStage.run`) and the sharded run (`MixShares`) share,
/// so both make the same decisions in the same order: which files a source reads, how a scanned line is
/// counted, how an amount becomes copies, how copies are named, and how the report adds up.
extension MixStage {
    /// Every source's files, checked: bound to files, not inside the output, amounts and `total_tokens` in range.
    static func sourceFiles(recipe: MixRecipe, outputDirectory: String) throws -> [[String]] {
        var sourceFiles: [[String]] = []
        for (i, s) in recipe.sources.enumerated() {
            guard case .files(let f) = s.origin else {
                throw RecipeError(file: recipe.file, line: s.line, column: 1, entry: "sources[\(i)] \"\(s.name)\"",
                                  message: "input is not bound to files (run this mix as a stage of a run recipe)")
            }
            sourceFiles.append(f)
            if let inside = f.first(where: { PathOverlap.isInside($0, directory: outputDirectory) }) {
                throw RecipeError(file: recipe.file, line: s.line, column: 1, entry: "sources[\(i)] \"\(s.name)\"",
                                  message: "\(inside) lies inside the output directory \(outputDirectory): the mix would read its own output on a re-run")
            }
            if let problem = s.amount.rangeProblem {
                throw RecipeError(file: recipe.file, line: s.line, column: 1, entry: "sources[\(i)] \"\(s.name)\"", message: problem)
            }
        }
        if let t = recipe.totalTokens, t < 1 || t > Amount.maxWhole {
            throw RecipeError(file: recipe.file, line: 0, column: 0, entry: "", message: "total_tokens \(t) is out of range (1 to \(Amount.maxWhole))")
        }
        return sourceFiles
    }

    /// The report's drops and output: in = distinct records out + dropped; copies are counted beside it.
    static func finishReport(_ report: inout StageReport, summaries: [SourceSummary]) {
        for s in summaries {
            for (reason, n) in s.filtered {
                report.drop(reason.hasPrefix(RecordNormalizer.reasonPrefix) ? reason : "filter: \(reason)", count: n)
            }
            if s.duplicates > 0 { report.drop("duplicate", count: s.duplicates) }
            if s.notSampled > 0 { report.drop("not sampled", count: s.notSampled) }
            report.recordsOut += s.takenDistinct
        }
    }
}

/// Counts one source's scanned lines in input order: rejected (under `--on-error skip`), filtered, kept.
struct ScanTally {
    var summary: SourceSummary
    var rejectedReasons: [String: Int] = [:]
    /// Lines seen so far: the next line's index in the source (or in the share of it).
    var lines = 0

    /// Books one line; true when it is kept (the caller goes on with dedupe and sampling).
    mutating func book(_ r: ScanLine, policy: ErrorPolicy, reject: (CurationError) throws -> Void) throws -> Bool {
        defer { lines += 1 }
        switch r.outcome {
        case .bad(let e):
            guard policy == .skip else { throw e }
            try reject(e)
            rejectedReasons[e.rejectionReason.rawValue, default: 0] += 1
            summary.rejected += 1
            return false
        case .filtered(let reason):
            summary.recordsRead += 1
            summary.filtered[reason, default: 0] += 1
            return false
        case .kept:
            summary.recordsRead += 1
            return true
        }
    }

    /// The reader's counts with the records and rejections this tally booked.
    func counts(_ read: ReadCounts) -> ReadCounts {
        var c = read
        c.records = summary.recordsRead
        c.rejected = summary.rejected
        c.rejectedByReason = rejectedReasons
        return c
    }
}

extension LineScanner {
    /// Scans every line `reader` gives, parsed on `options.threads` workers, and books each in `tally` in
    /// input order; a kept line goes to `kept` with its index in what the reader reads, and `batchDone`
    /// hears the lines and bytes of each batch. Bad lines under `--on-error skip` go to `rejected` here,
    /// not through the reader (the reader is busy on the producer thread).
    func scanAll(_ reader: RecordReader, options: MixOptions, rejected: RejectedWriter?, tally: inout ScanTally,
                 batchDone: (_ lines: Int, _ bytes: Int) -> Void = { _, _ in },
                 kept: (ScanLine, Int) throws -> Void) throws {
        try OrderedParallel.run(threads: options.threads, produce: { emit in
            try reader.forEachBatch(batchBytes: options.batchBytes) { try emit($0) }
        }, transform: { (batch: LineBatch) in (batch, self.scan(batch)) }, consume: { (item: (LineBatch, [ScanLine])) in
            let (batch, results) = item
            for (l, r) in zip(batch.lines, results) {
                let line = tally.lines
                guard try tally.book(r, policy: options.onError, reject: { e in
                    try batch.data.withUnsafeBytes { try rejected?.write(line: UnsafeRawBufferPointer(rebasing: $0[l.start..<(l.start + l.count)]), error: e) }
                }) else { continue }
                try kept(r, line)
            }
            batchDone(batch.lines.count, batch.data.count)
        })
    }
}

extension LineGatherer {
    /// Reads every line `reader` gives, parsing the taken ones (copies > 0) on `options.threads` workers,
    /// and hands each taken record to `record` in input order; `batchDone` hears each batch's bytes.
    /// Returns the lines read, which the caller checks against its copies (a source changed since its scan).
    func gatherAll(_ reader: RecordReader, options: MixOptions, batchDone: (_ bytes: Int) -> Void = { _ in },
                   record: (GatheredRecord) throws -> Void) throws -> Int {
        var firstLine = 0
        try OrderedParallel.run(threads: options.threads, produce: { emit in
            try reader.forEachBatch(batchBytes: options.batchBytes) { batch in
                let first = firstLine
                firstLine += batch.lines.count
                try emit((batch, first))
            }
        }, transform: { (item: (LineBatch, Int)) in self.gather(item.0, firstLine: item.1) }, consume: { (batch: GatherBatch) in
            if let e = batch.error { throw e }
            for g in batch.records { try record(g) }
            batchDone(batch.bytes)
        })
        return firstLine
    }
}

extension ExternalShuffler {
    /// Adds a gathered record as its copy with output id `outID` (spliced into its `id` field).
    func add(_ g: GatheredRecord, outputID outID: String, key: UInt64, seq: UInt64? = nil) throws {
        var idJSON: [UInt8] = []
        JSONWriter.writeString(outID, into: &idJSON)
        try g.record.bytes.withUnsafeBytes { b in
            try idJSON.withUnsafeBytes { idb in
                try add(key: key, seq: seq, UnsafeRawBufferPointer(rebasing: b[..<g.record.idOffset]), idb,
                        UnsafeRawBufferPointer(rebasing: b[g.record.idOffset...]))
            }
        }
    }
}

/// A source's amount as copies per line (see `Selection`), with the taken counts added to its summary.
enum CopyPlan {
    static func copies(source si: Int, of recipe: MixRecipe, candidates: inout [Selection.Candidate], lineOfCandidate: [UInt32],
                       lines: Int, summary: inout SourceSummary) throws -> [UInt32] {
        let source = recipe.sources[si]
        let sel = Selection.plan(source.amount, candidates: &candidates, totalTokens: recipe.totalTokens)
        guard sel.full < Int(UInt32.max) else {
            throw RecipeError(file: recipe.file, line: source.line, column: 1, entry: "sources[\(si)] \"\(source.name)\"",
                              message: "\(source.amount) asks for \(sel.full) copies of each of its \(candidates.count) records: too many")
        }
        summary.target = sel.target
        summary.fullCopies = sel.full
        summary.extraRecords = sel.extra
        var copies = [UInt32](repeating: 0, count: lines)
        if sel.full > 0 { for l in lineOfCandidate { copies[Int(l)] = UInt32(clamping: sel.full) } }
        for c in candidates.prefix(sel.extra) { copies[Int(lineOfCandidate[Int(c.index)])] += 1 }
        for c in candidates {
            let n = Int(copies[Int(lineOfCandidate[Int(c.index)])])
            if n > 0 { summary.takenDistinct += 1; summary.takenRecords += n; summary.takenTokens += n * Int(c.tokens) }
        }
        return copies
    }
}

extension ScanState {
    /// The output ids of a taken record's copies, in order. Copies of one id are numbered on across the
    /// records that carry it (`claims`): the first keeps the id, later ones get `#2`, `#3`, ... skipping
    /// any suffixed id an input record already has or an earlier copy took, so output ids stay unique.
    mutating func outputIDs(of id: String, idHash: UInt64, copies: Int, claims: inout [UInt64: Int]) -> [String] {
        let repeated = repeatedIDs.contains(idHash)
        var n = repeated ? claims[idHash] ?? 0 : 0
        var out: [String] = []
        out.reserveCapacity(copies)
        for _ in 0..<max(0, copies) {
            n += 1
            var outID = n == 1 ? id : "\(id)#\(n)"
            while n > 1 {
                let h = SamplingKey.id(outID)
                if !ids.contains(h), copyIDs.insert(h).inserted { break }
                n += 1
                outID = "\(id)#\(n)"
            }
            out.append(outID)
        }
        if repeated { claims[idHash] = n }
        return out
    }
}
