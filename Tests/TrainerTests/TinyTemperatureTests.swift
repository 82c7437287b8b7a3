import Curation
import Testing
import Trainer

/// Issue 13 item 12: a temperature so small that 1/T overflows a Float used to make every draw uniform.
@Suite struct TinyTemperatureTests {
    @Test(arguments: [1e-39, 2.9e-39, 3e-39, 1e-45, 1e-300, Double.leastNonzeroMagnitude, 1e-31])
    func tinyTemperaturesPickTheMostLikelyToken(temperature: Double) {
        let vocab = 37  // not a multiple of 8: the vector loop and its scalar tail both run
        let base: [Float] = (0..<vocab).map { Float($0 % 7) * 0.5 - 1 }
        var logits = base
        logits[22] = 4  // the single most likely token
        for seed in 0..<200 {
            var rng = Sampler.stream(seed: UInt64(seed), promptID: "p", sampleIndex: seed)
            var scratch = logits
            let t = scratch.withUnsafeMutableBufferPointer { p in
                Sampler.sample(p.baseAddress!, vocab: vocab, options: SamplingOptions(temperature: temperature, topP: 1, seed: 0), rng: &rng)
            }
            #expect(t == 22, "temperature \(temperature), seed \(seed): drew \(t)")
            var scratch2 = logits
            let k = scratch2.withUnsafeMutableBufferPointer { p in
                Sampler.sample(p.baseAddress!, vocab: vocab, options: SamplingOptions(temperature: temperature, topP: 0.9, topK: 5, seed: 0), rng: &rng)
            }
            #expect(k == 22)
        }
    }

    @Test func nanTemperatureIsGreedyAndOrdinaryTemperaturesStillSample() {
        let vocab = 16
        let logits: [Float] = (0..<vocab).map { $0 == 3 ? 1 : 0.9 }
        var rng = Sampler.stream(seed: 1, promptID: "p", sampleIndex: 0)
        var nan = logits
        #expect(nan.withUnsafeMutableBufferPointer { Sampler.sample($0.baseAddress!, vocab: vocab, options: SamplingOptions(temperature: .nan), rng: &rng) } == 3)
        var drawn = Set<Int32>()
        for _ in 0..<100 {
            var l = logits
            drawn.insert(l.withUnsafeMutableBufferPointer { Sampler.sample($0.baseAddress!, vocab: vocab, options: SamplingOptions(temperature: 1), rng: &rng) })
        }
        #expect(drawn.count > 3)
    }
}
