import Foundation

/// Sampling settings of an evaluation run.
public struct EvalSettings: Sendable, Hashable {
    public var samples: Int
    public var temperature: Double
    public var topP: Double
    public var seed: UInt64
    public var maxTokens: Int
    public var stop: [String]
    /// When set, only the text after the last occurrence of this marker is graded (the answer after a
    /// thinking phase); text without the marker is graded whole.
    public var answerMarker: String?
    /// Prompts per `generate` call.
    public var chunk: Int

    public init(samples: Int = 1, temperature: Double = 0, topP: Double = 1, seed: UInt64 = 0, maxTokens: Int = 512,
                stop: [String] = [], answerMarker: String? = nil, chunk: Int = 16) {
        self.samples = samples; self.temperature = temperature; self.topP = topP; self.seed = seed
        self.maxTokens = maxTokens; self.stop = stop; self.answerMarker = answerMarker; self.chunk = chunk
    }
}

/// One item's outcome, written per line to the per-item JSONL so failures can be read.
public struct EvalItemResult: Sendable {
    public var item: EvalItem
    public var completions: [Completion]
    /// Extracted answer per completion (gsm8k/math).
    public var answers: [String?]
    /// Per completion: correct (gsm8k/math) or every constraint satisfied (ifeval).
    public var correct: [Bool]
    /// Per completion: fraction of constraints satisfied (ifeval), else 0/1.
    public var scores: [Double]
    /// The majority answer is correct (gsm8k/math); for ifeval, the first sample is.
    public var majorityCorrect: Bool
    public var majorityAnswer: String?
    /// Any sample correct.
    public var passAtK: Bool { correct.contains(true) }
    /// Mean correctness over the samples (the expected pass@1).
    public var meanCorrect: Double { correct.isEmpty ? 0 : Double(correct.filter { $0 }.count) / Double(correct.count) }

    public var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(item.id)
        o["task"] = .string(item.task.rawValue)
        o["prompt"] = .string(item.messages.last?.content ?? "")
        if let g = item.gold { o["gold"] = .string(AnswerExtractor.gold(g, dataset: item.task.answerDataset)) }
        if let c = item.constraints { o["constraints"] = c.json }
        o["correct"] = .bool(correct.first ?? false)
        o["majority_correct"] = .bool(majorityCorrect)
        o["pass_at_k"] = .bool(passAtK)
        if let m = majorityAnswer { o["majority_answer"] = .string(m) }
        o["completions"] = .array(completions.map { .string($0.text) })
        o["answers"] = .array(answers.map { $0.map(JSONValue.string) ?? .null })
        o["scores"] = .array(scores.map { .double($0) })
        o["completion_meta"] = .array(completions.map { c in
            .object(JSONObject(["tokens": .int(c.tokens), "thinking_tokens": .int(c.thinkingTokens), "waits": .int(c.waits),
                                "finish_reason": .string(c.finishReason)]))
        })
        return .object(o)
    }
}

/// Totals of an evaluation run.
public struct EvalSummary: Sendable, Hashable {
    public var items = 0
    public var samples = 0
    /// Mean over items of the first sample's correctness.
    public var accuracy = 0.0
    /// Mean over items of the mean correctness over samples (expected pass@1).
    public var meanAccuracy = 0.0
    public var majorityAtK = 0.0
    public var passAtK = 0.0
    /// Mean constraint-level score (ifeval) or correctness.
    public var meanScore = 0.0
    public var avgTokens = 0.0
    public var avgThinkingTokens = 0.0
    public var avgWaits = 0.0
    public var byTask: [String: Int] = [:]

    public var json: JSONValue {
        .object(JSONObject([
            "items": .int(items), "samples": .int(samples), "accuracy": .double(accuracy), "mean_accuracy": .double(meanAccuracy),
            "majority_at_k": .double(majorityAtK), "pass_at_k": .double(passAtK), "mean_score": .double(meanScore),
            "avg_tokens": .double(avgTokens), "avg_thinking_tokens": .double(avgThinkingTokens), "avg_waits": .double(avgWaits),
            "items_by_task": .object(JSONObject(byTask.sorted { $0.key < $1.key }.map { JSONObject.Entry(key: $0.key, value: .int($0.value)) })),
        ]))
    }
}

