import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool score`: log-probabilities of completions given prompts under a model.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score completions: sum and mean log-probability of each completion given its prompt.",
        discussion: """
        Input: {"id", "prompt", "completion"} records (prompt and completion tokenized separately, then concatenated; no special \
        tokens are added unless --template is named; special-token text in them, such as <|im_end|>, becomes the token's id as \
        with Hugging Face tokenizers, or stays plain text with --split-special-tokens; --template renders the prompt as a user turn with the assistant header and closes the \
        completion with the end-of-turn token). Chat records score their last assistant turn given the turns before it, and \
        preference records both sides (one output line per side, with "side"); these always use a chat template (--template, \
        else the model's, else tulu). Output: {"id", "sum_logprob", "mean_logprob", "n_tokens"} (+ "token_logprobs" with --tokens).
        """)

    @Option(name: .long, help: "A Hugging Face model folder or GGUF file.") var model: String
    @Option(name: .long, help: "Input records.") var input: String
    @Option(name: .shortAndLong, help: "Output file (.jsonl, .jsonl.zst, .jsonl.gz).") var output: String
    @Flag(name: .long, help: "Also write each completion token's log-probability.") var tokens = false
    @Option(name: .long, help: "Chat template for prompt/completion records: tulu or chatml.") var template: String?
    @Option(name: .long, help: "Sequences per forward pass.") var batch = 16
    @Flag(name: .long, help: "Tokenize special-token text in prompts and completions as plain text (HF split_special_tokens=True).")
    var splitSpecialTokens = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let started = Date()
        let loaded = try ModelLoader.load(path: model)
        loaded.model.threads = ComputeThreads(global.threadCount)
        let tok = loaded.tokenizer
        let named = try template.map { try ChatTemplate.named($0, tokenizer: tok) }
        let chatTemplate = try named ?? loaded.chatTemplate ?? ChatTemplate.named("tulu", tokenizer: tok)
        let (records, counts) = try TrainingSupport.readRecords(try InputFiles.resolve([input]))
        struct Item { var id: String; var side: String?; var example: TokenBatch.Example }
        var items: [Item] = []
        var ids = UniqueIDs()
        for r in records {
            let id = ids.claim(try RecordID.of(r))
            switch Schema.detect(r) {
            case .preference:
                let p = try Preference(record: r)
                let b = PreferenceExampleBuilder(tokenizer: tok, template: chatTemplate, maxLength: loaded.model.config.maxPositionEmbeddings)
                items.append(Item(id: id, side: "chosen", example: b.side(prompt: p.promptTurns, completion: p.chosenCompletion)))
                items.append(Item(id: id, side: "rejected", example: b.side(prompt: p.promptTurns, completion: p.rejectedCompletion)))
            case .chat:
                guard let m = try SFTExampleBuilder.messages(of: r), let last = m.lastIndex(where: { $0.role == "assistant" }) else {
                    throw CurationError.badRecord(r.location, reason: "a chat record to score needs an assistant turn")
                }
                let b = PreferenceExampleBuilder(tokenizer: tok, template: chatTemplate, maxLength: loaded.model.config.maxPositionEmbeddings)
                items.append(Item(id: id, side: nil, example: b.side(prompt: Array(m[..<last]), completion: [m[last]])))
            default:
                guard let completion = try r.string("completion") else { throw r.missing("completion") }
                let promptIDs: [Int32], completionIDs: [Int32]
                if let t = named {
                    let msgs = try SFTExampleBuilder.messages(of: r)?.dropLast() ?? []
                    promptIDs = t.render(Array(msgs), tokenizer: tok, addGenerationPrompt: true).ids
                    let endOfTurn = t.kind == .chatml ? "<|im_end|>" : t.eosToken
                    completionIDs = splitSpecialTokens ? tok.encode(completion, parseSpecialTokens: false) + tok.encode(endOfTurn)
                        : tok.encode(completion + endOfTurn)
                } else {
                    promptIDs = tok.encode(try r.string("prompt") ?? "", parseSpecialTokens: !splitSpecialTokens)
                    completionIDs = tok.encode(completion, parseSpecialTokens: !splitSpecialTokens)
                }
                let all = promptIDs + completionIDs
                guard !all.isEmpty else {
                    throw CurationError.badRecord(r.location, reason: "record \(id): its prompt and completion give no tokens with this tokenizer, so there is nothing to score")
                }
                guard all.count <= loaded.model.config.maxPositionEmbeddings else {
                    throw CurationError.badRecord(r.location, reason: "\(all.count) tokens exceed the model's \(loaded.model.config.maxPositionEmbeddings) positions")
                }
                // The first token has nothing to condition on: an empty prompt scores from the second token.
                let mask = all.indices.map { $0 >= max(1, promptIDs.count) }
                items.append(Item(id: id, side: nil, example: TokenBatch.Example(tokens: all, lossMask: mask)))
            }
        }
        if let empty = items.first(where: { $0.example.tokens.isEmpty }) {
            throw CLIFailure(description: "record \(empty.id)\(empty.side.map { " (\($0))" } ?? ""): the tokenizer gives no tokens for it, so there is nothing to score")
        }
        let longest = items.map(\.example.tokens.count).max() ?? 1
        let lps = try SequenceScorer.tokenLogProbs(model: loaded.model, examples: items.map(\.example), rowLength: max(256, longest), perBatch: batch)
        let sink = try SingleFileWriter(path: output, threads: 1)
        for (k, item) in items.enumerated() {
            let v = lps[k]
            let sum = v.reduce(0.0) { $0 + Double($1) }
            var o = JSONObject()
            o["id"] = .string(item.id)
            if let s = item.side { o["side"] = .string(s) }
            o["sum_logprob"] = .double(sum)
            o["mean_logprob"] = v.isEmpty ? .null : .double(sum / Double(v.count))
            o["n_tokens"] = .int(v.count)
            if tokens { o["token_logprobs"] = .array(v.map { .double(Double($0)) }) }
            try sink.write(RawRecord(object: o, location: SourceLocation(file: output, line: k + 1, offset: 0)))
        }
        try sink.commit()
        var report = StageReport(stage: "score")
        report.absorb(counts)
        report.recordsOut = records.count
        report.seconds = Date().timeIntervalSince(started)
        report.extra["sequences"] = .int(items.count)
        try report.check()
        Console.show(report, options: global)
    }
}
