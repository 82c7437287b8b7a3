import ArgumentParser
import Curation
import Decontam
import Foundation

extension DecontamAction: ExpressibleByArgument {}

/// `curate-tool decontam scan --index INDEX.sqlite --input PATH... --output DIR [...]`
struct DecontamScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan training records against an eval index: drop, tag or mask the contaminated ones, and report.")

    @Option(name: .long, help: "The index built by `decontam index`.")
    var index: String

    @Option(name: .long, parsing: .upToNextOption, help: "Training files, globs or directories (.jsonl, .jsonl.zst, .jsonl.gz).")
    var input: [String] = []

    @OptionGroup var out: ShardOutputOptions

    @Option(name: .long, help: "Contaminated when the largest overlap with one eval instance is at least this (default 0.5).")
    var threshold: Double?

    @Flag(name: .long, help: "One shared n-gram is enough (s1 / datatrove rule).")
    var any = false

    @Option(name: .long, help: "drop (default): removed records go to removed-*.jsonl.zst; tag: keep all, add `contamination`; mask: cut matches out of documents.")
    var action: DecontamAction = .drop

    @Option(name: .long, help: "Fields whose text is scanned, comma-separated (default: by schema).")
    var fields: String?

    @Option(name: .long, help: "Train record id field (default: id, ... else FILE:LINE).")
    var idField: String?

    @Option(name: .long, help: "An n-gram in more than K eval instances is boilerplate and ignored.")
    var maxEvalFrequency: Int?

    @Option(name: .long, help: "Refuse the index unless it was built with this n.")
    var ngram: Int?

    @Option(name: .long, help: "The report JSON (default: OUTPUT/decontam.report.json).")
    var report: String?

    @Option(name: .customLong("report-md"), help: "Also write a Markdown report fit to publish.")
    var reportMd: String?

    @Option(name: .long, help: "Write one line per (train record, eval instance) match: {id, source, eval_set, eval_id, overlap}.")
    var matches: String?

    @OptionGroup var share: ShareOptions

    @Option(name: .long, help: "A record with no text to scan: keep (default; counted as no_text, warned), drop (dropped as no-text) or fail (error naming FILE:LINE).")
    var onNoText: NoTextPolicy = .keep

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions

    func validate() throws {
        if input.isEmpty { throw ValidationError("give the training data with --input PATH...") }
        if any && threshold != nil { throw ValidationError("--any and --threshold exclude each other: --any flags a record on one shared n-gram") }
        if let t = threshold, !(t > 0 && t <= 1) { throw ValidationError("--threshold must be in (0, 1]") }
        if let m = maxEvalFrequency, m < 1 { throw ValidationError("--max-eval-frequency must be at least 1") }
    }

    func run() throws {
        let shardSpec = try runStage { try share.spec() }
        let files = try runStage { try InputFiles.resolve(input, allowIncomplete: errors.allowIncomplete, split: errors.split) }
        let expect: NGramSettings? = try runStage {
            guard let n = ngram else { return nil }
            var s = try EvalIndexStore.settings(path: index)
            if s.n != n {
                throw CurationError.invalidArgument("\(index) was built with n=\(s.n), this scan asks for --ngram \(n): rebuild the index with --ngram \(n) or drop the option")
            }
            s.n = n
            return s
        }
        let loaded = try runStage { try EvalIndexStore.load(path: index, expect: expect, maxEvalFrequency: maxEvalFrequency) }
        var options = ScanOptions(output: out.output)
        options.threshold = threshold ?? 0.5
        options.any = any
        options.action = action
        options.fields = commaList(fields)
        options.idField = idField
        options.threads = global.threadCount
        options.errorPolicy = errors.onError
        options.onNoText = onNoText
        options.read = errors.readOptions
        options.shardOptions = out.shardOptions(threads: global.threadCount)
        options.matchesPath = matches
        options.shard = shardSpec
        options.plainUnitBytes = try runStage { try ShareRun.plainUnitBytes() }
        let rejectedName = "rejected" + (shardSpec.map { "-\($0.tag)" } ?? "")
        let rejected = errors.onError == .skip ? RejectedWriter(directory: errors.rejectedDir ?? out.output, name: rejectedName) : nil
        let progress = Progress(label: "decontam scan", quiet: global.quiet)
        let result = try runStage { () -> ScanReport in
            let scan = try DecontamScan(index: loaded, options: options)
            let r = try scan.run(inputs: files, rejected: rejected) { records, bytes in
                progress.update(records: records, bytes: bytes, done: 0, total: 0)
            }
            let base = report ?? (out.output as NSString).appendingPathComponent("decontam.report.json")
            try r.write(to: shardSpec?.name(base) ?? base)
            if let md = reportMd { try AtomicFileWriter.write(r.markdown(toolVersion: toolVersion), to: shardSpec?.name(md) ?? md) }
            if let spec = shardSpec {
                let rejectedDir = errors.rejectedDir ?? out.output
                let sides = (matches.map { [$0] } ?? []) + ["rejected.jsonl", "rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) }
                try ShareRecord(stage: "decontam-scan", share: spec, manifests: r.outputs, report: r.json, reportFile: ShareRun.absolute(base),
                                sideFiles: sides.map(ShareRun.absolute), slices: r.slices, seconds: r.stage.seconds).write(directory: out.output)
            }
            return r
        }
        progress.finish()
        if !global.quiet {
            Console.info(result.tables())
            Console.info(String(format: "index: %d instances, %d n-grams, %.1f bytes per n-gram in memory", loaded.instanceCount, loaded.table.count, loaded.bytesPerNGram))
        }
        Console.show(result.stage, options: GlobalOptions.quietJSON(global))
        if global.json { Console.stdout(PrettyJSON.string(result.json)) }
    }
}

extension GlobalOptions {
    /// The same options with --json off (the caller prints the full report itself).
    static func quietJSON(_ g: GlobalOptions) -> GlobalOptions { var c = g; c.json = false; return c }
}

extension NoTextPolicy: ExpressibleByArgument {}
