import ArgumentParser
import Curation
import Foundation

/// `curate-tool select --input POOL... --target 1000 --output GOLD`: s1-style gold subset selection.
struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Select an s1K-style gold subset: quality -> difficulty -> diversity.",
        discussion: """
        Pool records: {"id", "question", "thinking", "attempt"?, "ground_truth"?, "domain"?, "source", \
        "solved_by"?, "reference_answers"?}. Selected records are written byte for byte; an item whose domain \
        the classifier assigned gets an added "domain" field. GOLD is a directory of shards, or a single file \
        when it ends in .jsonl or .jsonl.zst. --shard i/N screens (quality, difficulty) the i-th share of the \
        pool and keeps its candidates in GOLD.shares/; the final sampling is one task: the same command with \
        --merge-shares instead of --shard chooses from every share's candidates, as one run would.
        """)

    @Option(name: .long, parsing: .upToNextOption, help: "Pool files, globs or directories (.jsonl, .jsonl.zst, .jsonl.gz).")
    var input: [String]

    @Option(name: .long, help: "How many items to select (seed items included).")
    var target = 1000

    @Option(name: .shortAndLong, help: "Output: a directory of shards, or a .jsonl / .jsonl.zst file.")
    var output: String

    @Option(name: .long, help: "Random seed of the diversity sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Where to write the report JSON (default: next to the output).")
    var report: String?

    @Option(name: .long, help: "Near-duplicate Jaccard threshold over question word n-grams.")
    var jaccard = 0.8

    @Option(name: .long, help: "Words per n-gram for near-duplicate detection.")
    var shingle = 3

    @Option(name: .long, help: "Measure trace length in this tokenizer's tokens (tokenizer.json or model folder) instead of whitespace words.")
    var tokenizer: String?

    @Option(name: .customLong("seed-ids"), help: "File of item ids (one per line) that are always kept, first.")
    var seedIDs: String?

    @Option(name: .customLong("seed-field"), help: "A field that marks always-kept items when true or non-empty.")
    var seedField: String?

    @Option(name: .long, help: "s1 (quality -> difficulty -> diversity), or a baseline of s1's data ablation that skips every filter: random, longest, diversity.")
    var strategy: String = "s1"

    @Option(name: .customLong("allow-asy"), help: "Comma-separated sources whose questions may contain [asy] figures.")
    var allowAsy: String?

    @Option(name: .customLong("domain-train"), help: "Labelled JSONL ({\"text\", \"domain\"}) to train the domain classifier on instead of the built-in set.")
    var domainTrain: String?

    @Option(name: .customLong("domain-heldout"), help: "Labelled JSONL to measure a --domain-train classifier on.")
    var domainHeldOut: String?

    @Option(name: .long, help: "Shard name prefix when the output is a directory.")
    var prefix = "part"

    @Option(name: .long, help: "Compression of shards: zstd, gzip or none.")
    var compression: Compression = .zstd

    @OptionGroup var parquet: ParquetFormatOptions

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions
    @OptionGroup var share: ShareOptions

    @Flag(name: .customLong("merge-shares"), help: "The final sampling of a sharded select: choose from the candidates every --shard i/N run kept in GOLD.shares/ (same arguments otherwise).")
    var mergeShares = false

    func validate() throws {
        if input.isEmpty { throw ValidationError("--input needs at least one file") }
        if target < 1 { throw ValidationError("--target must be at least 1") }
        if !(jaccard > 0 && jaccard <= 1) { throw ValidationError("--jaccard must be in (0, 1]") }
        if shingle < 1 { throw ValidationError("--shingle must be at least 1") }
        if domainHeldOut != nil && domainTrain == nil { throw ValidationError("--domain-heldout needs --domain-train") }
        if mergeShares && share.shard != nil { throw ValidationError("--merge-shares is the final step after every --shard i/N run: give one of them") }
    }

    /// Whether the output names a single file rather than a shard directory.
    var singleFile: Bool { output.hasSuffix(".jsonl") || output.hasSuffix(".jsonl.zst") }

    func run() throws {
        let started = Date()
        do {
            let options = try makeOptions()
            let selector = try S1Selector(options: options)
            let files = try InputFiles.resolve(input, allowIncomplete: errors.allowIncomplete, split: errors.split)
            let rejectedDir = errors.rejectedDir ?? (singleFile ? ((output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent) : output)
            let shares = try ShareRun(spec: share.spec(), files: files, read: errors.readOptions)
            let rejected = errors.onError == .skip ? RejectedWriter(directory: rejectedDir, name: shares.name("rejected")) : nil
            let progress = Progress(label: "select", quiet: global.quiet)
            // What screening depends on: a share screened otherwise is not joined.
            let fingerprint = JSONWriter.string(.array(([strategy, allowAsy ?? "", tokenizer ?? "", seedIDs ?? "", seedField ?? "", domainTrain ?? "",
                                                          errors.onError.rawValue] + files).map { .string($0) }))
            if let spec = shares.spec {
                // A share screens its part of the pool and keeps its candidates; the sampling waits for all of them.
                _ = try shares.begin(outputFile: output)
                let tally = try SelectExecution.screen(slices: shares.slices, selector: selector, policy: errors.onError, rejected: rejected,
                                                       threads: global.threadCount, progress: progress, read: errors.readOptions)
                let folder = ShareRecord.folder(outputFile: ShareRun.absolute(output))
                try SelectShares.write(tally, to: SelectShares.tallyPath(folder: folder, share: spec))
                var rep = StageReport(stage: "select-screen")
                rep.recordsIn = tally.screened + tally.rejected.values.reduce(0, +)
                rep.recordsOut = tally.candidates.count
                for (stage, reasons) in tally.dropped { for (r, n) in reasons { rep.drop("\(stage.rawValue):\(r)", count: n) } }
                for (r, n) in tally.rejected { rep.drop(r, count: n) }
                try rep.check()
                try shares.complete(stage: "select-screen", outputFile: output, report: rep.json, reportFile: reportPath,
                                    sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) },
                                    seconds: Date().timeIntervalSince(started), hasOutput: false, extra: JSONObject(["settings": .string(fingerprint)]))
                if !global.quiet { Console.info("select share \(spec.index)/\(spec.count): \(tally.candidates.count) candidates of \(rep.recordsIn) records; then select ... --merge-shares") }
                return
            }
            var result: SelectionResult
            if mergeShares {
                let folder = ShareRecord.folder(outputFile: ShareRun.absolute(output))
                let records = try ShareRecord.loadAll(folder: folder)
                for r in records where r.stage != "select-screen" || r.extra["settings"]?.stringValue != fingerprint {
                    throw CurationError.io(path: ShareRecord.path(folder: folder, share: r.share), reason: "share \(r.share.index) of \(r.share.count) was screened with other settings or inputs than this select: re-run it with these arguments")
                }
                let tally = try SelectShares.join(records.map { SelectShares.tallyPath(folder: folder, share: $0.share) })
                // The shares' rejected lines, in share order: what one run's reader writes.
                for side in records.flatMap(\.sideFiles).uniqued() {
                    let pieces = records.map { $0.share.name(side) }.filter { FileManager.default.fileExists(atPath: $0) }
                    guard !pieces.isEmpty else { continue }
                    let w = try AtomicFileWriter(path: side)
                    for piece in pieces {
                        guard let data = FileManager.default.contents(atPath: piece) else { throw CurationError.io(path: piece, reason: "cannot read a share's rejected lines") }
                        try w.write([UInt8](data))
                    }
                    try w.commit()
                }
                result = selector.choose(tally, threads: global.threadCount)
            } else {
                result = try SelectExecution.select(files: files, selector: selector, policy: errors.onError, rejected: rejected,
                                                    threads: global.threadCount, progress: progress, read: errors.readOptions)
            }
            try write(result.selected)
            result.diversity.seconds = Date().timeIntervalSince(started)
            try result.check()
            let json = result.reportJSON(options: options, extraSettings: [
                "inputs": .array(files.map { .string($0) }), "output": .string(output),
                "on_error": .string(errors.onError.rawValue),
                "seed_ids_file": seedIDs.map { .string($0) } ?? .null, "seed_field": seedField.map { .string($0) } ?? .null,
            ])
            try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: reportPath)
            if !global.quiet { Console.info(result.table()) }
            if global.json { Console.stdout(PrettyJSON.string(json)) }
        } catch let e as CurationError {
            throw CLIFailure(description: e.description)
        }
    }

    var reportPath: String {
        if let r = report { return r }
        if singleFile {
            let base = output.hasSuffix(".jsonl.zst") ? String(output.dropLast(10)) : String(output.dropLast(6))
            return base + ".report.json"
        }
        return (output as NSString).appendingPathComponent("\(prefix).report.json")
    }

    func makeOptions() throws -> SelectOptions {
        var o = SelectOptions(target: target, seed: seed)
        guard let st = SelectStrategy(rawValue: strategy) else {
            throw ValidationError("--strategy must be one of \(SelectStrategy.allCases.map(\.rawValue).joined(separator: ", ")), got \(strategy)")
        }
        o.strategy = st
        o.nearDuplicates.threshold = jaccard
        o.nearDuplicates.shingleSize = shingle
        if let a = allowAsy {
            o.quality.asyAllowedSources = Set(a.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let f = seedIDs {
            guard let text = try? String(contentsOfFile: f, encoding: .utf8) else {
                throw CurationError.io(path: f, reason: "cannot read the seed id list")
            }
            o.seedIDs = Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        o.seedField = seedField
        if let t = tokenizer { o.difficulty.tokenCounter = try TokenizerLoading.load(t) }
        if let t = domainTrain {
            o.classifier = try DomainClassifier.train(files: try InputFiles.resolve([t]),
                                                      heldOut: try domainHeldOut.map { try InputFiles.resolve([$0]) } ?? [])
        }
        return o
    }

    func write(_ records: [RawRecord]) throws {
        if singleFile {
            let w = try JSONLFileWriter(path: output)
            for r in records { try w.write(r) }
            try w.commit()
        } else {
            let writer = try ShardedWriter(directory: output, options: ShardOptions(
                prefix: prefix, compression: compression, workers: global.threadCount, format: parquet.format, parquet: parquet.options(level: 3)))
            for r in records { try writer.write(r) }
            try writer.finish()
        }
    }
}

/// The select stage over files, shared by `curate-tool select` and the recipe runner: screen every record
/// in parallel (quality, difficulty, domain), then choose.
enum SelectExecution {
    static func select(files: [String], selector: S1Selector, policy: ErrorPolicy, rejected: RejectedWriter?,
                       threads: Int, progress: Progress?, read: ReadOptions = ReadOptions()) throws -> SelectionResult {
        let tally = try screen(slices: files.map { InputSlice(file: $0) }, selector: selector, policy: policy, rejected: rejected,
                               threads: threads, progress: progress, read: read)
        return selector.choose(tally, threads: threads)
    }

    /// Quality and difficulty over `slices`, in order: the record-wise part of select, which a share does alone.
    static func screen(slices: [InputSlice], selector: S1Selector, policy: ErrorPolicy, rejected: RejectedWriter?,
                       threads: Int, progress: Progress?, read: ReadOptions = ReadOptions()) throws -> S1Selector.ScreenTally {
        let reader = RecordReader(slices: slices, policy: policy, rejected: rejected, options: read)
        var tally = S1Selector.ScreenTally()
        typealias Screened = (LineBatch, [Result<RawRecord, CurationError>], [Result<ScreenVerdict, CurationError>])
        var parallel = OrderedParallel<LineBatch, Screened>(threads: threads) { batch in
            let parsed = RecordReader.parse(batch)
            let verdicts: [Result<ScreenVerdict, CurationError>] = parsed.map { p in
                guard case .success(let r) = p else { return .failure(.invalidArgument("unparsed")) }
                do { return .success(try selector.screen(r)) } catch let e as CurationError { return .failure(e) } catch {
                    return .failure(.badRecord(r.location, reason: "\(error)"))
                }
            }
            return (batch, parsed, verdicts)
        }
        let consume: (Screened) throws -> Void = { item in
            let (batch, parsed, verdicts) = item
            _ = try reader.absorb(batch, parsed)
            for (k, v) in verdicts.enumerated() {
                guard case .success(let record) = parsed[k] else { continue }
                switch v {
                case .success(let verdict): tally.add(verdict)
                case .failure(let e):
                    // A record with a mistyped field: bad input under the error policy.
                    try record.bytes.withUnsafeBytes { try reader.reject($0, error: e) }
                }
            }
            progress?.update(records: reader.counts.records, bytes: reader.counts.bytes, done: 0, total: 0)
        }
        try reader.forEachBatch { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        try rejected?.finish()
        progress?.finish()
        // Records that parsed but were rejected for a field type count among the reader's rejects.
        tally.absorb(reader.counts)
        return tally
    }
}

/// A share's screening, kept for the final sampling (`select --merge-shares`): its candidates in input
/// order, one JSON line each (the record's bytes and where it was read, its id, question, trace length,
/// domain and seed marks), after one line of counts. Joined in share order they are one run's tally.
enum SelectShares {
    static func tallyPath(folder: String, share: ShardSpec) -> String { (folder as NSString).appendingPathComponent("\(share.tag).candidates.jsonl.zst") }

    static func write(_ t: S1Selector.ScreenTally, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let w = try JSONLFileWriter(path: path)
        func line(_ v: JSONValue) throws { try w.write(try RawRecord(bytes: JSONWriter.bytes(v), location: SourceLocation(file: path, line: 0, offset: 0))) }
        var dropped = JSONObject()
        for stage in SelectStage.allCases { if let d = t.dropped[stage] { dropped[stage.rawValue] = .object(JSONObject(d.keys.sorted().map { .init(key: $0, value: .int(d[$0] ?? 0)) })) } }
        try line(.object(JSONObject([
            .init(key: "screened", value: .int(t.screened)), .init(key: "bytes_in", value: .int(t.bytesIn)),
            .init(key: "dropped", value: .object(dropped)),
            .init(key: "rejected", value: .object(JSONObject(t.rejected.keys.sorted().map { .init(key: $0, value: .int(t.rejected[$0] ?? 0)) }))),
            .init(key: "empty_files", value: .array(t.emptyFiles.map { .string($0) })),
        ])))
        for c in t.candidates {
            try line(.object(JSONObject([
                .init(key: "record", value: .string(String(decoding: c.record.bytes, as: UTF8.self))),
                .init(key: "file", value: .string(c.record.location.file)), .init(key: "line", value: .int(c.record.location.line)),
                .init(key: "offset", value: .int(c.record.location.offset)), .init(key: "id", value: .string(c.id)),
                .init(key: "question", value: .string(c.question)), .init(key: "length", value: .int(c.length)),
                .init(key: "domain", value: c.domain.map { .string($0) } ?? .null), .init(key: "seed", value: .bool(c.isSeed)),
                .init(key: "bypassed", value: c.bypassed.map { .string($0) } ?? .null),
            ])))
        }
        try w.commit()
    }

    /// The shares' tallies as one: counts add, candidates follow in share order.
    static func join(_ paths: [String]) throws -> S1Selector.ScreenTally {
        var t = S1Selector.ScreenTally()
        for path in paths {
            var first = true
            try RecordReader(files: [path]).forEach { rec in
                let v = try JSONParser.parse(rec.bytes)
                func bad(_ what: String) -> CurationError { .badRecord(rec.location, reason: "not a select share's candidate file: \(what)") }
                if first {
                    first = false
                    guard let screened = v["screened"]?.intValue else { throw bad("no counts line") }
                    t.screened += screened
                    t.bytesIn += v["bytes_in"]?.intValue ?? 0
                    for e in v["dropped"]?.objectValue?.entries ?? [] {
                        guard let stage = SelectStage(rawValue: e.key) else { throw bad("unknown stage \(e.key)") }
                        for r in e.value.objectValue?.entries ?? [] { t.dropped[stage, default: [:]][r.key, default: 0] += r.value.intValue ?? 0 }
                    }
                    for r in v["rejected"]?.objectValue?.entries ?? [] { t.rejected[r.key, default: 0] += r.value.intValue ?? 0 }
                    t.emptyFiles += (v["empty_files"]?.arrayValue ?? []).compactMap(\.stringValue)
                    return
                }
                guard let text = v["record"]?.stringValue, let file = v["file"]?.stringValue, let line = v["line"]?.intValue,
                      let id = v["id"]?.stringValue, let question = v["question"]?.stringValue, let length = v["length"]?.intValue else {
                    throw bad("a candidate without record, file, line, id, question or length")
                }
                let record = try RawRecord(bytes: Array(text.utf8), location: SourceLocation(file: file, line: line, offset: v["offset"]?.intValue ?? -1))
                t.candidates.append(SelectCandidate(record: record, id: id, question: question, length: length, domain: v["domain"]?.stringValue,
                                                    isSeed: v["seed"]?.boolValue ?? false, bypassed: v["bypassed"]?.stringValue))
            }
            if first { throw CurationError.io(path: path, reason: "a select share's candidate file is empty (no counts line)") }
        }
        return t
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
