import Foundation
import Testing
import Trainer

/// Issue 13 item 19: errors from hand-made bad model files say what is wrong.
@Suite struct FileMessageTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "(no error)" } catch { return "\(error)" }
    }

    @Test func ggufTokenListOfNumbersIsNamedAsSuch() throws {
        var g = GGUFBuilder()
        g.meta = [("general.architecture", .str("llama")), ("llama.embedding_length", .u32(8)),
                  ("llama.feed_forward_length", .u32(16)), ("llama.block_count", .u32(1)),
                  ("llama.attention.head_count", .u32(2)), ("llama.context_length", .u32(64)),
                  ("tokenizer.ggml.model", .str("gpt2")),
                  ("tokenizer.ggml.tokens", .i32s([1, 2, 3]))]
        g.addF32("token_embd.weight", dims: [8, 3], [Float](repeating: 0, count: 24))
        let f = try GGUFFile(data: Data(g.build()), path: "numbers.gguf")
        #expect(f.tokenizerTokens == nil)  // not a shortened list
        let m = message { _ = try f.llamaConfig() }
        #expect(m.contains("tokenizer.ggml.tokens") && m.contains("strings") && m.contains("numbers.gguf"), "\(m)")
        #expect(!m.contains("vocab_size"))
        let m2 = message { _ = try f.tokenizerTokenStrings() }
        #expect(m2.contains("entry 0 is an integer"), "\(m2)")
    }

    @Test func safetensorsOffsetsPastTwoToThe63AreOutOfRangeNotMissing() {
        for offsets in ["[0,9223372036854775808]", "[18446744073709551615,18446744073709551623]", "[0,1e300]"] {
            let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":"# + offsets + "}}"
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
            bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 8)
            let m = message { _ = try SafetensorsFile(data: Data(bytes), path: "big.safetensors") }
            #expect(m.contains("out of range") && m.contains("data_offsets") && !m.contains("missing"), "\(m)")
        }
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,"8"]}}"#
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        let m = message { _ = try SafetensorsFile(data: Data(bytes), path: "s.safetensors") }
        #expect(m.contains("two integers") && m.contains("string"), "\(m)")
    }
}
