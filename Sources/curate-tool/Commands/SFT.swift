import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool sft`: supervised fine-tuning on chat data.
struct SFT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Supervised fine-tuning: loss on assistant tokens, packed sequences, resumable checkpoints.",
        discussion: "Writes OUTPUT as a Hugging Face model folder, OUTPUT/checkpoint (weights, optimizer, trainer state), OUTPUT/metrics.jsonl and OUTPUT/report.json.")

    @Option(name: .long, help: "Model to start from: a Hugging Face folder or a GGUF file.") var model: String?
    @Option(name: .customLong("init"), help: "A new model: JSON file of sizes (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, ...).") var initConfig: String?
    @Option(name: .long, help: "Tokenizer of a new model (tokenizer.json, folder or GGUF); default: train one on the data.") var tokenizer: String?
    @Option(name: .long, help: "Vocabulary of a tokenizer trained on the data.") var vocabSize = 4096
    @Option(name: .long, help: "Pre-tokenizer of a tokenizer trained on the data: gpt2 or digits (every digit its own token, as SmolLM2's). (default: gpt2)") var preTokenizer: String?
    @Option(name: .long, help: "How s1 pool items' thinking and answer are laid out: plain (thinking, blank line, answer), s1 (<|im_start|>think ... <|im_start|>answer, what --thinking-delimiters s1 reads) or think (<think> ... </think>).") var thinkingFormat = "plain"
    @Option(name: .long, help: "Chat template: tulu or chatml (default: the model's, else tulu).") var template: String?
    @Option(name: .long, parsing: .singleValue, help: "Training data: files, globs or directories (repeatable).") var data: [String]
    @Option(name: .shortAndLong, help: "Output directory.") var output: String
    @Option(name: .long, help: "Fraction of records held out for evaluation (by a hash of the id).") var evalFraction = 0.0
    @Option(name: .long, help: "Evaluate every N steps (0: at the end).") var evalEvery = 0
    @Flag(name: .long, help: "One example per row, padded, instead of best-fit-decreasing packing.") var padding = false
    @OptionGroup var hyper: TrainHyperOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (model == nil) == (initConfig == nil) { throw ValidationError("give exactly one of --model or --init") }
        if data.isEmpty { throw ValidationError("give at least one --data") }
        if let p = preTokenizer {
            if LabPreTokenizer(rawValue: p) == nil { throw ValidationError("--pre-tokenizer should be gpt2 or digits, got \"\(p)\"") }
            if initConfig == nil || tokenizer != nil { throw ValidationError("--pre-tokenizer applies to a tokenizer trained on the data: give it with --init and without --tokenizer") }
        }
        if ThinkingFormat(rawValue: thinkingFormat) == nil { throw ValidationError("--thinking-format should be plain, s1 or think, got \"\(thinkingFormat)\"") }
        if !(0..<1).contains(evalFraction) { throw ValidationError("--eval-fraction should be in [0, 1)") }
    }

    func run() throws {
        var s = SFTSettings()
        try hyper.apply(to: &s.loop)
        s.packing = !padding
        let job = SFTJob(model: model, initConfig: initConfig, tokenizer: tokenizer, vocabSize: vocabSize,
                         preTokenizer: preTokenizer.flatMap(LabPreTokenizer.init(rawValue:)) ?? .gpt2, template: template, data: data,
                         output: output, settings: s, evalFraction: evalFraction, evalEvery: evalEvery, saveEvery: hyper.saveEvery,
                         resume: hyper.resume, stopAfter: hyper.stopAfter, threads: global.threadCount, quiet: global.quiet)
        var configured = job
        configured.thinkingFormat = ThinkingFormat(rawValue: thinkingFormat) ?? .plain
        let out = try configured.run()
        try out.report.write(to: (output as NSString).appendingPathComponent("report.json"))
        Console.show(out.report, options: global)
    }
}
