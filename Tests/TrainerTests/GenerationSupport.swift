import Curation
import Foundation
import Trainer

/// A tiny byte-level tokenizer (every byte, no merges) with ChatML's special tokens, and a random
/// Llama of hidden 32 over it: fast enough for every generation test in debug builds.
enum TinyGen {
    static let endOfText: Int32 = 256, imStart: Int32 = 257, imEnd: Int32 = 258

    static func tokenizer() throws -> BPETokenizer {
        let vocab: [String] = (0..<256).map { String(Character(ByteLevel.byteToScalar[$0])) }
        let added = [AddedToken(id: endOfText, content: "<|endoftext|>"), AddedToken(id: imStart, content: "<|im_start|>"),
                     AddedToken(id: imEnd, content: "<|im_end|>")]
        return try BPETokenizer(vocabulary: vocab, merges: [], addedTokens: added, preTokenizer: .gpt2,
                                roles: SpecialTokenRoles(eos: endOfText))
    }

    static let config = LlamaConfig(hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4,
                                    numKeyValueHeads: 2, vocabSize: 259, maxPositionEmbeddings: 512)

    /// Random weights with a larger spread than the default so sampling is not uniform noise.
    static func model(seed: UInt64 = 7) throws -> LlamaModel {
        var c = config
        c.initializerRange = 0.2
        return try LlamaModel(config: c, seed: seed)
    }

    static func generator(options: LocalGenerationOptions = LocalGenerationOptions()) throws -> LocalGenerator {
        try LocalGenerator(model: model(), tokenizer: tokenizer(), chatTemplate: ChatTemplate(kind: .chatml),
                           name: "tiny", options: options)
    }
}
