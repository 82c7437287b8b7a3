import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool generate`: samples completions from a local model into the samples layout `vote` reads
/// (DESIGN.md section 4), so generate -> vote is self-consistency filtering with a local model.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample completions from a local model (HF folder or GGUF) into samples records.",
        discussion: """
        Input records carry "messages" (rendered with the model's chat template and a generation prompt; a \
        trailing assistant turn is dropped) or "prompt" (used raw unless --template names a template: chatml, \
        tulu or model). Each output record is the input record plus "completions" and "completion_meta" \
        ([{tokens, thinking_tokens, waits, finish_reason}]). Budget forcing (s1): --min-thinking, --max-thinking, \
        --max-waits, --thinking-delimiters. --shard i/N generates for the i-th of N equal runs of the input records \
        (every share reads the whole input, so ids and --limit are those of one run) into OUTPUT-sIofN.EXT; \
        `curate-tool merge OUTPUT` joins them into the file one run writes.
        """
    )

    @Option(name: .long, help: "Model folder (config.json + model.safetensors + tokenizer.json) or GGUF file.")
    var model: String

    @Option(name: .long, parsing: .upToNextOption, help: "Input files (JSONL, .zst, .gz), directories or globs.")
    var input: [String]

    @Option(name: .long, help: "Output samples JSONL file (or .parquet: one Parquet file).")
    var output: String

    @Option(name: .long, help: "Chat template for raw prompts: chatml, tulu or model (default: raw).")
    var template: String?

    @OptionGroup var sampling: SamplingFlags
    @OptionGroup var budget: BudgetFlags
    @OptionGroup var decodeThreads: DecodeThreadsFlags

    @Flag(name: .long, help: "Decode from a GGUF's Q4_0/Q4_1/Q8_0 blocks bitwise as from its fp32 weights (slower; default: int16 activations and integer dot products, within the README's tolerance).")
    var exact = false

    @Option(name: .long, help: "Only the first N records.")
    var limit: Int?

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    @Option(name: .long, help: "Write a report JSON (prompts in, records out, tokens) here; with --shard, where `merge` writes the merged report (default: OUTPUT.report.json).")
    var report: String?

    @OptionGroup var share: ShareOptions

    func run() throws {
        let spec = try runStage { try share.spec() }
        let files = try InputFiles.resolve(input)
        let shares = ShareRun(spec: spec, wholeFiles: files)
        let path = try runStage { try shares.begin(outputFile: output) }
        // A share generates for its run of the records; it reads them all (they are prompts: a small
        // input next to the generation), so ids made unique and --limit are the whole input's.
        let range: Range<Int>? = try spec.map { s in
            var total = 0
            try RecordReader(files: files).forEach { _ in total += 1 }
            return s.range(of: min(total, limit ?? total))
        }
        let gen = try LocalModel.open(model, topK: sampling.topK, batch: sampling.batch, budget: try budget.budget(), template: template, threads: decodeThreads.threads, exact: exact)
        let parquet = ParquetInput.isParquet(path) ? try SingleFileWriter(path: path, threads: 1) : nil
        let out = parquet == nil ? try AtomicFileWriter(path: path) : nil
        var ids = UniqueIDs()
        var pending: [(RawRecord, GenerationRequest)] = []
        var done = 0, tokens = 0, considered = 0
        let started = Date()
        func flush() throws {
            guard !pending.isEmpty else { return }
            let results = try gen.generate(pending.map(\.1))
            var buf: [UInt8] = []
            for ((rec, req), comps) in zip(pending, results) {
                var r = rec
                if !rec.has("id") { r = r.setting("id", to: .string(req.id)) }
                r = r.setting("completions", to: .array(comps.map { .string($0.text) }))
                r = r.setting("completion_meta", to: .array(comps.map(Self.meta)))
                if let parquet { try parquet.write(r) } else { buf += r.bytes; buf.append(0x0A) }
                tokens += comps.reduce(0) { $0 + $1.tokens }
            }
            try out?.write(buf)
            done += pending.count
            pending.removeAll()
            if !quiet {
                let t = Date().timeIntervalSince(started)
                Console.info(String(format: "generate: %d prompts, %d tokens, %.1f tokens/s", done, tokens, Double(tokens) / max(t, 1e-9)))
            }
        }
        let reader = RecordReader(files: files)
        var seen = 0
        try reader.forEach { rec in
            if let l = limit, seen >= l { return }
            let index = seen
            seen += 1
            let id = ids.claim(try RecordID.of(rec))
            if let range, !range.contains(index) { return }
            considered += 1
            var req = GenerationRequest(id: id, samples: sampling.samples, maxTokens: sampling.maxNewTokens,
                                        temperature: sampling.temperature, topP: sampling.topP, seed: sampling.seed, stop: sampling.stop)
            try Generate.setPrompt(of: &req, from: rec)
            pending.append((rec, req))
            if pending.count >= 16 { try flush() }
        }
        try flush()
        try out?.commit()
        try parquet?.commit()
        var rep = StageReport(stage: "generate")
        rep.recordsIn = considered
        rep.recordsOut = done
        rep.seconds = Date().timeIntervalSince(started)
        rep.settings = ["samples": .int(sampling.samples), "max_new_tokens": .int(sampling.maxNewTokens), "temperature": .double(sampling.temperature),
                        "seed": .number(String(sampling.seed)), "limit": limit.map { .int($0) } ?? .null]
        rep.extra["tokens"] = .int(tokens)
        let reportPath = report ?? output + ".report.json"
        try runStage {
            if spec == nil { if let report { try rep.write(to: report) } } else { try rep.check() }
            try shares.complete(stage: "generate", outputFile: output, report: rep.json, reportFile: reportPath, sideFiles: [],
                                seconds: rep.seconds, extra: JSONObject(["records": .string(range.map { "\($0.lowerBound)..<\($0.upperBound)" } ?? "")]))
        }
        if !quiet { Console.info("wrote \(done) samples records to \(path)") }
    }

    /// The request's prompt from a record: its chat turns (a trailing assistant turn is the one to
    /// regenerate, so it is dropped) or its raw `prompt` string.
    static func setPrompt(of req: inout GenerationRequest, from rec: RawRecord) throws {
        if let m = try rec.value("messages") {
            var msgs = try Message.decodeList(m, field: "messages", at: rec.location)
            if msgs.last?.role == "assistant" { msgs.removeLast() }
            guard !msgs.isEmpty else { throw CurationError.badRecord(rec.location, reason: "messages has no turn to answer") }
            req.messages = msgs
        } else if let p = try rec.string("prompt") {
            req.prompt = p
        } else {
            throw CurationError.badRecord(rec.location, reason: "needs \"messages\" or \"prompt\"")
        }
    }

    static func meta(_ c: Completion) -> JSONValue {
        .object(JSONObject(["tokens": .int(c.tokens), "thinking_tokens": .int(c.thinkingTokens), "waits": .int(c.waits),
                            "finish_reason": .string(c.finishReason)]))
    }
}
