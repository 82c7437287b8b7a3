import Curation
import Foundation
import Trainer

/// One RLVR run as the `rlvr` command and the recipe's `rlvr` stage describe it: prompts from
/// verifiable records, rewards from the `verify` verifiers (`CompletionJudge`), GRPO updates.
struct RLVRJob {
    var model: String
    var template: String?
    var data: [String]
    var output: String
    var settings = RLVRSettings()
    /// Verifier for records without a `dataset` field (nil: the task each record resolves to).
    var dataset: String?
    /// Replaces a task's answer instruction (as `eval --instruction`).
    var prompts = EvalPromptProtocol()
    var formatReward = 0.0
    var saveEvery = 0
    var resume = false
    var stopAfter: Int?
    var threads = 2
    var quiet = false

    struct Outcome {
        var report: StageReport
        var metrics: [JSONValue]
    }

    /// The prompts and their judges, in record order; records that are not verifiable are errors
    /// naming file and line (a training set silently missing prompts would change the experiment).
    static func promptSet(_ records: [RawRecord], tokenizer: BPETokenizer, template: ChatTemplate, protocol p: EvalPromptProtocol,
                          dataset: String?, formatReward: Double) throws -> (prompts: [RLVRPrompt], judges: [CompletionJudge]) {
        // The task `--dataset` names, for records without a `dataset` field of their own.
        let defaultTask = try dataset.flatMap { name -> EvalTask? in
            let lower = name.lowercased()
            if lower.hasPrefix("ifeval") || lower.hasPrefix("ifbench") { return .ifeval }
            guard let a = AnswerDataset(name: lower) else {
                throw CurationError.invalidArgument("--dataset \(name): use gsm8k, math, multiple_choice or ifeval")
            }
            return a == .gsm8k ? .gsm8k : .math
        }
        var uniqueIDs = UniqueIDs()
        var prompts: [RLVRPrompt] = [], judges: [CompletionJudge] = []
        for r in records {
            let id = uniqueIDs.claim(try RecordID.of(r))
            let item = try EvalItem.from(r, id: id, task: try r.string("dataset") == nil ? defaultTask : nil)
            let tokens = template.render(p.messages(for: item), tokenizer: tokenizer, addGenerationPrompt: true).ids
            prompts.append(RLVRPrompt(id: id, tokens: tokens))
            judges.append(try CompletionJudge(record: r, item: item, defaultDataset: dataset, formatReward: formatReward))
        }
        return (prompts, judges)
    }

