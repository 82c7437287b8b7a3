import Foundation
import Testing
import Trainer

/// Results must be the same bits for any thread count: kernels cut their work by shape only and
/// combine partial sums in part order (DESIGN.md section 6).
@Suite struct ThreadCountTests {
    /// Big enough that the products are split (m n k >= Matmul.splitThreshold) and RMSNorm's weight
    /// gradient is summed over several parts; GQA (4 query heads over 2 key/value heads).
    static let config = LlamaConfig(hiddenSize: 64, intermediateSize: 128, numHiddenLayers: 2, numAttentionHeads: 4,
                                    numKeyValueHeads: 2, vocabSize: 600, rmsNormEps: 1e-5, ropeTheta: 10000,
                                    tieWordEmbeddings: false, maxPositionEmbeddings: 128, initializerRange: 0.1)

    /// Four rows of 96 positions, packing examples of several lengths (some tokens without loss).
    static func batch() throws -> TokenBatch {
        var rng = SplitMix64(seed: 11)
        func example(_ n: Int) -> TokenBatch.Example {
            let tokens = (0..<n).map { _ in Int32(rng.next() % 600) }
            return TokenBatch.Example(tokens: tokens, lossMask: (0..<n).map { $0 >= n / 4 })
        }
        return try TokenBatch.packed(rows: [[example(40), example(56)], [example(96)], [example(30), example(30), example(30)],
                                            [example(70)]], length: 96)
    }

    struct Run: Equatable {
        var loss: Double
        var logits: [Float]
        var gradients: [Float]
        var dpoGradients: [Float]
        var parametersAfterSteps: [Float]
    }

    /// Forward, backward (mean NLL and a DPO-style log-prob gradient), then two clipped AdamW steps.
    func run(threads n: Int) throws -> Run {
        let threads = ComputeThreads(n)
        let model = try LlamaModel(config: Self.config, seed: 5)
        model.threads = threads
        let b = try Self.batch()
        let r = try model.forward(b)
        let logits = Array(try #require(model.logits))
        model.zeroGradients()
        try model.backward()
        let grads = try #require(model.gradients).array
        _ = try model.forward(b)
        model.zeroGradients()
        try model.backward(logProbGradients: (0..<b.tokens.count).map { Float(($0 % 7) - 3) * 0.01 })
        let dpo = try #require(model.gradients).array
        let opt = AdamW(layout: model.layout, settings: .init(weightDecay: 0.1), threads: threads)
        for _ in 0..<2 {
            _ = try model.forward(b)
            model.zeroGradients()
            try model.backward()
            let g = try #require(model.gradients)
            GradientClipping.clip(g, maxNorm: 0.5, threads: threads)
            opt.update(parameters: model.parameters, gradients: g, learningRate: 1e-2)
        }
        return Run(loss: r.loss, logits: logits, gradients: grads, dpoGradients: dpo, parametersAfterSteps: model.parameters.array)
    }

    @Test func trainingStepIsBitwiseTheSameOn1To3Threads() throws {
        // The test only means something if the work is actually cut into several parts.
        let n = 4 * 96, c = Self.config
        #expect(n * c.vocabSize * c.hiddenSize >= Matmul.splitThreshold && Matmul.productPartCount(c.vocabSize) > 1)
        #expect(Parallel.partCount(n, minChunk: 64) > 1)
        let one = try run(threads: 1)
        #expect(one.loss.isFinite && one.loss > 0)
        #expect(one.gradients.contains { $0 != 0 })
        for t in [2, 3] {
            let other = try run(threads: t)
            // Compared as Bools: a failing #expect on the arrays would print every float.
            let loss = other.loss.bitPattern == one.loss.bitPattern, logits = other.logits == one.logits
            let grads = other.gradients == one.gradients, dpo = other.dpoGradients == one.dpoGradients
            let weights = other.parametersAfterSteps == one.parametersAfterSteps
            #expect(loss, "loss, \(t) threads")
            #expect(logits, "logits, \(t) threads")
            #expect(grads, "gradients, \(t) threads")
            #expect(dpo, "log-prob gradients, \(t) threads")
            #expect(weights, "weights after AdamW, \(t) threads")
        }
    }

    @Test func productPartsDependOnTheShapeOnly() {
        for n in [1, 15, 16, 17, 100, 576, 960, 1024, 49152] {
            let parts = Matmul.productPartCount(n)
            let ranges = (0..<parts).map { Matmul.productPart(n, index: $0) }
            #expect(parts <= Matmul.productParts)
            #expect(ranges.allSatisfy { !$0.isEmpty }, "n = \(n)")
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == n, "n = \(n)")
            for i in 1..<max(1, ranges.count) {
                #expect(ranges[i].lowerBound == ranges[i - 1].upperBound && ranges[i].lowerBound % Matmul.partAlignment == 0)
            }
        }
    }

    @Test func decodeLogitsAreBitwiseTheSameOn1To3Threads() throws {
        let model = try TinyGen.model()
        let ids: [Int32] = (0..<24).map { Int32(($0 * 53 + 7) % 256) }
        func decode(_ n: Int) throws -> [Float] {
            let session = try InferenceSession(model: model, slots: 2, capacity: 40, threads: ComputeThreads(n))
            var out = try session.prefill(slot: 0, tokens: Array(ids[0..<18]), allLogits: true)
            out += try session.prefill(slot: 1, tokens: Array(ids[0..<5]))
            for t in 18..<24 { out += try session.feed([(slot: 0, tokens: [ids[t]]), (slot: 1, tokens: [ids[t - 13]])]) }
            return out
        }
        let one = try decode(1)
        for t in [2, 3] {
            let same = try decode(t) == one
            #expect(same, "\(t) threads")
        }
    }
}
