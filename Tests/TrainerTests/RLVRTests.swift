import Curation
import Foundation
import Testing
import Trainer

/// Issue 18: the GRPO objective by hand, the trainer's invariants (zero gradient from a uniform group,
/// zero KL at step 0, bit-exact resume), rewards equal to `verify`'s, and the mechanism: RLVR from a
/// small SFT model on single-digit sums raises the mean reward.
@Suite struct GRPOObjectiveTests {
    @Test func groupAdvantagesAreStandardisedWithTheUnbiasedStd() {
        let (a, std) = GRPOObjective.advantages([1, 0, 0, 1], scaling: .group)
        let s = (1.0 / 3).squareRoot()  // unbiased std of {1, 0, 0, 1}
        #expect(abs(std - s) < 1e-15)
        let expected = 0.5 / (s + 1e-4)
        #expect(a.count == 4)
        #expect(abs(a[0] - expected) < 1e-12 && abs(a[1] + expected) < 1e-12)
        let (raw, _) = GRPOObjective.advantages([1, 0, 0, 1], scaling: .none)
        #expect(raw == [0.5, -0.5, -0.5, 0.5])
        let (flat, flatStd) = GRPOObjective.advantages([0.3, 0.3, 0.3], scaling: .group)
        #expect(flat == [0, 0, 0] && flatStd == 0)
    }

    @Test func clippedSurrogateAndItsDerivative() {
        let o = GRPOObjective(epsilon: 0.2)
        // ratio e^0.5 = 1.6487 > 1.2: with A > 0 the clipped term is the minimum, so no gradient.
        let up = o.token(logProb: -1, oldLogProb: -1.5, referenceLogProb: nil, advantage: 1)
        #expect(abs(up.loss + 1.2) < 1e-12 && up.dLogProb == 0 && up.clipped)
        // With A < 0 the unclipped term is the minimum: loss -(r A) = r, d = -A r = r.
        let r = exp(0.5)
        let down = o.token(logProb: -1, oldLogProb: -1.5, referenceLogProb: nil, advantage: -1)
        #expect(abs(down.loss - r) < 1e-12 && abs(down.dLogProb - r) < 1e-12 && !down.clipped)
        // At ratio 1 (the first pass): loss -A, d = -A.
        let one = o.token(logProb: -2, oldLogProb: -2, referenceLogProb: nil, advantage: 0.7)
        #expect(abs(one.loss + 0.7) < 1e-12 && abs(one.dLogProb + 0.7) < 1e-12)
        // DAPO's clip-higher: the upper bound 1.28 keeps the gradient of a ratio of 1.25 with A > 0.
        let dapo = GRPOObjective(lossType: .dapo, epsilon: 0.2, epsilonHigh: 0.28)
        let t = dapo.token(logProb: log(1.25), oldLogProb: 0, referenceLogProb: nil, advantage: 2)
        #expect(abs(t.loss + 2.5) < 1e-12 && abs(t.dLogProb + 2.5) < 1e-12 && !t.clipped)
    }

    @Test func klPenaltyIsTheK3Estimator() {
        let o = GRPOObjective(beta: 0.1)
        let t = o.token(logProb: -1, oldLogProb: -1, referenceLogProb: -2, advantage: 0)
        let kl = exp(-1.0) + 1 - 1  // x = ref - logp = -1: e^x - x - 1
        #expect(abs(t.kl - kl) < 1e-12)
        #expect(abs(t.loss - 0.1 * kl) < 1e-12)
        #expect(abs(t.dLogProb - 0.1 * (1 - exp(-1.0))) < 1e-12)
        let same = o.token(logProb: -3, oldLogProb: -3, referenceLogProb: -3, advantage: 0)
        #expect(same.kl == 0 && same.loss == 0 && same.dLogProb == 0)
    }

