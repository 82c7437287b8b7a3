import Curation
import Foundation
import Trainer

/// The pre-tokenizer of a tokenizer trained on the data: `gpt2` (GPT-2's regex: runs of digits stay
/// together, so numbers merge into multi-digit tokens) or `digits` (every digit split off first, as
/// SmolLM2's tokenizer does: the `.smollm` pre-tokenizer; arithmetic sees one token per digit).
enum LabPreTokenizer: String, CaseIterable {
    case gpt2, digits

    var kind: PreTokenizerKind {
        switch self {
        case .gpt2: return .gpt2
        case .digits: return .smollm
        }
    }
}

/// One SFT run as the `sft` command and the recipe's `sft` stage describe it.
struct SFTJob {
    /// A model folder or GGUF to start from; or nil with `initConfig` for a new model.
    var model: String?
    /// A small JSON config of sizes (hidden_size, intermediate_size, num_hidden_layers,
    /// num_attention_heads, [num_key_value_heads, max_position_embeddings, tie_word_embeddings]).
    var initConfig: String?
    /// Tokenizer of a new model (file, folder or GGUF); nil: train one on the data with `vocabSize`.
    var tokenizer: String?
    var vocabSize = 4096
    /// How a tokenizer trained on the data cuts words: gpt2, or digits (every digit its own piece).
    var preTokenizer = LabPreTokenizer.gpt2
    /// How s1 pool items' thinking and answer are laid out (`plain`, `s1`, `think`).
    var thinkingFormat = ThinkingFormat.plain
    var template: String?
    var data: [String]
    var output: String
    var settings = SFTSettings()
    var evalFraction = 0.0
    var evalEvery = 0
    /// With `model`, an empty training set (every record filtered away upstream) writes the starting model
    /// unchanged, 0 steps, instead of failing: an ablation variant whose filter removed everything still has
    /// a model to evaluate (`on_empty: keep`).
    var keepModelWhenEmpty = false
    var saveEvery = 0
    var resume = false
    /// Halt (after saving a checkpoint) once this many steps are done, as an interruption would.
    var stopAfter: Int?
    var threads = 2
    var quiet = false

    static let specialTokens = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|im_start|>", "<|im_end|>"]

    struct Outcome {
        var report: StageReport
        var metrics: [JSONValue]
    }