    func run() throws -> Outcome {
        let started = Date()
        let (records, counts) = try TrainingSupport.readRecords(try InputFiles.resolve(data))
        let (m, tok, template) = try TrainingSupport.loadModel(model, template: self.template)
        m.threads = ComputeThreads(threads)
        var report = StageReport(stage: "rlvr")
        report.absorb(counts)
        let (prompts, judges) = try Self.promptSet(records, tokenizer: tok, template: template, protocol: self.prompts,
                                                   dataset: dataset, formatReward: formatReward)
        report.recordsOut = prompts.count
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let stops = LocalGenerator.stopTokens(tokenizer: tok, template: template)
        let trainer = try RLVRTrainer(model: m, tokenizer: tok, prompts: prompts, stopTokens: stops, settings: settings) { i, text in
            let v = try judges[i].judge(text)
            return RLVRReward(reward: v.reward, correct: v.correct)
        }
        let o = settings.objective
        if !quiet {
            Console.info("rlvr: \(prompts.count) prompts, \(trainer.totalSteps) steps of \(settings.batchSize) prompts x \(settings.numGenerations) completions; loss \(o.lossType.rawValue), epsilon \(o.epsilon)/\(o.epsilonHigh), beta \(o.beta), \(settings.numIterations) iteration(s), rewards scaled by \(settings.rewardScaling.rawValue)")
        }
        if resume { try TrainingSupport.resume(trainer, output: output) }
        let extra = ModelFolder.tokenizerFiles(tok, template: template)
        let metrics = try MetricsFile(output: output, resumeStep: resume ? trainer.step : nil)
        defer { metrics.close() }
        var progress = ProgressLine(quiet: quiet)
        var last: RLVRStepMetrics?
        var rolloutTokens = 0, rolloutSeconds = 0.0, trainTokens = 0
        let trainStart = Date()
        try TrainingSupport.train(trainer, output: output, saveEvery: saveEvery, stopAfter: stopAfter, extraFiles: extra) { x in
            last = x
            rolloutTokens += x.rolloutTokens; rolloutSeconds += x.rolloutSeconds; trainTokens += x.tokens
            metrics.append([("step", .int(x.step)), ("epoch", .int(x.epoch)), ("loss", .double(x.loss)), ("reward", .double(x.reward)),
                            ("reward_std", .double(x.rewardStd)), ("accuracy", .double(x.accuracy)), ("kl", .double(x.kl)),
                            ("clip_ratio", .double(x.clipRatio)), ("completion_length", .double(x.completionLength)),
                            ("frac_reward_zero_std", .double(x.fracRewardZeroStd)), ("truncated_fraction", .double(x.truncatedFraction)),
                            ("lr", .double(x.learningRate)), ("grad_norm", .double(x.gradNorm)), ("rollout_tokens", .int(x.rolloutTokens)),
                            ("rollout_seconds", .double(x.rolloutSeconds)), ("scored_completions", .int(x.scoredCompletions)), ("tokens", .int(x.tokens)), ("seconds", .double(x.seconds))])
            progress.step(x.step, of: trainer.totalSteps, tokens: x.rolloutTokens,
                          String(format: "reward %.3f acc %.2f len %.1f zero-std %.2f kl %.4f lr %.2e", x.reward, x.accuracy,
                                 x.completionLength, x.fracRewardZeroStd, x.kl, x.learningRate))
        }
        try TrainingSupport.saveCheckpoint(trainer, output: output, extraFiles: extra)
        if trainer.isFinished { try ModelFolder.save(m, tokenizer: tok, template: template, to: output) }
        let el = Date().timeIntervalSince(trainStart)
        report.seconds = Date().timeIntervalSince(started)
        report.settings = ["num_generations": .int(settings.numGenerations), "loss_type": .string(o.lossType.rawValue),
                           "epsilon": .double(o.epsilon), "epsilon_high": .double(o.epsilonHigh), "beta": .double(o.beta),
                           "num_iterations": .int(settings.numIterations), "scale_rewards": .string(settings.rewardScaling.rawValue),
                           "mask_truncated_completions": .bool(settings.maskTruncatedCompletions),
                           "max_completion_length": .int(o.maxCompletionLength), "min_completion_length": .int(settings.minCompletionLength),
                           "temperature": .double(settings.temperature),
                           "top_p": .double(settings.topP), "top_k": .int(settings.topK), "format_reward": .double(formatReward),
                           "lr": .double(settings.learningRate), "batch_size": .int(settings.batchSize), "epochs": .int(settings.epochs),
                           "seed": .string(String(settings.seed)), "threads": .int(threads)]
        report.extra["steps"] = .int(trainer.step)
        report.extra["finished"] = .bool(trainer.isFinished)
        if let l = last {
            report.extra["final_reward"] = .double(l.reward)
            report.extra["final_accuracy"] = .double(l.accuracy)
        }
        report.extra["rollout_tokens"] = .int(rolloutTokens)
        report.extra["rollout_tokens_per_s"] = .double(rolloutSeconds > 0 ? Double(rolloutTokens) / rolloutSeconds : 0)
        report.extra["trained_tokens"] = .int(trainTokens)
        report.extra["steps_per_s"] = .double(el > 0 ? Double(metrics.rows.count) / el : 0)
        try report.check()
        return Outcome(report: report, metrics: metrics.rows)
    }
}
