import ArgumentParser
import Curation
import Foundation

/// `curate-tool stats PATH...`: what is in a set of files.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count records, schemas, fields, characters, whitespace tokens and sources in JSONL files.")

    @Argument(help: "Files, globs or directories (.jsonl, .jsonl.zst, .jsonl.gz, .parquet).")
    var inputs: [String]

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions

    func run() throws {
        let files = try InputFiles.resolve(inputs, allowIncomplete: errors.allowIncomplete, split: errors.split)
        let rejected = errors.onError == .skip ? RejectedWriter(directory: errors.rejectedDir ?? ".") : nil
        let reader = RecordReader(files: files, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let progress = Progress(label: "stats", quiet: global.quiet)
        var summary = CorpusStats()
        let started = Date()
        var parallel = OrderedParallel<LineBatch, (LineBatch, [Result<RawRecord, CurationError>], CorpusStats)>(threads: global.threadCount) { batch in
            let results = RecordReader.parse(batch)
            var s = CorpusStats()
            for case .success(let r) in results { s.add(r) }
            return (batch, results, s)
        }
        try reader.forEachBatch { batch in
            try parallel.submit(batch) { (b, results, s) in
                _ = try reader.absorb(b, results)
                summary.merge(s)
                progress.update(records: reader.counts.records, bytes: reader.counts.bytes, done: 0, total: 0)
            }
        }
        try parallel.drain { (b, results, s) in _ = try reader.absorb(b, results); summary.merge(s) }
        progress.finish()
        try rejected?.finish()

        var report = StageReport(stage: "stats")
        report.absorb(reader.counts)
        report.recordsOut = reader.counts.records
        report.seconds = Date().timeIntervalSince(started)
        report.settings["inputs"] = .array(files.map { .string($0) })
        report.extra["summary"] = summary.json(files: reader.counts.files)
        try report.check()
        if !global.quiet {
            for w in report.warnings { Console.warn(w) }
            Console.info(summary.table(files: reader.counts.files, rejected: reader.counts.rejected))
        }
        if global.json { Console.stdout(PrettyJSON.string(report.json)) }
    }
}

/// Per-corpus statistics; mergeable, so batches can be counted in parallel.
struct CorpusStats {
    var records = 0
    var characters = 0
    var tokens = 0
    var schemas: [String: Int] = [:]
    var fields: [String: Int] = [:]
    var sources: [String: Int] = [:]
    var textErrors = 0

    mutating func add(_ r: RawRecord) {
        records += 1
        let schema = Schema.detect(r)
        schemas[schema.rawValue, default: 0] += 1
        for f in r.fields { fields[f.key, default: 0] += 1 }
        let source = (try? r.string("source")) ?? nil
        sources[source ?? "(none)", default: 0] += 1
        if let text = try? RecordText.text(of: r, schema: schema) {
            characters += text.count
            tokens += WhitespaceTokenCounter().countTokens(text)
        } else {
            textErrors += 1
        }
    }

    mutating func merge(_ o: CorpusStats) {
        records += o.records; characters += o.characters; tokens += o.tokens; textErrors += o.textErrors
        for (k, v) in o.schemas { schemas[k, default: 0] += v }
        for (k, v) in o.fields { fields[k, default: 0] += v }
        for (k, v) in o.sources { sources[k, default: 0] += v }
    }

    private func sorted(_ d: [String: Int]) -> JSONValue {
        .object(JSONObject(d.keys.sorted().map { .init(key: $0, value: .int(d[$0] ?? 0)) }))
    }

    func json(files: Int) -> JSONValue {
        var o = JSONObject()
        o["files"] = .int(files)
        o["records"] = .int(records)
        o["characters"] = .int(characters)
        o["whitespace_tokens"] = .int(tokens)
        o["schemas"] = sorted(schemas)
        o["fields"] = sorted(fields)
        o["sources"] = sorted(sources)
        if textErrors > 0 { o["records_with_unreadable_text"] = .int(textErrors) }
        return .object(o)
    }

    func table(files: Int, rejected: Int) -> String {
        var out = TextTable.render(header: nil, rows: [
            ["files", "\(files)"], ["records", "\(records)"], ["rejected lines", "\(rejected)"],
            ["characters", "\(characters)"], ["whitespace tokens", "\(tokens)"],
        ], rightAlign: [1])
        out += "\n" + TextTable.render(header: ["schema", "records"], rows: schemas.keys.sorted().map { [$0, "\(schemas[$0] ?? 0)"] }, rightAlign: [1])
        out += "\n" + TextTable.render(header: ["field", "records"], rows: fields.keys.sorted().map { [$0, "\(fields[$0] ?? 0)"] }, rightAlign: [1])
        out += "\n" + TextTable.render(header: ["source", "records"], rows: sources.keys.sorted().map { [$0, "\(sources[$0] ?? 0)"] }, rightAlign: [1])
        return out
    }
}
