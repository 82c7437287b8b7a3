import Curation
import Foundation
import Testing
import Trainer

@Suite struct KVCacheTests {
    /// Logits from the training forward pass over the whole sequence, one row per position.
    func fullLogits(_ model: LlamaModel, _ ids: [Int32]) throws -> [[Float]] {
        let n = ids.count
        let batch = try TokenBatch(rows: 1, length: n, tokens: ids, positions: (0..<n).map { Int32($0) },
                                   segmentStarts: Array(repeating: 0, count: n), targets: Array(repeating: -1, count: n),
                                   weights: Array(repeating: 0, count: n))
        _ = try model.forward(batch)
        let lg = try #require(model.logits)
        let V = model.config.vocabSize
        return (0..<n).map { Array(lg[($0 * V)..<(($0 + 1) * V)]) }
    }

    @Test func incrementalDecodingMatchesFullRecomputation() throws {
        let model = try TinyGen.model()
        let V = model.config.vocabSize
        let ids: [Int32] = (0..<40).map { Int32(($0 * 37 + 11) % 256) }
        let full = try fullLogits(model, ids)
        let session = try InferenceSession(model: model, slots: 3, capacity: 64)
        // Prompt of 20 through the BLAS path, then one token at a time through the decode path.
        let first = try session.prefill(slot: 1, tokens: Array(ids[0..<20]))
        var worst: Float = 0
        for v in 0..<V { worst = max(worst, abs(first[v] - full[19][v])) }
        for t in 20..<40 {
            let lg = try session.feed([(slot: 1, tokens: [ids[t]])])
            for v in 0..<V { worst = max(worst, abs(lg[v] - full[t][v])) }
        }
        #expect(worst < 1e-4, "max |cached - full| = \(worst)")
        #expect(session.lengths[1] == 40)
        // Several tokens of one slot in one step (forced text) see each other causally.
        session.truncate(slot: 1, to: 30)
        let multi = try session.feed([(slot: 1, tokens: Array(ids[30..<35]))])
        for v in 0..<V { #expect(abs(multi[v] - full[34][v]) < 1e-4) }
        // A copied prefix continues exactly like the original.
        session.copyPrefix(from: 1, to: 2, length: 20)
        let a = try session.feed([(slot: 2, tokens: [ids[20]])])
        for v in 0..<V { #expect(abs(a[v] - full[20][v]) < 1e-4) }
        let all = try session.prefill(slot: 0, tokens: ids, allLogits: true)
        for t in [0, 17, 39] { for v in 0..<V { #expect(abs(all[t * V + v] - full[t][v]) < 1e-4) } }
    }

    /// Several slots (GQA: 4 query heads over 2 key/value heads) prefilled to different lengths, one
    /// through OpenBLAS and two through the decode kernels, then decoded in the same steps: each slot's
    /// logits are the training forward pass's for its own sequence.
    @Test func slotsDecodedTogetherMatchTheTrainingForwardPass() throws {
        let model = try TinyGen.model()
        #expect(model.config.numKeyValueHeads < model.config.numAttentionHeads)
        let V = model.config.vocabSize
        var seqs: [[Int32]] = []
        for s in 0..<3 {
            let n = 30 + 4 * s, step = 31 + 2 * s
            seqs.append((0..<n).map { (i: Int) -> Int32 in Int32((i * step + 5 * s + 3) % 256) })
        }
        let full = try seqs.map { try fullLogits(model, $0) }
        let session = try InferenceSession(model: model, slots: 3, capacity: 64)
        let prompt = [20, 9, 12]
        var worst: Float = 0
        for s in 0..<3 {
            let lg = try session.prefill(slot: s, tokens: Array(seqs[s][0..<prompt[s]]))
            for v in 0..<V { worst = max(worst, abs(lg[v] - full[s][prompt[s] - 1][v])) }
        }
        for k in 0..<8 {
            var feeds: [(slot: Int, tokens: [Int32])] = []
            for s in 0..<3 { feeds.append((slot: s, tokens: [seqs[s][prompt[s] + k]])) }
            let lg = try session.feed(feeds)
            for s in 0..<3 { for v in 0..<V { worst = max(worst, abs(lg[s * V + v] - full[s][prompt[s] + k][v])) } }
        }
        #expect(worst < 1e-4, "max |decoded - training| = \(worst)")
    }

    @Test func rejectsBadFeeds() throws {
        let session = try InferenceSession(model: try TinyGen.model(), slots: 1, capacity: 4)
        #expect(throws: TrainerError.self) { try session.feed([(slot: 0, tokens: [1, 2, 3, 4, 5])]) }
        #expect(throws: TrainerError.self) { try session.feed([(slot: 0, tokens: [999])]) }
        #expect(throws: TrainerError.self) { try session.feed([(slot: 3, tokens: [1])]) }
    }
}

@Suite struct SamplingTests {
    func run(_ gen: LocalGenerator, _ reqs: [GenerationRequest]) throws -> [[String]] {
        try gen.generate(reqs).map { $0.map(\.text) }
    }

    @Test func seedsReproduceAndSamplesDoNotDependOnTheBatch() throws {
        let gen = try TinyGen.generator(options: LocalGenerationOptions(topK: 50, maxBatch: 8))
        let reqs = (0..<3).map { GenerationRequest(id: "p\($0)", prompt: "question \($0):", samples: 4, maxTokens: 12,
                                                   temperature: 1.0, topP: 0.9, seed: 42) }
        let a = try run(gen, reqs)
        #expect(try run(gen, reqs) == a)
        gen.options.maxBatch = 1
        #expect(try run(gen, reqs) == a)
        gen.options.maxBatch = 3
        #expect(try run(gen, reqs) == a)
        // Alone, with other prompts, or in another order: the same text.
        gen.options.maxBatch = 8
        #expect(try run(gen, [reqs[1]])[0] == a[1])
        #expect(try run(gen, [reqs[2], reqs[0]]) == [a[2], a[0]])
        // Samples differ from each other and with the seed.
        #expect(Set(a[0]).count > 1)
        var other = reqs[0]; other.seed = 43
        #expect(try run(gen, [other])[0] != a[0])
        for c in try gen.generate(reqs).joined() { #expect(c.tokens == 12 && c.finishReason == "length") }
    }

    @Test func greedyIsTheArgmaxAndStopsWork() throws {
        let gen = try TinyGen.generator()
        // Lower-case letters only, so the text is plain ASCII and stop strings can be picked from it.
        gen.decoder.logitsHook = { _, _, _, logits in
            for i in logits.indices where !(97...122).contains(i) { logits[i] = -1000 }
        }
        let r = GenerationRequest(id: "g", prompt: "abc", samples: 2, maxTokens: 20, temperature: 0)
        let out = try gen.generate([r])[0]
        #expect(out[0] == out[1])
        // Greedy equals the argmax of recomputed logits at each step.
        let model = gen.decoder.model, tok = gen.tokenizer
        var ids = tok.encode("abc")
        let session = try InferenceSession(model: model, slots: 1, capacity: 64)
        var lg = try session.prefill(slot: 0, tokens: ids)
        var produced: [Int32] = []
        for _ in 0..<20 {
            for i in lg.indices where !(97...122).contains(i) { lg[i] = -1000 }
            let best = Int32(lg.indices.max { lg[$0] < lg[$1] || (lg[$0] == lg[$1] && $0 > $1) } ?? 0)
            produced.append(best); ids.append(best)
            lg = try session.feed([(slot: 0, tokens: [best])])
        }
        #expect(out[0].tokens == produced.count)
        #expect(out[0].text == tok.decode(produced))
        // A stop string cuts the text before it.
        let text = out[0].text
        #expect(text.count == 20)
        do {
            let stop = String(text.dropFirst(5).prefix(2))
            var rs = r; rs.stop = [stop]
            let cut = try gen.generate([rs])[0][0]
            #expect(cut.finishReason == "stop")
            #expect(cut.text == String(text[..<text.range(of: stop)!.lowerBound]))
        }
    }

    @Test func topKOneIsGreedy() throws {
        let gen = try TinyGen.generator(options: LocalGenerationOptions(topK: 1))
        let sampled = try gen.generate([GenerationRequest(id: "x", prompt: "hello", samples: 3, maxTokens: 10, temperature: 1.5, seed: 9)])[0]
        let greedy = try gen.generate([GenerationRequest(id: "x", prompt: "hello", samples: 1, maxTokens: 10, temperature: 0)])[0][0]
        for s in sampled { #expect(s.text == greedy.text) }
    }
}

@Suite struct BudgetForcingTests {
    /// Forces the end delimiter's first token (`<|im_start|>`) every `every` thinking tokens.
    func decoder(every: Int) throws -> (TextDecoder, BPETokenizer) {
        let tok = try TinyGen.tokenizer()
        let d = try TextDecoder(model: TinyGen.model(), tokenizer: tok, maxBatch: 4)
        d.logitsHook = { _, _, generated, logits in
            // Count tokens since the last forced position (the thinking so far, roughly).
            let sinceAnswer = generated.lastIndex(of: TinyGen.imStart)
            if sinceAnswer == nil && generated.count > 0 && generated.count % every == 0 {
                for i in logits.indices { logits[i] = -1000 }
                logits[Int(TinyGen.imStart)] = 1000
            } else {
                logits[Int(TinyGen.imStart)] = -1000
                logits[Int(TinyGen.endOfText)] = -1000
            }
        }
        return (d, tok)
    }

    func job(_ tok: BPETokenizer, _ b: BudgetForcing, samples: Int = 3, maxNew: Int = 16) -> DecodeJob {
        DecodeJob(promptID: "q", promptTokens: tok.encode("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"),
                  samples: samples, maxNewTokens: maxNew, sampling: SamplingOptions(temperature: 1, seed: 1),
                  stopStrings: [], stopTokens: [TinyGen.endOfText, TinyGen.imEnd], budget: b)
    }

    @Test func waitStringsReplaceEarlyEndsUpToTheLimit() throws {
        let (d, tok) = try decoder(every: 5)
        var b = BudgetForcing.s1
        b.minThinking = 40; b.maxThinking = 200; b.maxWaits = 3; b.waitString = " Wait,"
        let out = try d.run([job(tok, b)])[0]
        for s in out {
            #expect(s.waits == 3)
            #expect(s.text.components(separatedBy: " Wait,").count - 1 == 3)
            // The fourth attempt is accepted: the delimiter is completed and the answer phase runs.
            #expect(s.text.components(separatedBy: "<|im_start|>answer").count - 1 == 1)
            let answer = try #require(s.text.components(separatedBy: "<|im_start|>answer").last)
            #expect(!answer.isEmpty)
            #expect(s.thinkingTokens < 40)
            #expect(s.finishReason == "length")
            #expect(s.tokens.count == s.thinkingTokens + tok.encode("<|im_start|>answer").count + 16)
        }
    }

    @Test func maximumIsNeverExceededAndTheAnswerAlwaysRuns() throws {
        let (d, tok) = try decoder(every: 1000)  // never tries to stop on its own
        for maxT in [1, 7, 25] {
            var b = BudgetForcing.s1
            b.maxThinking = maxT
            let out = try d.run([job(tok, b, maxNew: 5)])[0]
            for s in out {
                #expect(s.thinkingTokens == maxT)
                #expect(s.waits == 0)
                #expect(s.text.contains("<|im_start|>answer\nFinal Answer:"))
                let after = try #require(s.text.components(separatedBy: "Final Answer:").last)
                #expect(!after.isEmpty)
                #expect(s.tokens.count == maxT + tok.encode("<|im_start|>answer\nFinal Answer:").count + 5)
            }
        }
    }

    @Test func minimumWithMaximumNeverPassesTheMaximum() throws {
        let (d, tok) = try decoder(every: 3)
        var b = BudgetForcing(startDelimiter: "<think>", endDelimiter: "<|im_start|>answer", minThinking: 100, maxThinking: 20,
                              maxWaits: 50, waitString: "Wait")
        b.answerPrefix = "Final Answer:"
        let out = try d.run([job(tok, b, samples: 2, maxNew: 4)])[0]
        for s in out {
            #expect(s.thinkingTokens <= 20)
            #expect(s.waits >= 1)
            #expect(s.text.components(separatedBy: "Wait").count - 1 == s.waits)
            #expect(s.text.contains("<|im_start|>answer"))
        }
    }

    @Test func multiTokenEndDelimiterIsTakenBack() throws {
        // "</think>" is 8 byte tokens here: the model "writes" it by force, the decoder removes it and waits.
        let tok = try TinyGen.tokenizer()
        let d = try TextDecoder(model: TinyGen.model(), tokenizer: tok, maxBatch: 2)
        let end = tok.encode("</think>")
        let wait = tok.encode("Wait")
        func lastEnd(of needle: [Int32], in hay: [Int32]) -> Int? {
            guard hay.count >= needle.count else { return nil }
            for i in stride(from: hay.count - needle.count, through: 0, by: -1) where Array(hay[i..<(i + needle.count)]) == needle {
                return i + needle.count
            }
            return nil
        }
        d.logitsHook = { _, _, generated, logits in
            // Thinking: after 3 free tokens, spell out the end delimiter one token at a time.
            var force: Int32?
            if lastEnd(of: end, in: generated) == nil {
                var p = end.count - 1
                while p > 0 && Array(generated.suffix(p)) != Array(end.prefix(p)) { p -= 1 }
                if p > 0 { force = end[p] } else if generated.count - (lastEnd(of: wait, in: generated) ?? 0) >= 3 { force = end[0] }
            }
            if let f = force {
                for i in logits.indices { logits[i] = -1000 }
                logits[Int(f)] = 1000
            } else {
                logits[Int(end[0])] = -1000
                logits[Int(TinyGen.endOfText)] = -1000
                logits[Int(TinyGen.imEnd)] = -1000
            }
        }
        var b = BudgetForcing.thinkTags
        b.minThinking = 30; b.maxThinking = 100; b.maxWaits = 2; b.waitString = "Wait"
        let out = try d.run([job(tok, b, samples: 2, maxNew: 3)])[0]
        for s in out {
            #expect(s.waits == 2)
            #expect(s.text.components(separatedBy: "</think>").count - 1 == 1)
            #expect(s.text.components(separatedBy: "Wait").count - 1 == 2)
            // 3 free tokens + 4 of "Wait" twice, then 3 more before the accepted delimiter.
            #expect(s.thinkingTokens == 3 + 4 + 3 + 4 + 3)
        }
    }
}
