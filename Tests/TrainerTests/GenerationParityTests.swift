import Foundation
import TestDependencies
import Testing
import Trainer

/// Greedy decoding against transformers' `generate(do_sample=False)` token ids (references made once by
/// the committed scripts in Fixtures/generation).
@Suite struct GenerationParityTests {
    static let dir = packageRoot.appendingPathComponent("Fixtures/generation")

    struct Case { var promptIDs: [Int32]; var greedy: [Int32] }

    static func cases(_ json: Any?) -> [Case] {
        guard let o = json as? [String: Any] else { return [] }
        let list = (o["cases"] as? [[String: Any]]) ?? [o]
        return list.compactMap { c in
            guard let p = c["prompt_ids"] as? [Int], let g = c["greedy_ids"] as? [Int] else { return nil }
            return Case(promptIDs: p.map { Int32($0) }, greedy: g.map { Int32($0) })
        }
    }

    func greedy(_ model: LlamaModel, _ tok: BPETokenizer, _ c: Case) throws -> [Int32] {
        let d = try TextDecoder(model: model, tokenizer: tok)
        let job = DecodeJob(promptID: "p", promptTokens: c.promptIDs, samples: 1, maxNewTokens: c.greedy.count,
                            sampling: .greedy, stopStrings: [], stopTokens: [])
        return try d.run([job])[0][0].tokens
    }

    @Test func tinyModelMatchesTransformersGreedy() throws {
        let loaded = try ModelLoader.load(path: Self.dir.appendingPathComponent("tiny-chatml").path)
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dir.appendingPathComponent("tiny-greedy.json")))
        let cs = Self.cases(ref)
        #expect(cs.count == 1)
        for c in cs {
            #expect(loaded.tokenizer.encode("<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n") == c.promptIDs)
            #expect(try greedy(loaded.model, loaded.tokenizer, c) == c.greedy)
        }
    }

    #if DEBUG
    /// Decoding 135M parameters with unoptimised SIMD takes minutes: the SmolLM2 test runs in release builds.
    static let optimised = false
    #else
    static let optimised = true
    #endif

    /// SmolLM2-135M-Instruct (GGUF, scripts/fetch-smollm2.sh) continues two prompts with transformers' greedy tokens.
    @Test(.requires(TestDependencies.smolLM2GGUF),
          .enabled(if: optimised, "SmolLM2 decoding runs in release builds only (swift test -c release)"))
    func smolLM2MatchesTransformersGreedy() throws {
        let loaded = try ModelLoader.load(path: try TestDependencies.smolLM2GGUF.require())
        let ref = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dir.appendingPathComponent("smollm2-greedy.json")))
        let cs = Self.cases(ref)
        #expect(cs.count == 2)
        for c in cs {
            #expect(try greedy(loaded.model, loaded.tokenizer, c) == c.greedy)
        }
    }
}
