import ArgumentParser
import Curation
import Foundation
import Trainer

/// Hyper-parameters SFT and DPO share on the command line.
struct TrainHyperOptions: ParsableArguments {
    @Option(name: .long, help: "Peak learning rate (default: SFT 1e-4, DPO 5e-6).") var lr: Double?
    @Option(name: .long, help: "Schedule after warmup: linear, cosine or constant.") var schedule = "linear"
    @Option(name: .long, help: "Warmup as a fraction of the steps (default: SFT 0.03, DPO 0.1).") var warmupRatio: Double?
    @Option(name: .long, help: "Epochs (default: SFT 2, DPO 1).") var epochs: Int?
    @Option(name: .long, help: "Rows (SFT) or pairs (DPO) per micro-batch.") var batchSize = 8
    @Option(name: .long, help: "Micro-batches per optimiser step.") var gradAccum = 1
    @Option(name: .long, help: "Tokens per row / longest sequence.") var maxLength = 1024
    @Option(name: .long, help: "AdamW weight decay (not applied to norms).") var weightDecay = 0.0
    @Option(name: .long, help: "Clip gradients to this global norm (0: off).") var maxGradNorm = 1.0
    @Option(name: .long, help: "Stop after this many steps (the schedule is fitted to it).") var maxSteps: Int?
    @Option(name: .long, help: "Seed for data order and new weights.") var seed: UInt64 = 42
    @Option(name: .long, help: "Save a resumable checkpoint every N steps (always at the end).") var saveEvery = 0
    @Flag(name: .long, help: "Continue from OUTPUT/checkpoint.") var resume = false
    @Option(name: .long, help: ArgumentHelp("Halt after N steps, as an interruption would (testing).", visibility: .hidden)) var stopAfter: Int?

    var decay: LRSchedule.Decay {
        get throws {
            guard let d = LRSchedule.Decay(rawValue: schedule) else { throw ValidationError("--schedule should be linear, cosine or constant") }
            return d
        }
    }
}

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
        if !(0..<1).contains(evalFraction) { throw ValidationError("--eval-fraction should be in [0, 1)") }
    }

    func run() throws {
        var s = SFTSettings()
        if let v = hyper.lr { s.learningRate = v }
        s.schedule = try hyper.decay
        if let v = hyper.warmupRatio { s.warmupRatio = v }
        if let v = hyper.epochs { s.epochs = v }
        s.batchSize = hyper.batchSize; s.gradientAccumulation = hyper.gradAccum; s.maxLength = hyper.maxLength
        s.weightDecay = hyper.weightDecay; s.maxGradNorm = hyper.maxGradNorm; s.maxSteps = hyper.maxSteps; s.seed = hyper.seed
        s.packing = !padding
        let job = SFTJob(model: model, initConfig: initConfig, tokenizer: tokenizer, vocabSize: vocabSize, template: template, data: data,
                         output: output, settings: s, evalFraction: evalFraction, evalEvery: evalEvery, saveEvery: hyper.saveEvery,
                         resume: hyper.resume, stopAfter: hyper.stopAfter, threads: global.threadCount, quiet: global.quiet)
        let out = try job.run()
        try out.report.write(to: (output as NSString).appendingPathComponent("report.json"))
        Console.show(out.report, options: global)
    }
}
