import Curation
import Foundation
import TestDependencies
import Testing
import Trainer

/// Shared tiny pieces: a tokenizer trained on the chat fixture and a 2-layer model of hidden 32.
enum Tiny {
    static let tokenizer: BPETokenizer = {
        let url = packageRoot.appendingPathComponent("Fixtures/train/chat.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        // swiftlint:disable:next force_try
        return try! BPETrainer(vocabSize: 340, specialTokens: ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>"],
                               threads: 1).train(text.split(separator: "\n").map(String.init))
    }()
    static var template: ChatTemplate { ChatTemplate(kind: .tulu, eosToken: "<|endoftext|>") }

    static func model(seed: UInt64 = 1) throws -> LlamaModel {
        try LlamaModel(config: LlamaConfig(hiddenSize: 32, intermediateSize: 48, numHiddenLayers: 2, numAttentionHeads: 4,
                                           numKeyValueHeads: 2, vocabSize: tokenizer.vocabSize, maxPositionEmbeddings: 512,
                                           eosTokenId: Int(tokenizer.id(of: "<|endoftext|>") ?? 0)), seed: seed)
    }

    static func records(_ file: String) throws -> [RawRecord] {
        var out: [RawRecord] = []
        try RecordReader(files: [packageRoot.appendingPathComponent("Fixtures/train/\(file)").path]).forEach { out.append($0) }
        return out
    }

    static func sftExamples(_ n: Int, maxLength: Int = 48) throws -> [TokenBatch.Example] {
        let b = SFTExampleBuilder(tokenizer: tokenizer, template: template, maxLength: maxLength)
        return try records("chat.jsonl").prefix(n).compactMap { try b.example($0)?.example }
    }

    static func pairs(_ n: Int) throws -> [PreferenceExample] {
        let b = PreferenceExampleBuilder(tokenizer: tokenizer, template: template, maxLength: 128)
        return try records("preference.jsonl").prefix(n).compactMap { try b.example($0) }
    }
}

@Suite struct SFTDataTests {
    @Test func assistantOnlyMaskCoversEveryAssistantTurn() throws {
        let msgs = [Message(role: "system", content: "Be brief."), Message(role: "user", content: "Garden puzzle?"),
                    Message(role: "assistant", content: "Orbit code."), Message(role: "user", content: "Kitchen river?"),
                    Message(role: "assistant", content: "Proof meadow.")]
        let obj = JSONObject([.init(key: "id", value: .string("x")), .init(key: "messages", value: Message.encodeList(msgs))])
        let rec = RawRecord(object: obj, location: SourceLocation(file: "t", line: 1, offset: 0))
        let ex = try #require(try SFTExampleBuilder(tokenizer: Tiny.tokenizer, template: Tiny.template, maxLength: 512).example(rec))
        let tok = Tiny.tokenizer
        let masked = zip(ex.example.tokens, ex.example.lossMask).filter(\.1).map(\.0)
        #expect(tok.decode(masked) == "Orbit code.<|endoftext|>Proof meadow.<|endoftext|>")
        let unmasked = tok.decode(zip(ex.example.tokens, ex.example.lossMask).filter { !$0.1 }.map(\.0))
        #expect(unmasked.contains("<|user|>\nGarden puzzle?") && unmasked.contains("<|assistant|>\n") && !unmasked.contains("Orbit"))
    }

