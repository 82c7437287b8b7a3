import Foundation
import Testing
import Trainer

@Suite struct OptimTests {
    @Test func adamwMatchesHandComputation() throws {
        let cfg = LlamaConfig(hiddenSize: 2, intermediateSize: 2, numHiddenLayers: 1, numAttentionHeads: 1,
                              vocabSize: 3, maxPositionEmbeddings: 4)
        let layout = ParameterLayout(config: cfg)
        let p = FloatBuffer(randomFloats(layout.count, seed: 1))
        let g = FloatBuffer(randomFloats(layout.count, seed: 2))
        let s = AdamW.Settings(beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1)
        let opt = AdamW(layout: layout, settings: s)
        let p0 = p.array, g0 = g.array
        opt.update(parameters: p, gradients: g, learningRate: 0.01)
        let g1 = randomFloats(layout.count, seed: 3)
        g.pointer.update(from: g1, count: g1.count)
        opt.update(parameters: p, gradients: g, learningRate: 0.005)
        let norm = try #require(layout.tensor(named: "model.norm.weight"))
        for i in 0..<layout.count {
            let decays = !(i >= norm.offset && i < norm.offset + norm.count) && layout.tensors.first { i >= $0.offset && i < $0.offset + $0.count }!.decays
            var x = Double(p0[i]), m = 0.0, v = 0.0
            for (t, (gg, lr)) in [(Double(g0[i]), 0.01), (Double(g1[i]), 0.005)].enumerated() {
                if decays { x *= 1 - lr * 0.1 }
                m = 0.9 * m + 0.1 * gg
                v = 0.95 * v + 0.05 * gg * gg
                let mh = m / (1 - pow(0.9, Double(t + 1))), vh = v / (1 - pow(0.95, Double(t + 1)))
                x -= lr * mh / (vh.squareRoot() + 1e-8)
            }
            #expect(abs(Double(p[i]) - x) < 1e-6, "parameter \(i)")
        }
        #expect(opt.step == 2)
    }

    @Test func clippingScalesToMaxNorm() {
        let g = FloatBuffer([3, 4] + [Float](repeating: 0, count: 30))
        #expect(abs(GradientClipping.globalNorm(g) - 5) < 1e-9)
        let before = GradientClipping.clip(g, maxNorm: 1)
        #expect(abs(before - 5) < 1e-9)
        #expect(abs(GradientClipping.globalNorm(g) - 1) < 1e-5)
        let small = FloatBuffer([0.3, 0.4])
        GradientClipping.clip(small, maxNorm: 1)
        #expect(small.array == [0.3, 0.4])
    }

    @Test func scheduleValues() {
        let cos = LRSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, decay: .cosine, floor: 1e-4)
        #expect(abs(cos.rate(at: 0) - 1e-4) < 1e-12)
        #expect(abs(cos.rate(at: 9) - 1e-3) < 1e-12)
        #expect(abs(cos.rate(at: 10) - 1e-3) < 1e-12)
        #expect(abs(cos.rate(at: 109) - 1e-4) < 1e-12)
        // halfway through decay (step 10 + 49.5): midpoint between peak and floor
        let mid = (cos.rate(at: 59) + cos.rate(at: 60)) / 2
        #expect(abs(mid - 5.5e-4) < 1e-7)
        let lin = LRSchedule(peak: 2.0, warmupSteps: 0, totalSteps: 5, decay: .linear, floor: 0)
        #expect((0..<5).map { lin.rate(at: $0) } == [2.0, 1.5, 1.0, 0.5, 0.0])
        let ratio = LRSchedule(peak: 1, warmupRatio: 0.03, totalSteps: 100, decay: .constant)
        #expect(ratio.warmupSteps == 3 && ratio.rate(at: 1) == 2.0 / 3 && ratio.rate(at: 50) == 1)
    }
}

@Suite struct OptimizerStateTests {
    /// Two steps, save, two more steps == four steps straight through (bit-exact).
    @Test func resumeIsBitExact() throws {
        let batch = try TokenBatch.sequences([[1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]])
        func step(_ model: LlamaModel, _ opt: AdamW, _ lr: Double) throws {
            _ = try model.forward(batch); model.zeroGradients(); try model.backward()
            GradientClipping.clip(model.gradients!, maxNorm: 0.5)
            opt.update(parameters: model.parameters, gradients: model.gradients!, learningRate: lr)
        }
        let schedule = LRSchedule(peak: 1e-2, warmupSteps: 2, totalSteps: 4)
        let a = try LlamaModel(config: tinyConfig, seed: 4)
        let oa = AdamW(layout: a.layout, settings: .init(weightDecay: 0.1))
        for s in 0..<4 { try step(a, oa, schedule.rate(at: s)) }

        let b = try LlamaModel(config: tinyConfig, seed: 4)
        let ob = AdamW(layout: b.layout, settings: .init(weightDecay: 0.1))
        for s in 0..<2 { try step(b, ob, schedule.rate(at: s)) }
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try HFCheckpoint.save(b, to: dir.path)
        try ob.save(to: dir.appendingPathComponent("optimizer.safetensors").path, layout: b.layout)
        let c = try HFCheckpoint.load(from: dir.path)
        let oc = AdamW(layout: c.layout)
        try oc.load(from: dir.appendingPathComponent("optimizer.safetensors").path, layout: c.layout)
        #expect(oc.step == 2 && oc.settings.weightDecay == 0.1)
        for s in 2..<4 { try step(c, oc, schedule.rate(at: s)) }
        #expect(c.parameters.array == a.parameters.array)
        #expect(oc.m.array == oa.m.array && oc.v.array == oa.v.array)
    }
}
