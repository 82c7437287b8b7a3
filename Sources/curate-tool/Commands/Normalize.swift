import ArgumentParser
import Curation
import Foundation

extension RecordNormalizer.Target: ExpressibleByArgument {}
extension ThinkingFormat: ExpressibleByArgument {}

/// The normalisation flags `normalize` and `mix` share: what layout records become and how the
/// schemas without an obvious mapping are treated.
struct NormalizeFlags: ParsableArguments {
    @Option(name: .long, help: "For s1 pool items: how thinking and attempt form the assistant turn: s1 (<|im_start|>think ... <|im_start|>answer), think (<think> ... </think>) or plain.")
    var thinkingFormat: ThinkingFormat = .s1

    @Option(name: .long, help: "Map document records (`text`) to one turn of this role; only `assistant` is accepted. Default: documents are dropped (normalize: document record).")
    var documentAs: String?

    @Option(name: .long, help: "Top-level fields copied onto the normalised record when present, comma-separated (default: orig_id,orig_source).")
    var keepFields: String?

    func normalizer(_ target: RecordNormalizer.Target) throws -> RecordNormalizer {
        if let d = documentAs, d != "assistant" { throw ValidationError("--document-as: only `assistant` is accepted, got \"\(d)\"") }
        let kept = keepFields.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        return RecordNormalizer(target: target, thinkingFormat: thinkingFormat, documentAs: documentAs,
                                keptFields: kept ?? RecordNormalizer.defaultKeptFields)
    }
}

/// `curate-tool normalize IN... --to chat|preference --output DIR`: records of any schema in the layout trainers take.
struct Normalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite records of any schema as Tulu 3 SFT chat records (--to chat) or TRL preference records (--to preference).",
        discussion: """
        chat: {"id", "messages", "source"} (+ kept fields). s1 items: the question, then the thinking in the \
        s1 delimiters and the attempt; verifiable: prompt and response; samples: the voted completion; \
        preference: the chosen conversation; persona: its messages; documents only with --document-as assistant. \
        preference: {"id", "prompt", "chosen", "rejected", "source"} in TRL's conversational layout. \
        A record with nothing to map is dropped and counted under `normalize: REASON` in the report.
        """)

    @Argument(help: "Files, globs or directories (.jsonl, .jsonl.zst, .jsonl.gz, .parquet).")
    var inputs: [String]

    @Option(name: .long, help: "The layout to write: chat or preference.")
    var to: RecordNormalizer.Target = .chat

    @OptionGroup var normalize: NormalizeFlags
    @OptionGroup var out: ShardOutputOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions

    @Option(name: .long, help: "Where to write the report JSON (default: OUTPUT/PREFIX.report.json).")
    var report: String?

    func run() throws {
        let normalizer = try normalize.normalizer(to)
        let files = try InputFiles.resolve(inputs, allowIncomplete: errors.allowIncomplete, split: errors.split)
        let rejected = errors.onError == .skip ? RejectedWriter(directory: errors.rejectedDir ?? out.output) : nil
        let reader = RecordReader(files: files, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let writer = try ShardedWriter(directory: out.output, options: out.shardOptions(threads: global.threadCount))
        if let rejected { writer.rejectUnfit = { try rejected.write(line: $0, error: $1) } }
        let progress = Progress(label: "normalize", quiet: global.quiet)
        var (rep, manifest) = try NormalizeStage.run(reader: reader, writer: writer, normalizer: normalizer, threads: global.threadCount) { c in
            progress.update(records: c.records, bytes: c.bytes, done: 0, total: 0)
        }
        try rejected?.finish()
        progress.finish()
        rep.settings["inputs"] = .array(files.map { .string($0) })
        rep.settings["on_error"] = .string(errors.onError.rawValue)
        rep.extra["shards"] = .int(manifest.shards.count)
        try rep.write(to: report ?? (out.output as NSString).appendingPathComponent("\(out.prefix).report.json"))
        Console.show(rep, options: global)
    }
}
