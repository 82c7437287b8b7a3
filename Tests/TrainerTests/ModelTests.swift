import Foundation
import Testing
import Trainer

let tinyConfig = LlamaConfig(hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4,
                             numKeyValueHeads: 2, vocabSize: 37, rmsNormEps: 1e-5, ropeTheta: 10000,
                             tieWordEmbeddings: false, maxPositionEmbeddings: 64, initializerRange: 0.3)

@Suite struct ModelTests {
    func packedBatch() throws -> TokenBatch {
        let a = TokenBatch.Example(tokens: [1, 5, 9, 2, 7])
        let b = TokenBatch.Example(tokens: [3, 4, 11], lossMask: [false, false, true])
        let c = TokenBatch.Example(tokens: [8, 30, 31, 32, 33, 36])
        return try TokenBatch.packed(rows: [[a, b], [c]], length: 8)
    }

    @Test(arguments: [false, true])
    func wholeModelGradientMatchesFiniteDifferences(tied: Bool) throws {
        var cfg = tinyConfig
        cfg.tieWordEmbeddings = tied
        let model = try LlamaModel(config: cfg, seed: 42)
        let batch = try packedBatch()
        _ = try model.forward(batch)
        model.zeroGradients()
        try model.backward()
        let grads = try #require(model.gradients).array
        var params = model.parameters.array
        func loss(_ p: [Float]) -> Double {
            model.parameters.pointer.update(from: p, count: p.count)
            return (try? model.forward(batch).loss) ?? .nan
        }
        // A handful of coordinates in every tensor.
        var rng = SplitMix64(seed: 7)
        var idx: [Int] = []
        for t in model.layout.tensors { for _ in 0..<4 { idx.append(t.offset + Int(rng.next() % UInt64(t.count))) } }
        checkGradient(grads, &params, h: 5e-3, absTol: 1e-3, relTol: 3e-2, indices: idx) { loss($0) }
    }

    @Test func packedBatchEqualsExamplesOneByOne() throws {
        let model = try LlamaModel(config: tinyConfig, seed: 3)
        let a = TokenBatch.Example(tokens: [1, 5, 9, 2, 7])
        let b = TokenBatch.Example(tokens: [3, 4, 11, 12], lossMask: [false, false, true, true])
        let packed = try TokenBatch.packed(rows: [[a, b]], length: 10)
        let rp = try model.forward(packed)
        let lpPacked = model.tokenLogProbs
        model.zeroGradients(); try model.backward(normalizer: 6)
        let gPacked = try #require(model.gradients).array

        model.zeroGradients()
        var lossSum = 0.0, weight = 0.0, lps: [Float] = []
        for ex in [a, b] {
            let single = try TokenBatch.packed(rows: [[ex]], length: ex.tokens.count)
            let r = try model.forward(single)
            lossSum += r.lossSum; weight += r.weightSum
            lps += model.tokenLogProbs
            try model.backward(normalizer: 6)
        }
        let gSingle = try #require(model.gradients).array
        #expect(rp.weightSum == 6 && weight == 6)
        #expect(abs(rp.lossSum - lossSum) < 1e-4)
        for i in 0..<9 { #expect(abs(lpPacked[i] - lps[i]) < 1e-5) }
        var maxDiff: Float = 0
        for i in gPacked.indices { maxDiff = max(maxDiff, abs(gPacked[i] - gSingle[i])) }
        #expect(maxDiff < 1e-5)
    }

    @Test func tinyModelMemorisesSequences() throws {
        var cfg = tinyConfig
        cfg.hiddenSize = 32; cfg.intermediateSize = 64; cfg.initializerRange = 0.02
        let model = try LlamaModel(config: cfg, seed: 1)
        let batch = try TokenBatch.sequences([[1, 4, 9, 16, 25, 36, 3, 7], [2, 3, 5, 7, 11, 13, 17, 19], [30, 20, 10, 0, 5, 15, 25, 35]])
        let opt = AdamW(layout: model.layout, settings: .init(weightDecay: 0.01))
        let first = try model.forward(batch).loss
        var last = first
        for _ in 0..<150 {
            let r = try model.forward(batch)
            last = r.loss
            model.zeroGradients()
            try model.backward()
            GradientClipping.clip(model.gradients!, maxNorm: 1)
            opt.update(parameters: model.parameters, gradients: model.gradients!, learningRate: 1e-2)
        }
        #expect(first > 3)
        #expect(last < 0.05)
    }

    @Test func trainingIsDeterministic() throws {
        func run() throws -> [Float] {
            let model = try LlamaModel(config: tinyConfig, seed: 9)
            let opt = AdamW(layout: model.layout)
            let batch = try packedBatch()
            for _ in 0..<3 {
                _ = try model.forward(batch); model.zeroGradients(); try model.backward()
                opt.update(parameters: model.parameters, gradients: model.gradients!, learningRate: 1e-3)
            }
            return model.parameters.array
        }
        #expect(try run() == run())
    }

    @Test func gradientAccumulationEqualsOneBigBatch() throws {
        let model = try LlamaModel(config: tinyConfig, seed: 5)
        let s1: [Int32] = [1, 2, 3, 4, 5, 6], s2: [Int32] = [7, 8, 9, 10, 11, 12]
        let both = try TokenBatch.sequences([s1, s2])
        _ = try model.forward(both); model.zeroGradients(); try model.backward()
        let gBig = model.gradients!.array
        model.zeroGradients()
        for s in [s1, s2] { _ = try model.forward(try TokenBatch.sequences([s])); try model.backward(normalizer: 10) }
        let gAcc = model.gradients!.array
        var maxDiff: Float = 0
        for i in gBig.indices { maxDiff = max(maxDiff, abs(gBig[i] - gAcc[i])) }
        #expect(maxDiff < 1e-5)
    }

    @Test func badBatchesAreRejected() throws {
        let model = try LlamaModel(config: tinyConfig, seed: 1)
        #expect(throws: TrainerError.self) { try model.forward(try TokenBatch.sequences([[1, 2, 99]])) }
        #expect(throws: TrainerError.self) {
            try TokenBatch(rows: 1, length: 2, tokens: [1, 2], positions: [0, 1], segmentStarts: [0, 2], targets: [2, -1], weights: [1, 0])
        }
        #expect(throws: TrainerError.self) { try model.backward(logProbGradients: [1]) }
        var bad = tinyConfig
        bad.numKeyValueHeads = 3
        #expect(throws: TrainerError.self) { try LlamaModel(config: bad, seed: 1) }
    }
}
