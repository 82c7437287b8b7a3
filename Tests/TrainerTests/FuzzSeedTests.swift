import Foundation
import Testing
import Trainer

/// The fuzzers' seed corpora (Fuzz/Corpus, written by Fuzz/make_corpus.py) reach the deep paths: a seed
/// that failed early would leave the fuzzer mutating inputs that never get past the header.
@Suite struct FuzzSeedTests {
    static func seed(_ target: String, _ name: String) throws -> Data {
        try Data(contentsOf: packageRoot.appendingPathComponent("Fuzz/Corpus/\(target)/\(name)"))
    }

    @Test func theTinyGGUFSeedLoadsAsAModelWithATokenizer() throws {
        let file = try GGUFFile(data: Self.seed("gguf", "tiny-llama.gguf"), path: "tiny-llama.gguf")
        let model = try file.loadLlama()
        #expect(model.config.numHiddenLayers == 1 && model.config.hiddenSize == 32 && model.quantizedWeights != nil)
        let tokenizer = try ModelLoader.tokenizer(from: file)
        #expect(tokenizer.vocabSize == 16 && tokenizer.encode("<|im_end|>") == [2])
    }

    @Test func theSafetensorsSeedsLoad() throws {
        let mixed = try SafetensorsFile(data: Self.seed("safetensors", "dtypes.safetensors"), path: "dtypes")
        #expect(try mixed.floats("a").count == 4 && mixed.floats("b").count == 4)
        for hostile in ["offsets-2-63", "shape-overflow", "overlap", "huge-header-length"] {
            #expect(throws: (any Error).self) { try SafetensorsFile(data: Self.seed("safetensors", hostile + ".safetensors"), path: hostile) }
        }
    }

    @Test func theTokenizerSeedsLoadAndEncode() throws {
        for name in ["smollm2-small.json", "gpt2-small.json"] {
            let text = String(decoding: try Self.seed("tokenizer", name), as: UTF8.self)
            let tokenizer = try BPETokenizer.load(jsonText: text)
            let ids = tokenizer.encode("the cat sat on the mat")
            #expect(!ids.isEmpty && tokenizer.decode(ids) == "the cat sat on the mat", "\(name)")
        }
    }
}