    @Test func lossTypesWeighTokensAsTheirPapers() {
        // Two completions of 4 and 3 counted tokens, max completion length 10.
        let grpo = GRPOObjective(lossType: .grpo, maxCompletionLength: 10)
        #expect(grpo.tokenWeight(counted: 4, completions: 2, totalCounted: 7) == 1.0 / 8)
        #expect(grpo.tokenWeight(counted: 3, completions: 2, totalCounted: 7) == 1.0 / 6)
        let dr = GRPOObjective(lossType: .drGRPO, maxCompletionLength: 10)
        #expect(dr.tokenWeight(counted: 4, completions: 2, totalCounted: 7) == 1.0 / 20)
        #expect(dr.tokenWeight(counted: 3, completions: 2, totalCounted: 7) == 1.0 / 20)
        let dapo = GRPOObjective(lossType: .dapo, maxCompletionLength: 10)
        #expect(dapo.tokenWeight(counted: 4, completions: 2, totalCounted: 7) == 1.0 / 7)
        #expect(grpo.tokenWeight(counted: 0, completions: 2, totalCounted: 7) == 0)
        var s = RLVRSettings()
        s.objective.lossType = .drGRPO
        #expect(s.rewardScaling == RewardScaling.none)
        s.objective.lossType = .dapo
        #expect(s.rewardScaling == .group)
    }
}

/// A tokenizer and model small enough to train in seconds on single-digit sums.
enum Sums {
    static let special = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>"]
    static func question(_ a: Int, _ b: Int) -> String { "\(a) + \(b) =" }

    /// A demonstration that declines to answer; the verifier gives it no reward.
    static let hedge = "I am not sure."

    static func record(_ a: Int, _ b: Int, withAnswer: Bool, hedging: Bool = false) -> RawRecord {
        var o = JSONObject()
        o["id"] = .string("s\(a)-\(b)")
        var msgs: [JSONValue] = [Message(role: "user", content: question(a, b)).json]
        if withAnswer { msgs.append(Message(role: "assistant", content: hedging ? hedge : "#### \(a + b)").json) }
        o["messages"] = .array(msgs)
        o["ground_truth"] = .string(String(a + b))
        o["dataset"] = .string("gsm8k")
        return RawRecord(object: o, location: SourceLocation(file: "sums", line: a * 10 + b + 1, offset: 0))
    }

    static let tokenizer: BPETokenizer = {
        var texts: [String] = []
        for a in 0...9 { for b in 0...9 { texts.append("<|user|>\n\(question(a, b))\n<|assistant|>\n#### \(a + b)<|endoftext|>") } }
        texts += Array(repeating: hedge, count: 10)
        // swiftlint:disable:next force_try
        return try! BPETrainer(vocabSize: 280, specialTokens: special, preTokenizer: .smollm, threads: 1).train(texts)
    }()
    static var template: ChatTemplate { ChatTemplate(kind: .tulu, eosToken: "<|endoftext|>") }

    static func model(seed: UInt64 = 3) throws -> LlamaModel {
        let m = try LlamaModel(config: LlamaConfig(hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4,
                                                   numKeyValueHeads: 2, vocabSize: tokenizer.vocabSize, maxPositionEmbeddings: 64,
                                                   eosTokenId: Int(tokenizer.id(of: "<|endoftext|>") ?? 0)), seed: seed)
        m.threads = ComputeThreads(1)
        return m
    }

    /// Prompts and judges for the sums a + b with (a, b) in `pairs`.
    static func task(_ pairs: [(Int, Int)]) throws -> (prompts: [RLVRPrompt], judges: [CompletionJudge]) {
        var prompts: [RLVRPrompt] = [], judges: [CompletionJudge] = []
        for (a, b) in pairs {
            let r = record(a, b, withAnswer: false)
            let item = try EvalItem.from(r, id: "s\(a)-\(b)", task: nil)
            prompts.append(RLVRPrompt(id: item.id, tokens: template.render(item.messages, tokenizer: tokenizer, addGenerationPrompt: true).ids))
            judges.append(try CompletionJudge(record: r, item: item))
        }
        return (prompts, judges)
    }

    static func trainer(_ model: LlamaModel, pairs: [(Int, Int)], settings: RLVRSettings,
                        reward: ((Int, String) throws -> RLVRReward)? = nil) throws -> RLVRTrainer {
        let (prompts, judges) = try task(pairs)
        let stops = LocalGenerator.stopTokens(tokenizer: tokenizer, template: template)
        return try RLVRTrainer(model: model, tokenizer: tokenizer, prompts: prompts, stopTokens: stops, settings: settings, reward: reward ?? { i, text in
            let v = try judges[i].judge(text)
            return RLVRReward(reward: v.reward, correct: v.correct)
        })
    }