    @Test func promptCompletionAndDocumentRecords() throws {
        let b = SFTExampleBuilder(tokenizer: Tiny.tokenizer, template: Tiny.template, maxLength: 512)
        let pc = try RawRecord(bytes: Array(#"{"id":"p","prompt":"Garden?","completion":"Orbit."}"#.utf8), location: SourceLocation(file: "t", line: 1, offset: 0))
        let e = try #require(try b.example(pc))
        #expect(Tiny.tokenizer.decode(zip(e.example.tokens, e.example.lossMask).filter(\.1).map(\.0)) == "Orbit.<|endoftext|>")
        let none = try RawRecord(bytes: Array(#"{"id":"n","messages":[{"role":"user","content":"hi"}]}"#.utf8), location: SourceLocation(file: "t", line: 2, offset: 0))
        #expect(try b.example(none) == nil)
    }

    @Test func bestFitDecreasingFillsRowsTightly() {
        let lengths = [7, 3, 5, 2, 8, 1, 4]
        let rows = SequencePacker.bestFitDecreasing(lengths: lengths, capacity: 10)
        #expect(rows.flatMap { $0 }.sorted() == Array(0..<7))
        for r in rows { #expect(r.reduce(0) { $0 + lengths[$1] } <= 10) }
        #expect(rows.count == 3)  // 30 tokens in rows of 10
        #expect(rows[0] == [4, 3])  // 8 first, then the best fit for its 2 free slots
    }

    @Test func packedLossEqualsExamplesOneByOne() throws {
        let model = try Tiny.model()
        let ex = try Tiny.sftExamples(6)
        let rows = SequencePacker.bestFitDecreasing(lengths: ex.map(\.tokens.count), capacity: 400)
        #expect(rows.count < ex.count)
        let packed = try model.forward(TokenBatch.packed(rows: rows.map { $0.map { ex[$0] } }, length: 400))
        var lossSum = 0.0, w = 0.0
        for e in ex {
            let r = try model.forward(TokenBatch.packed(rows: [[e]], length: e.tokens.count))
            lossSum += r.lossSum; w += r.weightSum
        }
        #expect(packed.weightSum == w)
        #expect(abs(packed.lossSum - lossSum) < 1e-3 * abs(lossSum))
    }

    @Test func heldOutSplitIsStableAndRoughlyTheFraction() {
        let ids = (0..<2000).map { "rec-\($0)" }
        let held = ids.filter { HeldOutSplit.isHeldOut(id: $0, fraction: 0.1) }
        #expect((150...250).contains(held.count))
        #expect(held == ids.filter { HeldOutSplit.isHeldOut(id: $0, fraction: 0.1) })
        #expect(!ids.contains { HeldOutSplit.isHeldOut(id: $0, fraction: 0) })
    }
}

@Suite struct SFTTrainerTests {
    func settings(steps: Int? = nil) -> SFTSettings {
        var s = SFTSettings()
        s.learningRate = 2e-2; s.maxLength = 96; s.batchSize = 2; s.epochs = 30; s.warmupRatio = 0; s.seed = 5
        s.schedule = .constant; s.maxSteps = steps
        return s
    }

    @Test func lossGoesDownOnAFewExamples() throws {
        let t = try SFTTrainer(model: try Tiny.model(), train: try Tiny.sftExamples(2), settings: settings(steps: 15))
        let first = try t.trainStep().loss
        var last = first
        while !t.isFinished { last = try t.trainStep().loss }
        #expect(last < first * 0.5, "loss \(first) -> \(last)")
    }

    @Test func resumeContinuesBitExactly() throws {
        let ex = try Tiny.sftExamples(8)
        var s = settings(steps: 8)
        s.schedule = .linear; s.warmupRatio = 0.2; s.batchSize = 1; s.gradientAccumulation = 2; s.epochs = 3; s.weightDecay = 0.1
        let full = try SFTTrainer(model: try Tiny.model(), train: ex, settings: s)
        while !full.isFinished { try full.trainStep() }

        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let first = try SFTTrainer(model: try Tiny.model(), train: ex, settings: s)
        for _ in 0..<3 { try first.trainStep() }
        try first.saveCheckpoint(to: dir.path)
        let second = try SFTTrainer(model: try Tiny.model(seed: 99), train: ex, settings: s)
        try second.resume(from: dir.path)
        #expect(second.step == 3)
        while !second.isFinished { try second.trainStep() }
        #expect(second.model.parameters.array == full.model.parameters.array)
        #expect(second.optimizer.m.array == full.optimizer.m.array && second.optimizer.step == full.optimizer.step)
    }

    @Test func resumeOnOtherDataIsRefused() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let a = try SFTTrainer(model: try Tiny.model(), train: try Tiny.sftExamples(4), settings: settings(steps: 2))
        try a.trainStep()
        try a.saveCheckpoint(to: dir.path)
        let b = try SFTTrainer(model: try Tiny.model(), train: try Tiny.sftExamples(5), settings: settings(steps: 2))
        #expect(throws: TrainerError.self) { try b.resume(from: dir.path) }
    }

    @Test func dataOrderVisitsEveryItemOncePerEpoch() {
        let o = DataOrder(count: 10, perStep: 3, epochs: 2, seed: 1)
        #expect(o.totalSteps == 8)
        var cache: (epoch: Int, order: [Int])?
        let epoch0 = (0..<4).flatMap { o.items(step: $0, cachedOrder: &cache) }
        let epoch1 = (4..<8).flatMap { o.items(step: $0, cachedOrder: &cache) }
        #expect(epoch0.sorted() == Array(0..<10) && epoch1.sorted() == Array(0..<10) && epoch0 != epoch1)
    }
}

@Suite struct DPOTests {
    let p = PairLogProbs(policyChosen: -10, policyRejected: -14, referenceChosen: -11, referenceRejected: -12,
                         chosenTokens: 4, rejectedTokens: 8)
    static func ls(_ x: Double) -> Double { -log(1 + exp(-x)) }

    @Test func lossesMatchHandComputedValues() {
        // r_w = 1, r_l = -2, delta = 3; means: 0.25 and -0.25; policy means -2.5 and -1.75.
        let b = 0.1
        let cases: [(DPOLoss, Double)] = [
            (DPOLoss(type: .sigmoid, beta: b), -Self.ls(0.3)),
            (DPOLoss(type: .sigmoid, beta: b, labelSmoothing: 0.1), -0.9 * Self.ls(0.3) - 0.1 * Self.ls(-0.3)),
            (DPOLoss(type: .dpoNorm, beta: 5), -Self.ls(5 * 0.5)),
            (DPOLoss(type: .ipo, beta: b), pow(0.5 - 1 / (2 * b), 2)),
            (DPOLoss(type: .hinge, beta: b), 1 - 0.3),
            (DPOLoss(type: .hinge, beta: 1), 0),
            (DPOLoss(type: .simpo, beta: 2, gamma: 0.5), -Self.ls(2 * (-2.5 + 1.75) - 0.5)),
        ]
        for (loss, expected) in cases {
            #expect(abs(loss.compute(p).loss - expected) < 1e-12, "\(loss.type) \(loss.compute(p).loss) vs \(expected)")
        }
        let r = DPOLoss(type: .sigmoid, beta: b).compute(p)
        #expect(abs(r.chosenReward - 0.1) < 1e-12 && abs(r.rejectedReward + 0.2) < 1e-12 && abs(r.margin - 0.3) < 1e-12)
        let n = DPOLoss(type: .dpoNorm, beta: 5).compute(p)
        #expect(abs(n.chosenReward - 1.25) < 1e-12 && abs(n.rejectedReward + 1.25) < 1e-12)
    }

    @Test(arguments: DPOLossType.allCases)
    func gradientsMatchFiniteDifferences(type: DPOLossType) {
        let loss = DPOLoss(type: type, beta: type == .dpoNorm ? 5 : 0.1, labelSmoothing: type == .sigmoid ? 0.1 : 0, gamma: 0.3)
        let r = loss.compute(p)
        let h = 1e-5
        var a = p; a.policyChosen += h
        var c = p; c.policyChosen -= h
        #expect(abs((loss.compute(a).loss - loss.compute(c).loss) / (2 * h) - r.dChosen) < 1e-6)
        a = p; a.policyRejected += h
        c = p; c.policyRejected -= h
        #expect(abs((loss.compute(a).loss - loss.compute(c).loss) / (2 * h) - r.dRejected) < 1e-6)
    }

    @Test func completionMaskSkipsThePrompt() throws {
        let e = try #require(try Tiny.pairs(1).first)
        let tok = Tiny.tokenizer
        let chosen = tok.decode(zip(e.chosen.tokens, e.chosen.lossMask).filter(\.1).map(\.0))
        #expect(chosen.hasPrefix("Music proof garden") && chosen.hasSuffix("<|endoftext|>") && !chosen.contains("Garden bicycle"))
    }

    @Test func referenceCacheIsReusedAndTrainingRaisesAccuracy() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Tiny.pairs(3)
        var s = DPOSettings()
        s.loss = DPOLoss(type: .sigmoid, beta: 0.5); s.learningRate = 2e-2; s.epochs = 6; s.batchSize = 3; s.maxLength = 256
        s.warmupRatio = 0; s.schedule = .constant
        var cache = try ReferenceCache(path: dir.appendingPathComponent("ref.jsonl").path)
        let t = try DPOTrainer(model: try Tiny.model(), pairs: pairs, cache: &cache, settings: s)
        #expect(t.referencesComputed == pairs.count)
        let first = try t.trainStep()
        #expect(abs(first.loss - log(2)) < 1e-4)  // policy == reference at the start
        var last = first
        while !t.isFinished { last = try t.trainStep() }
        #expect(last.loss < first.loss * 0.7 && last.accuracy >= 0.8 && last.margin > 0, "\(first) -> \(last)")

        var again = try ReferenceCache(path: dir.appendingPathComponent("ref.jsonl").path)
        #expect(again.entries.count == pairs.count)
        let t2 = try DPOTrainer(model: try Tiny.model(), pairs: pairs, cache: &again, settings: s)
        #expect(t2.referencesComputed == 0)
    }

    @Test func cachedReferenceEqualsScoredLogProbs() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Tiny.model()
        let pairs = try Tiny.pairs(3)
        var cache = try ReferenceCache(path: dir.appendingPathComponent("ref.jsonl").path)
        try cache.fill(pairs, model: model, rowLength: 512)
        for e in pairs {
            _ = try model.forward(TokenBatch.packed(rows: [[e.chosen]], length: e.chosen.tokens.count))
            let lp = model.tokenLogProbs
            let direct = (1..<e.chosen.tokens.count).filter { e.chosen.lossMask[$0] }.reduce(0.0) { $0 + Double(lp[$1 - 1]) }
            let cached = try #require(cache.lookup(e)).chosen
            #expect(abs(direct - cached) < 1e-3)
        }
    }
}

@Suite struct ScorerAndLoaderTests {
    @Test func packedScoresMatchOneByOneForward() throws {
        let model = try Tiny.model()
        let ex = try Tiny.sftExamples(5)
        let packed = try SequenceScorer.tokenLogProbs(model: model, examples: ex, rowLength: 512, perBatch: 5)
        for (k, e) in ex.enumerated() {
            _ = try model.forward(TokenBatch.packed(rows: [[e]], length: e.tokens.count))
            let lp = model.tokenLogProbs
            let direct = (1..<e.tokens.count).filter { e.lossMask[$0] }.map { lp[$0 - 1] }
            #expect(direct.count == packed[k].count)
            #expect(zip(direct, packed[k]).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }

    @Test func modelFolderRoundTripsWithTokenizerAndTemplate() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Tiny.model()
        try ModelFolder.save(model, tokenizer: Tiny.tokenizer, template: Tiny.template, to: dir.path)
        let back = try ModelLoader.load(path: dir.path)
        #expect(back.model.parameters.array == model.parameters.array)
        #expect(back.tokenizer.encode("Garden <|user|> 12") == Tiny.tokenizer.encode("Garden <|user|> 12"))
        #expect(back.chatTemplate?.kind == .tulu && back.chatTemplate?.eosToken == "<|endoftext|>")
    }

    @Test func loaderRejectsWhatIsNotAModel() throws {
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("x.bin")
        try Data("hello".utf8).write(to: f)
        #expect(throws: (any Error).self) { try ModelLoader.load(path: f.path) }
        #expect(throws: (any Error).self) { try ModelLoader.load(path: dir.appendingPathComponent("missing").path) }
        #expect(throws: (any Error).self) { try ModelLoader.load(path: fixture("tiny-llama-tied").path) }  // no tokenizer.json
    }

    @Test(.requires(TestDependencies.smolLM2GGUF))
    func smolLM2GGUFConvertsToAFolderThatLoadsTheSame() throws {
        let path = try TestDependencies.smolLM2GGUF.require()
        let dir = tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let g = try ModelLoader.load(path: path)
        #expect(g.chatTemplate?.kind == .chatml && g.tokenizer.vocabSize == 49152)
        try ModelFolder.save(g.model, tokenizer: g.tokenizer, template: g.chatTemplate, to: dir.path)
        let h = try ModelLoader.load(path: dir.path)
        #expect(h.model.config == g.model.config)
        #expect(h.model.parameters.array == g.model.parameters.array)
        let text = "Hello 12345, <|im_start|>user\nwörld"
        #expect(h.tokenizer.encode(text) == g.tokenizer.encode(text))
        #expect(h.chatTemplate == g.chatTemplate)
    }
}
