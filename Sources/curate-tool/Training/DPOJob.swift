import Curation
import Foundation
import Trainer

/// One DPO run as the `dpo` command and the recipe's `dpo` stage describe it.
struct DPOJob {
    var model: String
    var template: String?
    var data: [String]
    var output: String
    var settings = DPOSettings()
    /// Reference log-prob cache (default OUTPUT/reference_logps.jsonl).
    var referenceCache: String?
    var saveEvery = 0
    var resume = false
    var stopAfter: Int?
    var threads = 2
    var quiet = false

    struct Outcome {
        var report: StageReport
        var metrics: [JSONValue]
        var referencesComputed: Int
    }

    func run() throws -> Outcome {
        let started = Date()
        let (records, counts) = try TrainingSupport.readRecords(try InputFiles.resolve(data))
        let (m, tok, template) = try TrainingSupport.loadModel(model, template: self.template)
        m.threads = ComputeThreads(threads)
        var report = StageReport(stage: "dpo")
        report.absorb(counts)
        let builder = PreferenceExampleBuilder(tokenizer: tok, template: template, maxLength: settings.maxLength)
        var pairs: [PreferenceExample] = []
        for r in records {
            guard let p = try builder.example(r) else { report.drop("empty-completion"); continue }
            pairs.append(p)
        }
        report.recordsOut = pairs.count
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let cachePath = referenceCache ?? (output as NSString).appendingPathComponent("reference_logps.jsonl")
        var cache = try ReferenceCache(path: cachePath)
        let refStart = Date()
        let trainer = try DPOTrainer(model: m, pairs: pairs, cache: &cache, settings: settings)
        if !quiet {
            Console.info("dpo: \(pairs.count) pairs, \(trainer.totalSteps) steps, loss \(settings.loss.type.rawValue) beta \(settings.loss.beta); reference log-probs: \(trainer.referencesComputed) computed (\(String(format: "%.1f", Date().timeIntervalSince(refStart))) s), \(pairs.count - trainer.referencesComputed) from \(cachePath)")
        }
        if resume { try TrainingSupport.resume(trainer, output: output) }
        let extra = ModelFolder.tokenizerFiles(tok, template: template)
        let metrics = try MetricsFile(output: output, resumeStep: resume ? trainer.step : nil)
        defer { metrics.close() }
        var progress = ProgressLine(quiet: quiet)
        var last: DPOStepMetrics?
        let trainStart = Date()
        var tokens = 0
        try TrainingSupport.train(trainer, output: output, saveEvery: saveEvery, stopAfter: stopAfter, extraFiles: extra) { x in
            last = x
            tokens += x.tokens
            metrics.append([("step", .int(x.step)), ("epoch", .int(x.epoch)), ("loss", .double(x.loss)),
                            ("chosen_reward", .double(x.chosenReward)), ("rejected_reward", .double(x.rejectedReward)),
                            ("reward_accuracy", .double(x.accuracy)), ("margin", .double(x.margin)), ("lr", .double(x.learningRate)),
                            ("grad_norm", .double(x.gradNorm)), ("tokens", .int(x.tokens))])
            progress.step(x.step, of: trainer.totalSteps, tokens: x.tokens,
                          String(format: "loss %.4f acc %.2f margin %.3f lr %.2e", x.loss, x.accuracy, x.margin, x.learningRate))
        }
        try TrainingSupport.saveCheckpoint(trainer, output: output, extraFiles: extra)
        if trainer.isFinished { try ModelFolder.save(m, tokenizer: tok, template: template, to: output) }
        let el = Date().timeIntervalSince(trainStart)
        report.seconds = Date().timeIntervalSince(started)
        report.settings = ["loss": .string(settings.loss.type.rawValue), "beta": .double(settings.loss.beta),
                           "gamma": .double(settings.loss.gamma), "label_smoothing": .double(settings.loss.labelSmoothing),
                           "lr": .double(settings.learningRate), "epochs": .int(settings.epochs), "batch_size": .int(settings.batchSize),
                           "max_length": .int(settings.maxLength), "seed": .string(String(settings.seed)), "threads": .int(threads)]
        report.extra["steps"] = .int(trainer.step)
        report.extra["finished"] = .bool(trainer.isFinished)
        report.extra["references_computed"] = .int(trainer.referencesComputed)
        report.extra["reference_cache"] = .string(cachePath)
        if let l = last {
            report.extra["final_loss"] = .double(l.loss)
            report.extra["final_reward_accuracy"] = .double(l.accuracy)
            report.extra["final_margin"] = .double(l.margin)
        }
        report.extra["tokens_per_s"] = .double(el > 0 ? Double(tokens) / el : 0)
        try report.check()
        return Outcome(report: report, metrics: metrics.rows, referencesComputed: trainer.referencesComputed)
    }
}