    /// Mean reward of `samples` completions (temperature 1, a fixed seed) of every sum: the reward RLVR
    /// maximises, measured on all prompts at once rather than on one step's batch.
    static func meanReward(_ model: LlamaModel, pairs: [(Int, Int)] = allPairs, samples: Int = 8, temperature: Double = 1) throws -> Double {
        let (prompts, judges) = try task(pairs)
        let decoder = try TextDecoder(model: model, tokenizer: tokenizer, maxBatch: 32)
        let stops = LocalGenerator.stopTokens(tokenizer: tokenizer, template: template)
        let jobs = prompts.map { DecodeJob(promptID: $0.id, promptTokens: $0.tokens, samples: samples, maxNewTokens: 6,
                                           sampling: SamplingOptions(temperature: temperature, seed: 99), stopTokens: stops) }
        var total = 0.0, n = 0
        for (i, row) in try decoder.run(jobs).enumerated() {
            for s in row { total += try judges[i].judge(s.text).reward; n += 1 }
        }
        return total / Double(max(1, n))
    }

    static var allPairs: [(Int, Int)] { (0...9).flatMap { a in (0...9).map { (a, $0) } } }

    static func settings(steps: Int, lr: Double = 2e-3) -> RLVRSettings {
        var s = RLVRSettings()
        s.numGenerations = 8
        s.objective.maxCompletionLength = 6
        s.loop.batchSize = 8
        s.loop.learningRate = lr
        s.loop.epochs = 100
        s.loop.maxSteps = steps
        s.loop.schedule = .constant
        s.loop.seed = 11
        return s
    }
}

@Suite struct RLVRTrainerTests {
    @Test func uniformRewardsGiveZeroGradient() throws {
        let m = try Sums.model()
        let before = m.parameters.array
        let t = try Sums.trainer(m, pairs: Array(Sums.allPairs.prefix(8)), settings: Sums.settings(steps: 1)) { _, _ in
            RLVRReward(reward: 1, correct: true)
        }
        let x = try t.trainStep()
        #expect(x.fracRewardZeroStd == 1)
        #expect(x.gradNorm == 0)
        #expect(m.parameters.array == before, "a step with no signal must not move the weights")
    }

    /// `--min-completion-length` (the benchmark's fixed workload): stop tokens are masked until a
    /// completion has that many tokens, so with min = max every completion has exactly max tokens and
    /// is truncated; with the stop token forced (logits hook), the decoder stops right after min tokens.
    @Test func minCompletionLengthFixesTheLength() throws {
        var s = Sums.settings(steps: 1)
        s.minCompletionLength = s.objective.maxCompletionLength
        let t = try Sums.trainer(try Sums.model(), pairs: Array(Sums.allPairs.prefix(4)), settings: s) { i, text in
            RLVRReward(reward: Double((text.count + i) % 3), correct: false)
        }
        let x = try t.trainStep()
        #expect(x.completionLength == Double(s.objective.maxCompletionLength))
        #expect(x.truncatedFraction == 1)
        #expect(x.rolloutTokens == 4 * s.numGenerations * s.objective.maxCompletionLength)

        let stops = LocalGenerator.stopTokens(tokenizer: Sums.tokenizer, template: Sums.template)
        #expect(!stops.isEmpty)
        let decoder = try TextDecoder(model: try Sums.model(), tokenizer: Sums.tokenizer, maxBatch: 4)
        decoder.logitsHook = { _, _, _, lg in
            for st in stops { lg[Int(st)] = 100 }  // every stop token far ahead of the rest
        }
        let prompt = try Sums.task([(1, 2)]).prompts[0].tokens
        for minNew in [0, 3] {
            var job = DecodeJob(promptID: "p", promptTokens: prompt, samples: 3, maxNewTokens: 6,
                                sampling: SamplingOptions(temperature: 1, seed: 5), stopTokens: stops)
            job.minNewTokens = minNew
            for sample in try decoder.run([job])[0] {
                #expect(sample.tokens.count == minNew)
                #expect(sample.finishReason == "stop" && sample.stopToken != nil)
                #expect(sample.tokens.allSatisfy { !stops.contains($0) })
            }
        }
        s.minCompletionLength = s.objective.maxCompletionLength + 1
        #expect(throws: TrainerError.self) { try s.validate() }
    }

