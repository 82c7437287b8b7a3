import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool tokenize`: token ids per record, or token counts per source, with a real tokenizer.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tokenize records with a Hugging Face tokenizer.json (writes `ids`), or count tokens per source.")

    @Option(name: .long, help: "tokenizer.json, a model folder holding one, or a GGUF file.")
    var tokenizer: String

    @Option(name: .long, parsing: .singleValue, help: "Input files, globs or directories (repeatable).")
    var input: [String]

    @Option(name: .long, help: "Output file (.jsonl, .jsonl.zst, .jsonl.gz, or .parquet) with an `ids` field added to each record.")
    var output: String?

    @Flag(name: .long, help: "Only count tokens per source (and in total).")
    var count = false

    @Option(name: .long, help: "Comma-separated fields whose text is tokenized (default: the schema's text).")
    var fields: String?

    @Option(name: .long, help: "Render chat records with this chat template (tulu or chatml) before tokenizing.")
    var template: String?

    @Flag(name: .long, help: "Tokenize special-token text such as <|im_end|> as plain text (default: it becomes the token's id, as Hugging Face tokenizers does).")
    var splitSpecialTokens = false

    @Option(name: .long, help: "Also write the report JSON here (with --shard: where `merge` writes the merged report; default with --output: OUTPUT.report.json).")
    var report: String?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions
    @OptionGroup var share: ShareOptions

    func validate() throws {
        if (output == nil) == !count { throw ValidationError("give exactly one of --output FILE or --count") }
        if input.isEmpty { throw ValidationError("give at least one --input") }
        if share.shard != nil, output == nil, report == nil { throw ValidationError("--count with --shard needs --report FILE: the shares' counts are merged there (`curate-tool merge FILE`)") }
    }

    func run() throws {
        let started = Date()
        let tok = try TokenizerLoading.load(tokenizer)
        let chatTemplate = try template.map { try ChatTemplate.named($0, tokenizer: tok) }
        let splitSpecialTokens = self.splitSpecialTokens
        let fieldList = fields?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let files = try InputFiles.resolve(input, allowIncomplete: errors.allowIncomplete, split: errors.split)
        let outDir = output.map { ($0 as NSString).deletingLastPathComponent } ?? "."
        let shares = try ShareRun(spec: share.spec(), files: files, read: errors.readOptions)
        // A share of `--count` has no output file: its record goes beside the report (`REPORT.shares`).
        let shareKey = output ?? self.report ?? ""
        let piece = try shares.begin(outputFile: shareKey)
        let rejectedDir = errors.rejectedDir ?? (outDir.isEmpty ? "." : outDir)
        let rejected = errors.onError == .skip ? RejectedWriter(directory: rejectedDir, name: shares.name("rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let sink = try output.map { _ in try SingleFileWriter(path: piece, threads: global.threadCount) }

        struct Item { var batch: LineBatch; var results: [Result<RawRecord, CurationError>]; var ids: [[Int32]?]; var errors: [CurationError?] }
        var perSource: [String: (records: Int, tokens: Int)] = [:]
        var totalTokens = 0
        var report = StageReport(stage: "tokenize")
        var parallel = OrderedParallel<LineBatch, Item>(threads: global.threadCount) { batch in
            let results = RecordReader.parse(batch)
            var ids: [[Int32]?] = [], errs: [CurationError?] = []
            for r in results {
                guard case .success(let rec) = r else { ids.append(nil); errs.append(nil); continue }
                do {
                    if let chatTemplate, let m = try rec.value("messages"), Schema.detect(rec) == .chat {
                        let messages = try Message.decodeList(m, field: "messages", at: rec.location)
                        ids.append(chatTemplate.render(messages, tokenizer: tok).ids)
                    } else {
                        let text = try fieldList.map { try RecordText.join(rec, $0) } ?? RecordText.text(of: rec)
                        ids.append(tok.encode(text, parseSpecialTokens: !splitSpecialTokens))
                    }
                    errs.append(nil)
                } catch let e as CurationError { ids.append(nil); errs.append(e) } catch {
                    ids.append(nil); errs.append(.badRecord(rec.location, reason: "\(error)"))
                }
            }
            return Item(batch: batch, results: results, ids: ids, errors: errs)
        }
        let consume: (Item) throws -> Void = { item in
            let good = try reader.absorb(item.batch, item.results)
            var g = 0
            for (k, r) in item.results.enumerated() {
                guard case .success = r else { continue }
                let rec = good[g]; g += 1
                if let e = item.errors[k] {
                    guard errors.onError == .skip else { throw e }
                    try rec.bytes.withUnsafeBytes { try rejected?.write(line: $0, error: e) }
                    report.drop("unreadable-text")
                    continue
                }
                let ids = item.ids[k] ?? []
                totalTokens += ids.count
                let source = ((try? rec.string("source")) ?? nil) ?? "(none)"
                perSource[source, default: (0, 0)].records += 1
                perSource[source, default: (0, 0)].tokens += ids.count
                if let sink {
                    var raw: [UInt8] = [UInt8(ascii: "[")]
                    for (j, id) in ids.enumerated() {
                        if j > 0 { raw.append(UInt8(ascii: ",")) }
                        raw.append(contentsOf: String(id).utf8)
                    }
                    raw.append(UInt8(ascii: "]"))
                    try sink.write(rec.setting("ids", rawJSON: raw))
                }
                report.recordsOut += 1
            }
        }
        try reader.forEachBatch(batchBytes: 1 << 18) { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        try sink?.commit()
        try rejected?.finish()

        report.absorb(reader.counts)
        report.seconds = Date().timeIntervalSince(started)
        report.settings = ["tokenizer": .string(tokenizer), "vocab_size": .int(tok.vocabSize),
                           "template": template.map { .string($0) } ?? .null, "fields": fields.map { .string($0) } ?? .null,
                           "split_special_tokens": .bool(splitSpecialTokens)]
        report.extra["tokens"] = .int(totalTokens)
        report.extra["per_source"] = .object(JSONObject(perSource.keys.sorted().map { k in
            .init(key: k, value: .object(JSONObject(["records": .int(perSource[k]?.records ?? 0), "tokens": .int(perSource[k]?.tokens ?? 0)])))
        }))
        try report.check()
        let reportPath = self.report ?? output.map { $0 + ".report.json" }
        if shares.spec == nil, let reportPath { try report.write(to: reportPath) }
        if let reportPath {
            try shares.complete(stage: "tokenize", outputFile: shareKey, report: report.json, reportFile: reportPath,
                                sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) },
                                seconds: report.seconds, hasOutput: output != nil)
        }
        if !global.quiet {
            Console.info(report.table())
            Console.info(TextTable.render(header: ["source", "records", "tokens"],
                                          rows: perSource.keys.sorted().map { [$0, "\(perSource[$0]?.records ?? 0)", "\(perSource[$0]?.tokens ?? 0)"] } +
                                            [["total", "\(report.recordsOut)", "\(totalTokens)"]], rightAlign: [1, 2]))
        }
        if global.json { Console.stdout(PrettyJSON.string(report.json)) }
    }
}

/// Loads a tokenizer from a tokenizer.json, a model folder, or (once GGUF import is available) a GGUF file.
enum TokenizerLoading {
    static func load(_ path: String) throws -> BPETokenizer {
        try BPETokenizer.load(path: path)
    }
}

/// One output file (not sharded), written atomically, compressed by its extension; a `.parquet` path is
/// written as one Parquet file (its schema the union over the records; no records is an error, as a
/// Parquet file needs a schema).
final class SingleFileWriter {
    private let writer: ShardedWriter
    private let finalPath: String
    private let dir: String
    init(path: String, threads: Int) throws {
        finalPath = path
        dir = NSTemporaryDirectory() + "curate-single-\(getpid())-\(UUID().uuidString.prefix(8))"
        let parquet = ParquetInput.isParquet(path)
        writer = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "single", compression: parquet ? .none : Compression.fromExtension(path),
                                                                        workers: threads, format: parquet ? .parquet : .jsonl))
    }
    func write(_ r: RawRecord) throws { try writer.write(r) }
    func commit() throws {
        let m = try writer.finish()
        let fm = FileManager.default
        let parent = (finalPath as NSString).deletingLastPathComponent
        if !parent.isEmpty { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        if let shard = m.shards.first {
            // Move next to the destination first (same filesystem), then rename over it atomically.
            let staged = (parent.isEmpty ? "." : parent) + "/." + (finalPath as NSString).lastPathComponent + ".tmp-\(getpid())"
            try? fm.removeItem(atPath: staged)
            try fm.moveItem(atPath: dir + "/" + shard.file, toPath: staged)
            guard rename(staged, finalPath) == 0 else { throw CurationError.io(path: finalPath, reason: "cannot rename into place") }
        } else if m.format == .parquet {
            try? fm.removeItem(atPath: dir)
            throw CurationError.invalidArgument("\(finalPath): no records to write, and a Parquet file needs at least one (for its schema); nothing written")
        } else {
            try AtomicFileWriter.write([], to: finalPath)
        }
        try? fm.removeItem(atPath: dir)
    }
}
