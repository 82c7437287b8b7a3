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
        when it ends in .jsonl or .jsonl.zst.
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

    func validate() throws {
        if input.isEmpty { throw ValidationError("--input needs at least one file") }
        if target < 1 { throw ValidationError("--target must be at least 1") }
        if !(jaccard > 0 && jaccard <= 1) { throw ValidationError("--jaccard must be in (0, 1]") }
        if shingle < 1 { throw ValidationError("--shingle must be at least 1") }
        if domainHeldOut != nil && domainTrain == nil { throw ValidationError("--domain-heldout needs --domain-train") }
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
            let rejected = errors.onError == .skip ? RejectedWriter(directory: rejectedDir) : nil
            let progress = Progress(label: "select", quiet: global.quiet)
            var result = try SelectExecution.select(files: files, selector: selector, policy: errors.onError, rejected: rejected,
                                                    threads: global.threadCount, progress: progress, read: errors.readOptions)
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
        let reader = RecordReader(files: files, policy: policy, rejected: rejected, options: read)
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
        return selector.choose(tally, threads: threads)
    }
}