    /// RLVR's scoring computes logits only for the completion tokens (`logitsForWeightedTokensOnly`):
    /// the same log-probs there, 0 elsewhere, and the same gradient as the full pass.
    @Test func weightedTokensOnlyLogitsMatchTheFullPass() throws {
        let m = try Sums.model()
        let prompts = try Sums.task([(1, 2), (3, 4), (9, 9)]).prompts
        let ex = prompts.enumerated().map { k, p in
            TokenBatch.Example(tokens: p.tokens + [Int32(5 + k), 7, 9],
                               lossMask: Array(repeating: false, count: p.tokens.count) + [true, true, true])
        }
        let packed = try SequenceScorer.pack(ex, length: 8, padToken: 0)
        func pass(_ headOnly: Bool) throws -> (lp: [Float], grad: [Float]) {
            m.logitsForWeightedTokensOnly = headOnly
            m.zeroGradients()
            _ = try m.forward(packed.batch)
            let lp = m.tokenLogProbs
            let g = packed.batch.weights.enumerated().map { i, w in w > 0 ? Float(i % 5) * 0.1 - 0.2 : 0 }
            try m.backward(logProbGradients: g)
            return (lp, try #require(m.gradients).array)
        }
        let full = try pass(false), head = try pass(true)
        m.logitsForWeightedTokensOnly = false
        for i in packed.batch.weights.indices {
            if packed.batch.weights[i] > 0 {
                #expect(abs(full.lp[i] - head.lp[i]) <= 1e-5 * max(1, abs(full.lp[i])))
            } else {
                #expect(head.lp[i] == 0)
            }
        }
        var maxDiff: Float = 0, maxAbs: Float = 0
        for i in full.grad.indices { maxDiff = max(maxDiff, abs(full.grad[i] - head.grad[i])); maxAbs = max(maxAbs, abs(full.grad[i])) }
        #expect(maxAbs > 0 && maxDiff <= 1e-5 * maxAbs, "max gradient difference \(maxDiff) of \(maxAbs)")
        // A gradient on a token without logits is refused.
        m.logitsForWeightedTokensOnly = true
        _ = try m.forward(packed.batch)
        var bad = [Float](repeating: 0, count: packed.batch.weights.count)
        bad[try #require(packed.batch.weights.firstIndex(of: 0))] = 1
        #expect(throws: TrainerError.self) { try m.backward(logProbGradients: bad) }
        m.logitsForWeightedTokensOnly = false
    }

    @Test func klIsZeroAtTheFirstStep() throws {
        let m = try Sums.model()
        var s = Sums.settings(steps: 2)
        s.objective.beta = 0.05
        let t = try Sums.trainer(m, pairs: Array(Sums.allPairs.prefix(8)), settings: s) { i, text in
            RLVRReward(reward: Double((text.count + i) % 3), correct: false)
        }
        let first = try t.trainStep()
        #expect(first.kl == 0)
        #expect(first.gradNorm > 0)
        let second = try t.trainStep()
        #expect(second.kl > 0, "after an update the policy differs from the reference")
    }

    @Test func resumeIsBitExact() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = Sums.settings(steps: 4)
        s.numIterations = 2
        s.objective.beta = 0.02
        let pairs = Array(Sums.allPairs.prefix(12))
        let reward: (Int, String) throws -> RLVRReward = { i, text in RLVRReward(reward: Double((text.utf8.count * 7 + i) % 4) / 3, correct: false) }
        let straight = try Sums.trainer(try Sums.model(), pairs: pairs, settings: s, reward: reward)
        var straightMetrics: [RLVRStepMetrics] = []
        while !straight.isFinished { straightMetrics.append(try straight.trainStep()) }

        let first = try Sums.trainer(try Sums.model(), pairs: pairs, settings: s, reward: reward)
        _ = try first.trainStep(); _ = try first.trainStep()
        try first.saveCheckpoint(to: dir.path)
        let resumed = try Sums.trainer(try Sums.model(), pairs: pairs, settings: s, reward: reward)
        try resumed.resume(from: dir.path)
        #expect(resumed.step == 2)
        var tail: [RLVRStepMetrics] = []
        while !resumed.isFinished { tail.append(try resumed.trainStep()) }
        #expect(resumed.model.parameters.array == straight.model.parameters.array)
        #expect(tail.map(\.reward) == straightMetrics.suffix(2).map(\.reward))
        #expect(tail.map(\.kl) == straightMetrics.suffix(2).map(\.kl))
    }

    @Test func ifevalRewardsEqualVerifys() throws {
        let truth = #"{"instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words", "change_case:english_lowercase"], "kwargs": [{}, {"num_words": 5, "relation": "at least"}, {}]}"#
        var o = JSONObject()
        o["id"] = .string("if1")
        o["messages"] = .array([Message(role: "user", content: "Write about rivers.").json])
        o["ground_truth"] = .string(truth)
        o["dataset"] = .string("ifeval")
        let rec = RawRecord(object: o, location: SourceLocation(file: "t", line: 1, offset: 0))
        let item = try EvalItem.from(rec, id: "if1", task: nil)
        #expect(item.task == .ifeval)
        let judge = try CompletionJudge(record: rec, item: item)
        var seen = Set<Double>()
        for response in ["rivers run to the sea and never stop", "Rivers, run.", "short one", "A River Runs Through The Valley Floor"] {
            let verified = try Verifier.score(rec.setting("response", to: .string(response)), defaultDataset: "gsm8k").reward
            let v = try judge.judge(response)
            #expect(v.reward == verified, "\(response)")
            #expect(v.correct == (verified == 1))
            seen.insert(v.reward)
        }
        #expect(seen.count >= 3, "the responses satisfy different fractions of the constraints: \(seen)")
    }

    /// The issue's hard target, at a tiny size: 40 RLVR steps from a small SFT model on single-step
    /// sums raise the mean reward. The SFT demonstrations answer every sum once and decline once ("I am
    /// not sure."), as mixed-quality demonstrations do, so the SFT model answers about half the time;
    /// the verifier rewards only correct answers, and RLVR learns to answer. (Measured while writing
    /// the test: mean reward 0.27 -> 0.45 over all 100 sums, 8 samples each; sharpening the
    /// arithmetic alone moves this 0.5M-parameter model too slowly to show in 40 steps, as 40 further
    /// SFT steps do: 0.42 -> 0.47.)
    @Test func rlvrRaisesTheRewardOfAnSFTModelOnSums() throws {
        let m = try Sums.model()
        let builder = SFTExampleBuilder(tokenizer: Sums.tokenizer, template: Sums.template, maxLength: 32)
        var examples = try Sums.allPairs.compactMap { try builder.example(Sums.record($0.0, $0.1, withAnswer: true))?.example }
        examples += try Sums.allPairs.compactMap { try builder.example(Sums.record($0.0, $0.1, withAnswer: true, hedging: true))?.example }
        var sft = SFTSettings()
        sft.loop.learningRate = 3e-3
        sft.loop.maxLength = 32
        sft.loop.batchSize = 8
        sft.loop.epochs = 100
        sft.loop.maxSteps = 400
        sft.loop.seed = 5
        let sftTrainer = try SFTTrainer(model: m, train: examples, settings: sft)
        while !sftTrainer.isFinished { _ = try sftTrainer.trainStep() }

        let before = try Sums.meanReward(m)
        let t = try Sums.trainer(m, pairs: Sums.allPairs, settings: Sums.settings(steps: 40, lr: 1e-3))
        var rewards: [Double] = []
        while !t.isFinished { rewards.append(try t.trainStep().reward) }
        let after = try Sums.meanReward(m)
        #expect(after > before + 0.08, "mean reward over every sum before RLVR \(before), after 40 steps \(after)")
        let early = rewards.prefix(10).reduce(0, +) / 10, late = rewards.suffix(10).reduce(0, +) / 10
        #expect(late > early, "training reward of steps 1-10 \(early), of steps 31-40 \(late)")
    }
}
