import Foundation
import Testing
import Trainer

@Suite struct GGUFTests {
    func dequant(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { type.dequantize(raw.baseAddress!, count: count, into: $0.baseAddress!) } }
        return out
    }
    func half(_ v: Float) -> [UInt8] { let h = HalfPrecision.floatToHalf(v); return [UInt8(h & 0xFF), UInt8(h >> 8)] }

    @Test func q4_0Block() {
        // d = 0.5; byte j holds q_j (low) and q_{j+16} (high); x = (q - 8) * d.
        var b = half(0.5)
        for j in 0..<16 { b.append(UInt8(j) | UInt8(15 - j) << 4) }
        let x = dequant(.q4_0, b, count: 32)
        for j in 0..<16 {
            #expect(x[j] == Float(j - 8) * 0.5)
            #expect(x[j + 16] == Float(15 - j - 8) * 0.5)
        }
    }

    @Test func q4_1Block() {
        // d = 0.25, m = -1; x = q * d + m.
        var b = half(0.25) + half(-1)
        for j in 0..<16 { b.append(UInt8(j) | UInt8((j * 7) % 16) << 4) }
        let x = dequant(.q4_1, b + b, count: 64)
        for j in 0..<16 {
            #expect(x[j] == Float(j) * 0.25 - 1)
            #expect(x[j + 16] == Float((j * 7) % 16) * 0.25 - 1)
            #expect(x[j + 32] == x[j])
        }
    }

    @Test func q8_0Block() {
        var b = half(0.125)
        for j in 0..<32 { b.append(UInt8(bitPattern: Int8(j * 8 - 128))) }
        let x = dequant(.q8_0, b, count: 32)
        for j in 0..<32 { #expect(x[j] == Float(j * 8 - 128) * 0.125) }
    }

    @Test func floatTypes() {
        #expect(dequant(.f16, half(1.5) + half(-0.25), count: 2) == [1.5, -0.25])
        #expect(dequant(.bf16, [0x80, 0x3F, 0x20, 0xC1], count: 2) == [1, -10])
        var f: [UInt8] = []
        withUnsafeBytes(of: Float(2.75).bitPattern.littleEndian) { f += $0 }
        #expect(dequant(.f32, f, count: 1) == [2.75])
    }

    /// A GGUF written like llama.cpp's converter (permuted Q/K, ggml names and metadata) from the
    /// tiny transformers checkpoint loads back to the same model.
    func tinyGGUF() throws -> (bytes: [UInt8], reference: LlamaModel) {
        let ref = try HFCheckpoint.load(from: fixture("tiny-llama-untied").path)
        let c = ref.config
        var g = GGUFBuilder()
        g.meta = [("general.architecture", .str("llama")), ("llama.embedding_length", .u32(UInt32(c.hiddenSize))),
                  ("llama.feed_forward_length", .u32(UInt32(c.intermediateSize))), ("llama.block_count", .u32(UInt32(c.numHiddenLayers))),
                  ("llama.attention.head_count", .u32(UInt32(c.numAttentionHeads))),
                  ("llama.attention.head_count_kv", .u32(UInt32(c.numKeyValueHeads))),
                  ("llama.attention.layer_norm_rms_epsilon", .f32(Float(c.rmsNormEps))), ("llama.rope.freq_base", .f32(Float(c.ropeTheta))),
                  ("llama.context_length", .u32(UInt32(c.maxPositionEmbeddings))),
                  ("tokenizer.ggml.model", .str("gpt2")), ("tokenizer.ggml.pre", .str("smollm")),
                  ("tokenizer.ggml.tokens", .strings((0..<c.vocabSize).map { "t\($0)" })),
                  ("tokenizer.ggml.token_type", .i32s([Int32](repeating: 1, count: c.vocabSize))),
                  ("tokenizer.ggml.merges", .strings(["t 1", "t1 2"])),
                  ("tokenizer.ggml.bos_token_id", .u32(1)), ("tokenizer.ggml.eos_token_id", .u32(2))]
        func add(_ gg: String, _ hf: String, permute heads: Int? = nil) {
            let t = ref.layout.tensor(named: hf)!
            var w = ref.tensor(hf)!
            if let heads { w = llamaCppPermute(w, heads: heads, rows: t.shape[0], cols: t.shape[1]) }
            g.addF32(gg, dims: t.shape.reversed(), w)
        }
        add("token_embd.weight", "model.embed_tokens.weight")
        for i in 0..<c.numHiddenLayers {
            let b = "blk.\(i).", h = "model.layers.\(i)."
            add(b + "attn_norm.weight", h + "input_layernorm.weight")
            add(b + "attn_q.weight", h + "self_attn.q_proj.weight", permute: c.numAttentionHeads)
            add(b + "attn_k.weight", h + "self_attn.k_proj.weight", permute: c.numKeyValueHeads)
            add(b + "attn_v.weight", h + "self_attn.v_proj.weight")
            add(b + "attn_output.weight", h + "self_attn.o_proj.weight")
            add(b + "ffn_norm.weight", h + "post_attention_layernorm.weight")
            add(b + "ffn_gate.weight", h + "mlp.gate_proj.weight")
            add(b + "ffn_up.weight", h + "mlp.up_proj.weight")
            add(b + "ffn_down.weight", h + "mlp.down_proj.weight")
        }
        add("output_norm.weight", "model.norm.weight")
        add("output.weight", "lm_head.weight")
        return (g.build(), ref)
    }

    @Test func llamaGGUFLoadsWithUnpermutedQK() throws {
        let (bytes, ref) = try tinyGGUF()
        let f = try GGUFFile(data: Data(bytes), path: "tiny.gguf")
        #expect(f.tokenizerPre == "smollm" && f.tokenizerModel == "gpt2")
        #expect(f.tokenizerTokens?.count == 37 && f.tokenizerTokens?[5] == "t5")
        #expect(f.tokenizerMerges == ["t 1", "t1 2"])
        #expect(f.tokenizerTokenTypes?.count == 37)
        let model = try f.loadLlama()
        #expect(model.config.tieWordEmbeddings == false && model.config.bosTokenId == 1 && model.config.rmsNormEps == 1e-5)
        #expect(model.parameters.array == ref.parameters.array)
    }

    @Test func truncatedGGUFRejectedAtEveryLength() throws {
        let (bytes, _) = try tinyGGUF()
        var cut = 0
        while cut < bytes.count {
            #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(bytes.prefix(cut)), path: "cut") }
            cut += cut < 400 ? 1 : 211
        }
    }

    @Test func hostileHeadersRejected() throws {
        func header(tensors: UInt64, kvs: UInt64, rest: [UInt8] = []) -> Data {
            var b = Array("GGUF".utf8)
            GGUFBuilder.le(UInt32(3), &b); GGUFBuilder.le(tensors, &b); GGUFBuilder.le(kvs, &b)
            return Data(b + rest)
        }
        // Absurd counts must not allocate: they exceed what the file could hold.
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: header(tensors: UInt64.max, kvs: 0), path: "h") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: header(tensors: 0, kvs: 1 << 60), path: "h") }
        // A string array claiming 2^62 elements.
        var kv: [UInt8] = []
        GGUFBuilder.str("k", &kv); GGUFBuilder.le(UInt32(9), &kv); GGUFBuilder.le(UInt32(8), &kv); GGUFBuilder.le(UInt64(1) << 62, &kv)
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: header(tensors: 0, kvs: 1, rest: kv), path: "h") }
        // A key length beyond the file.
        var key: [UInt8] = []
        GGUFBuilder.le(UInt64(1) << 50, &key)
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: header(tensors: 0, kvs: 1, rest: key), path: "h") }
        // Unknown metadata type.
        var bad: [UInt8] = []
        GGUFBuilder.str("k", &bad); GGUFBuilder.le(UInt32(99), &bad)
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: header(tensors: 0, kvs: 1, rest: bad + [0, 0, 0, 0]), path: "h") }
        // Bad magic and version.
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(Array("GGML".utf8) + [3, 0, 0, 0]), path: "h") }
        // Tensors: too many dims, unsupported type, offset past the end, unaligned offset, row not a block multiple.
        func oneTensor(dims: [UInt64], type: UInt32, offset: UInt64, payload: Int) -> Data {
            var t: [UInt8] = []
            GGUFBuilder.str("w", &t); GGUFBuilder.le(UInt32(dims.count), &t)
            for d in dims { GGUFBuilder.le(d, &t) }
            GGUFBuilder.le(type, &t); GGUFBuilder.le(offset, &t)
            var all = [UInt8](header(tensors: 1, kvs: 0, rest: t))
            while all.count % 32 != 0 { all.append(0) }
            return Data(all + [UInt8](repeating: 0, count: payload))
        }
        #expect(throws: Never.self) { _ = try GGUFFile(data: oneTensor(dims: [4, 2], type: 0, offset: 0, payload: 32), path: "ok") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: oneTensor(dims: [1, 1, 1, 1, 1], type: 0, offset: 0, payload: 32), path: "h") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: oneTensor(dims: [32], type: 16, offset: 0, payload: 256), path: "h") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: oneTensor(dims: [4, 2], type: 0, offset: 64, payload: 32), path: "h") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: oneTensor(dims: [4, 2], type: 0, offset: 4, payload: 64), path: "h") }
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: oneTensor(dims: [16], type: 8, offset: 0, payload: 64), path: "h") }
        #expect(throws: TrainerError.self) {
            _ = try GGUFFile(data: oneTensor(dims: [UInt64(1) << 40, UInt64(1) << 40], type: 0, offset: 0, payload: 64), path: "h")
        }
        // Wrong architecture or missing sizes: a clear config error, not a crash.
        var g = GGUFBuilder()
        g.meta = [("general.architecture", .str("gpt2"))]
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(g.build()), path: "g").loadLlama() }
        g.meta = [("general.architecture", .str("llama"))]
        g.addF32("token_embd.weight", dims: [2, 2], [1, 2, 3, 4])
        #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(g.build()), path: "g").loadLlama() }
    }
}