    func run() throws -> Outcome {
        let started = Date()
        let files = try InputFiles.resolve(data)
        let (records, counts) = try TrainingSupport.readRecords(files)

        let model: LlamaModel, tok: BPETokenizer, template: ChatTemplate
        if let m = model_ {
            (model, tok, template) = try TrainingSupport.loadModel(m, template: self.template)
        } else if let cfgPath = initConfig {
            if let t = tokenizer { tok = try ModelLoader.loadTokenizer(path: t) } else {
                let texts = try records.map { try RecordText.text(of: $0) }
                tok = try BPETrainer(vocabSize: vocabSize, specialTokens: Self.specialTokens, preTokenizer: preTokenizer.kind, threads: threads).train(texts)
            }
            template = try ChatTemplate.named(self.template ?? "tulu", tokenizer: tok)
            model = try LlamaModel(config: try Self.initConfig(cfgPath, tokenizer: tok, template: template, maxLength: settings.maxLength),
                                   seed: settings.seed)
        } else {
            throw CurationError.invalidArgument("give --model DIR|GGUF or --init CONFIG")
        }

        model.threads = ComputeThreads(threads)
        var report = StageReport(stage: "sft")
        report.absorb(counts)
        let builder = SFTExampleBuilder(tokenizer: tok, template: template, maxLength: settings.maxLength, thinkingFormat: thinkingFormat)
        var train: [TokenBatch.Example] = [], eval: [TokenBatch.Example] = []
        for r in records {
            guard let ex = try builder.example(r) else { report.drop("no-assistant-tokens"); continue }
            if HeldOutSplit.isHeldOut(id: ex.id, fraction: evalFraction) { eval.append(ex.example) } else { train.append(ex.example) }
        }
        report.recordsOut = train.count + eval.count
        if train.isEmpty && keepModelWhenEmpty && model_ != nil {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try ModelFolder.save(model, tokenizer: tok, template: template, to: output)
            report.seconds = Date().timeIntervalSince(started)
            for (k, v) in [("steps", 0), ("total_steps", 0), ("rows", 0), ("parameters", model.config.parameterCount)] { report.extra[k] = .int(v) }
            report.extra["finished"] = .bool(true)
            report.extra["empty_training_set"] = .bool(true)
            report.warnings.append("no training examples: the starting model is written unchanged (on_empty: keep)")
            try report.check()
            if !quiet { Console.info("sft: no training examples; the starting model is written unchanged (on_empty: keep)") }
            return Outcome(report: report, metrics: [.object(JSONObject([.init(key: "step", value: .int(0)), .init(key: "examples", value: .int(0))]))])
        }
        let trainer = try SFTTrainer(model: model, train: train, eval: eval, settings: settings)
        let extra = ModelFolder.tokenizerFiles(tok, template: template)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        if resume {
            try TrainingSupport.resume(trainer, output: output)
            if !quiet { Console.info("resumed from \(TrainingSupport.checkpointPath(output)) at step \(trainer.step)") }
        }
        let metrics = try MetricsFile(output: output, resumeStep: resume ? trainer.step : nil)
        defer { metrics.close() }
        if !quiet {
            Console.info("sft: \(model.config.parameterCount) parameters, \(train.count) train / \(eval.count) eval examples in \(trainer.trainRows.count) rows of \(settings.maxLength), \(trainer.totalSteps) steps, template \(template.kind.rawValue)")
        }
        var progress = ProgressLine(quiet: quiet)
        var lastLoss = Double.nan, lastEval: Double?
        let trainStart = Date()
        var stepTokens = 0
        try TrainingSupport.train(trainer, output: output, saveEvery: saveEvery, stopAfter: stopAfter, extraFiles: extra) { m in
            lastLoss = m.loss
            stepTokens += m.tokens
            let el = Date().timeIntervalSince(trainStart)
            metrics.append([("step", .int(m.step)), ("epoch", .int(m.epoch)), ("loss", .double(m.loss)), ("lr", .double(m.learningRate)),
                            ("grad_norm", .double(m.gradNorm)), ("tokens", .int(m.tokens)), ("loss_tokens", .int(m.lossTokens)),
                            ("tokens_per_s", .double(el > 0 ? Double(stepTokens) / el : 0))])
            progress.step(m.step, of: trainer.totalSteps, tokens: m.tokens,
                          String(format: "loss %.4f lr %.2e", m.loss, m.learningRate))
            if evalEvery > 0, m.step % evalEvery == 0 || trainer.isFinished, let e = try trainer.evaluate() {
                lastEval = e
                metrics.append([("step", .int(m.step)), ("eval_loss", .double(e))])
                if !quiet { Console.info(String(format: "step %d eval loss %.4f", m.step, e)) }
            }
        }
        if evalEvery == 0, trainer.isFinished, let e = try trainer.evaluate() {
            lastEval = e
            metrics.append([("step", .int(trainer.step)), ("eval_loss", .double(e))])
        }
        try TrainingSupport.saveCheckpoint(trainer, output: output, extraFiles: extra)
        if trainer.isFinished { try ModelFolder.save(model, tokenizer: tok, template: template, to: output) }

        let el = Date().timeIntervalSince(trainStart)
        report.seconds = Date().timeIntervalSince(started)
        report.settings = ["lr": .double(settings.learningRate), "epochs": .int(settings.epochs), "batch_size": .int(settings.batchSize),
                           "grad_accum": .int(settings.gradientAccumulation), "max_length": .int(settings.maxLength),
                           "packing": .bool(settings.packing), "seed": .string(String(settings.seed)), "threads": .int(threads),
                           "template": .string(template.kind.rawValue)]
        report.extra["steps"] = .int(trainer.step)
        report.extra["total_steps"] = .int(trainer.totalSteps)
        report.extra["finished"] = .bool(trainer.isFinished)
        report.extra["final_loss"] = .double(lastLoss)
        if let e = lastEval { report.extra["eval_loss"] = .double(e) }
        report.extra["parameters"] = .int(model.config.parameterCount)
        report.extra["rows"] = .int(trainer.trainRows.count)
        report.extra["tokens_per_s"] = .double(el > 0 ? Double(stepTokens) / el : 0)
        // Every step's tokens, those of steps before a resume included (the metrics file keeps them): what a
        // lab reports when its variable is the amount of data.
        var trained = 0, lossTokens = 0
        for row in metrics.rows {
            guard let o = row.objectValue, o["loss"] != nil else { continue }
            trained += o["tokens"]?.intValue ?? 0
            lossTokens += o["loss_tokens"]?.intValue ?? 0
        }
        report.extra["tokens"] = .int(trained)
        report.extra["loss_tokens"] = .int(lossTokens)
        try report.check()
        return Outcome(report: report, metrics: metrics.rows)
    }

    private var model_: String? { model }

    /// The config of a new model: sizes from the file, the vocabulary from the tokenizer, the
    /// positions at least the max length, eos/bos from the tokenizer.
    static func initConfig(_ path: String, tokenizer: BPETokenizer, template: ChatTemplate, maxLength: Int) throws -> LlamaConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw CurationError.io(path: path, reason: "cannot read") }
        let j: JSONValue
        do { j = try JSONParser.parse([UInt8](data)) } catch { throw CurationError.invalidArgument("\(path): not valid JSON: \(error)") }
        guard var o = j.objectValue else { throw CurationError.invalidArgument("\(path): expected a JSON object of sizes") }
        o["vocab_size"] = .int(tokenizer.vocabSize)
        if o["max_position_embeddings"] == nil { o["max_position_embeddings"] = .int(max(2048, maxLength)) }
        if o["tie_word_embeddings"] == nil { o["tie_word_embeddings"] = .bool(true) }
        if o["rms_norm_eps"] == nil { o["rms_norm_eps"] = .double(1e-5) }
        let eos = tokenizer.roles.eos ?? tokenizer.id(of: template.eosToken)
        if o["eos_token_id"] == nil, let e = eos { o["eos_token_id"] = .int(Int(e)) }
        if o["bos_token_id"] == nil, let b = tokenizer.roles.bos ?? eos { o["bos_token_id"] = .int(Int(b)) }
        return try LlamaConfig(json: .object(o), path: path)
    }
}