/// Runs items through any `Generator` and grades them with the curation verifiers.
public enum Evaluator {
    /// Grades one completion text: (extracted answer, correct, score).
    public static func grade(_ text: String, item: EvalItem, answerMarker: String?) -> (String?, Bool, Double) {
        var t = text
        if let m = answerMarker, !m.isEmpty, let r = t.range(of: m, options: .backwards) { t = String(t[r.upperBound...]) }
        switch item.task {
        case .ifeval:
            guard let c = item.constraints, let rep = try? ConstraintRegistry.standard.evaluate(c, response: t) else { return (nil, false, 0) }
            return (nil, rep.allPassed, rep.reward)
        case .gsm8k, .math:
            let ds = item.task.answerDataset
            guard let a = AnswerExtractor.extract(t, dataset: ds), let g = item.gold else { return (nil, false, 0) }
            let ok = AnswerEquivalence.matches(candidate: a.text, gold: g, dataset: ds)
            return (a.text, ok, ok ? 1 : 0)
        }
    }

    /// Grades an item's completions (majority vote via `SelfConsistency`).
    public static func score(_ item: EvalItem, completions: [Completion], answerMarker: String?) -> EvalItemResult {
        var answers: [String?] = [], correct: [Bool] = [], scores: [Double] = []
        for c in completions {
            let (a, ok, s) = grade(c.text, item: item, answerMarker: answerMarker)
            answers.append(a); correct.append(ok); scores.append(s)
        }
        var majority = correct.first ?? false
        var majorityAnswer: String?
        if item.task != .ifeval {
            let texts = completions.map { c -> String in
                guard let m = answerMarker, !m.isEmpty, let r = c.text.range(of: m, options: .backwards) else { return c.text }
                return String(c.text[r.upperBound...])
            }
            let tally = SelfConsistency.vote(completions: texts, groundTruth: item.gold, dataset: item.task.answerDataset,
                                             options: VoteOptions())
            majority = tally.goldMatch ?? false
            majorityAnswer = tally.majorityAnswer?.text
        }
        return EvalItemResult(item: item, completions: completions, answers: answers, correct: correct, scores: scores,
                              majorityCorrect: majority, majorityAnswer: majorityAnswer)
    }

    /// Generates and grades every item; `progress` is called with the number of items done.
    public static func run(_ items: [EvalItem], generator: Generator, prompts: EvalPromptProtocol, settings s: EvalSettings,
                           progress: ((Int) -> Void)? = nil) throws -> [EvalItemResult] {
        var out: [EvalItemResult] = []
        out.reserveCapacity(items.count)
        var start = 0
        while start < items.count {
            let part = Array(items[start..<min(items.count, start + max(1, s.chunk))])
            let reqs = part.map { item in
                GenerationRequest(id: item.id, messages: prompts.messages(for: item), samples: s.samples, maxTokens: s.maxTokens,
                                  temperature: s.temperature, topP: s.topP, seed: s.seed, stop: s.stop)
            }
            let gens = try generator.generate(reqs)
            guard gens.count == part.count else {
                throw CurationError.invalidArgument("generator \(generator.name) returned \(gens.count) results for \(part.count) prompts")
            }
            for (item, comps) in zip(part, gens) { out.append(score(item, completions: comps, answerMarker: s.answerMarker)) }
            start += part.count
            progress?(out.count)
        }
        return out
    }

    /// Totals over results.
    public static func summarize(_ results: [EvalItemResult]) -> EvalSummary {
        var s = EvalSummary()
        s.items = results.count
        guard !results.isEmpty else { return s }
        var comps = 0
        for r in results {
            s.accuracy += (r.correct.first ?? false) ? 1 : 0
            s.meanAccuracy += r.meanCorrect
            s.majorityAtK += r.majorityCorrect ? 1 : 0
            s.passAtK += r.passAtK ? 1 : 0
            s.meanScore += r.scores.isEmpty ? 0 : r.scores.reduce(0, +) / Double(r.scores.count)
            for c in r.completions {
                comps += 1
                s.avgTokens += Double(c.tokens); s.avgThinkingTokens += Double(c.thinkingTokens); s.avgWaits += Double(c.waits)
            }
            s.byTask[r.item.task.rawValue, default: 0] += 1
        }
        let n = Double(results.count)
        s.accuracy /= n; s.meanAccuracy /= n; s.majorityAtK /= n; s.passAtK /= n; s.meanScore /= n
        s.samples = comps
        if comps > 0 { s.avgTokens /= Double(comps); s.avgThinkingTokens /= Double(comps); s.avgWaits /= Double(comps) }
        return s
    }
}
