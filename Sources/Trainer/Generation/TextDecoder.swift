import Foundation

/// Decodes many prompts, several samples each, in batches over one `InferenceSession`.
///
/// Up to `maxBatch` samples decode together; when one finishes, the next waiting sample takes its
/// slot. The samples of one prompt share its prefill: the prompt runs once and its cached keys and
/// values are copied to the other slots. Every sample has its own random stream, and decode-step
/// products are computed per row, so a sample's text does not depend on `maxBatch` or on the other
/// prompts in the call.
public final class TextDecoder {
    public let model: LlamaModel
    public let tokenizer: BPETokenizer
    /// Samples decoded together.
    public var maxBatch: Int
    /// Called before each token is drawn with (job index, sample index, tokens so far, logits);
    /// may change the logits (tests force delimiters with it; a logit bias would too).
    /// Decode from GGUF blocks with `QuantizedLinear` (bitwise the fp32 logits) instead of the default
    /// `QuantizedDotLinear` (int16 activations, integer dot products; within a stated tolerance). `--exact`.
    public var exactQuantized = false
    public var logitsHook: ((Int, Int, [Int32], UnsafeMutableBufferPointer<Float>) -> Void)?

    public init(model: LlamaModel, tokenizer: BPETokenizer, maxBatch: Int = 8) throws {
        guard tokenizer.vocabSize <= model.config.vocabSize else {
            throw TrainerError.invalidConfig("tokenizer has \(tokenizer.vocabSize) tokens, the model \(model.config.vocabSize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.maxBatch = max(1, maxBatch)
    }

    enum Phase { case plain, thinking, answer }

    struct Active {
        var job: Int
        var sample: Int
        var rng: SplitMix64
        var phase: Phase
        var generated: [Int32] = []
        /// Bytes of the text so far, and the byte length after each generated token.
        var bytes: [UInt8] = []
        var marks: [Int] = []
        /// Stop strings are searched from here (the answer's start).
        var searchFrom = 0
        var thinking = 0
        var waits = 0
        var answerTokens = 0
        var logits: [Float] = []
    }

    /// Token ids a job's budget forcing needs, tokenized once.
    struct BudgetIDs {
        var start: [Int32], end: [Int32], wait: [Int32], forcedAnswer: [Int32]
        /// The end delimiter begins with a special token: emitting that token is an attempt to end.
        var endStartsSpecial: Bool
    }

    /// Runs every job; returns each job's samples in sample order.
    public func run(_ jobs: [DecodeJob]) throws -> [[GeneratedSample]] {
        let V = model.config.vocabSize
        var budgets: [BudgetIDs?] = []
        var prompts: [[Int32]] = []
        var capacity = 1
        var total = 0
        for (j, job) in jobs.enumerated() {
            guard !job.promptTokens.isEmpty else { throw TrainerError.invalidBatch("prompt \(job.promptID): no tokens") }
            guard job.samples >= 0, job.maxNewTokens >= 0 else { throw TrainerError.invalidBatch("prompt \(job.promptID): negative samples or max tokens") }
            guard job.minNewTokens >= 0, job.minNewTokens == 0 || job.budget == nil else {
                throw TrainerError.invalidBatch("prompt \(job.promptID): min new tokens must be >= 0 and cannot be combined with budget forcing")
            }
            var prompt = job.promptTokens
            var ids: BudgetIDs?
            var extra = 0
            if let b = job.budget {
                let start = tokenizer.encode(b.startDelimiter), end = tokenizer.encode(b.endDelimiter)
                let wait = tokenizer.encode(b.waitString)
                let forced = tokenizer.encode(b.endDelimiter + "\n" + b.answerPrefix)
                guard !end.isEmpty, !wait.isEmpty else {
                    throw TrainerError.invalidConfig("budget forcing needs a non-empty end delimiter and wait string")
                }
                if let minT = b.minThinking, minT < 0 { throw TrainerError.invalidConfig("min thinking must be >= 0") }
                if let maxT = b.maxThinking, maxT < 1 { throw TrainerError.invalidConfig("max thinking must be >= 1") }
                prompt += start
                ids = BudgetIDs(start: start, end: end, wait: wait, forcedAnswer: forced,
                                endStartsSpecial: tokenizer.isSpecialToken(end[0]))
                extra = (b.maxThinking ?? job.maxNewTokens) + forced.count + end.count
            }
            for t in prompt where t < 0 || Int(t) >= V {
                throw TrainerError.invalidBatch("prompt \(job.promptID): token id \(t) outside the vocabulary")
            }
            budgets.append(ids)
            prompts.append(prompt)
            capacity = max(capacity, prompt.count + extra + job.maxNewTokens + 2)
            total += job.samples
            _ = j
        }
        var results: [[GeneratedSample?]] = jobs.map { Array(repeating: nil, count: $0.samples) }
        if total == 0 { return results.map { $0.compactMap { $0 } } }
        guard capacity <= model.config.maxPositionEmbeddings else {
            throw TrainerError.invalidBatch("a prompt plus its generation budget needs \(capacity) positions; the model has \(model.config.maxPositionEmbeddings)")
        }
        let slots = min(maxBatch, total)
        let session = try InferenceSession(model: model, slots: slots, capacity: capacity, exactQuantized: exactQuantized)
        var pending: [(job: Int, sample: Int)] = []
        for (j, job) in jobs.enumerated() { for s in 0..<job.samples { pending.append((j, s)) } }
        var next = 0
        var active: [Active?] = Array(repeating: nil, count: slots)
        /// Which job's prompt each slot's cache starts with (kept after the sample ends, until reused).
        var slotPrompt: [Int?] = Array(repeating: nil, count: slots)
        var promptLogits: [Int: [Float]] = [:]

        func startSample(_ slot: Int, job j: Int, sample s: Int) throws {
            let job = jobs[j], prompt = prompts[j]
            var logits: [Float]
            if slotPrompt[slot] == j, session.lengths[slot] >= prompt.count, let lg = promptLogits[j] {
                session.truncate(slot: slot, to: prompt.count)
                logits = lg
            } else if let src = (0..<slots).first(where: { slotPrompt[$0] == j && $0 != slot && session.lengths[$0] >= prompt.count }),
                      let lg = promptLogits[j] {
                session.copyPrefix(from: src, to: slot, length: prompt.count)
                logits = lg
            } else {
                session.reset(slot: slot)
                logits = try session.prefill(slot: slot, tokens: prompt)
                promptLogits[j] = logits
            }
            slotPrompt[slot] = j
            var a = Active(job: j, sample: s, rng: Sampler.stream(seed: job.sampling.seed, promptID: job.promptID, sampleIndex: s),
                           phase: budgets[j] == nil ? .plain : .thinking)
            a.logits = logits
            if job.maxNewTokens == 0 && a.phase == .plain {
                results[j][s] = GeneratedSample(tokens: [], text: "", thinkingTokens: 0, waits: 0, finishReason: "length")
                return
            }
            active[slot] = a
        }

        func finish(_ slot: Int, _ reason: String, stopToken: Int32? = nil) {
            guard let a = active[slot] else { return }
            results[a.job][a.sample] = GeneratedSample(tokens: a.generated, text: String(decoding: a.bytes, as: UTF8.self),
                                                       thinkingTokens: a.thinking, waits: a.waits, finishReason: reason,
                                                       stopToken: stopToken)
            active[slot] = nil
            if !pending[next...].contains(where: { $0.job == a.job }) { promptLogits[a.job] = nil }
        }

        while true {
            for slot in 0..<slots where active[slot] == nil && next < pending.count {
                let p = pending[next]
                next += 1
                try startSample(slot, job: p.job, sample: p.sample)
            }
            if active.allSatisfy({ $0 == nil }) {
                if next >= pending.count { break }
                continue
            }
            var feeds: [(slot: Int, tokens: [Int32])] = []
            for slot in 0..<slots {
                guard var a = active[slot] else { continue }
                let job = jobs[a.job]
                var logits = a.logits
                a.logits = []
                var rng = a.rng
                let (jobIndex, sampleIndex, soFar) = (a.job, a.sample, a.generated)
                let suppressStops = a.phase == .plain && a.answerTokens < job.minNewTokens
                let t: Int32 = logits.withUnsafeMutableBufferPointer { lg in
                    logitsHook?(jobIndex, sampleIndex, soFar, lg)
                    if suppressStops {
                        for s in job.stopTokens where s >= 0 && Int(s) < V { lg[Int(s)] = -Float.infinity }
                    }
                    return Sampler.sample(lg.baseAddress!, vocab: V, options: job.sampling, rng: &rng)
                }
                a.rng = rng
                var feed: [Int32] = []
                var done: String?
                var stoppedBy: Int32?
                func append(_ ids: [Int32]) {
                    for id in ids {
                        a.generated.append(id)
                        a.bytes += tokenizer.decodeBytes([id])
                        a.marks.append(a.bytes.count)
                    }
                    feed += ids
                }
                switch a.phase {
                case .thinking:
                    guard let b = job.budget, let ids = budgets[a.job] else { break }
                    let cap = b.maxThinking ?? job.maxNewTokens
                    var rollback = -1
                    if job.stopTokens.contains(t) || (ids.endStartsSpecial && t == ids.end[0]) {
                        rollback = 0
                    } else if ids.end.count > 1, a.generated.count >= ids.end.count - 1,
                              Array(a.generated.suffix(ids.end.count - 1)) + [t] == ids.end {
                        rollback = ids.end.count - 1
                    }
                    if rollback >= 0 {
                        // An attempt to end the thinking.
                        let thinkingBefore = a.thinking - rollback
                        if let minT = b.minThinking, thinkingBefore < minT, a.waits < b.maxWaits,
                           thinkingBefore + ids.wait.count < cap {
                            if rollback > 0 {
                                a.generated.removeLast(rollback)
                                a.marks.removeLast(rollback)
                                a.bytes.removeLast(a.bytes.count - (a.marks.last ?? 0))
                                session.truncate(slot: slot, to: session.lengths[slot] - rollback)
                                a.thinking -= rollback
                            }
                            append(ids.wait)
                            a.thinking += ids.wait.count
                            a.waits += 1
                        } else {
                            if rollback > 0 {
                                // The delimiter's first tokens were counted as thinking; they are not.
                                a.thinking -= rollback
                                append([t])
                            } else {
                                append(ids.end)
                            }
                            a.phase = .answer
                            a.searchFrom = a.bytes.count
                        }
                    } else {
                        append([t])
                        a.thinking += 1
                        if a.thinking >= cap {
                            append(ids.forcedAnswer)
                            a.phase = .answer
                            a.searchFrom = a.bytes.count
                        }
                    }
                case .plain, .answer:
                    if job.stopTokens.contains(t) { done = "stop"; stoppedBy = t; break }
                    let before = a.bytes.count
                    append([t])
                    a.answerTokens += 1
                    for s in job.stopStrings where !s.isEmpty {
                        let sb = Array(s.utf8)
                        let from = max(a.searchFrom, before - sb.count + 1)
                        if let at = Self.find(sb, in: a.bytes, from: from) {
                            a.bytes.removeLast(a.bytes.count - at)
                            done = "stop"
                            break
                        }
                    }
                    if done == nil && a.answerTokens >= job.maxNewTokens { done = "length" }
                }
                active[slot] = a
                if let reason = done {
                    finish(slot, reason, stopToken: stoppedBy)
                } else {
                    feeds.append((slot, feed))
                }
            }
            if feeds.isEmpty { continue }
            let out = try session.feed(feeds)
            for (i, f) in feeds.enumerated() {
                active[f.slot]?.logits = Array(out[(i * V)..<((i + 1) * V)])
            }
        }
        return try results.map { row in
            try row.map { s in
                guard let s else { throw TrainerError.invalidState("a sample was not decoded") }
                return s
            }
        }
    }

    /// First index >= `from` where `needle` occurs in `hay`.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = max(0, from)
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
