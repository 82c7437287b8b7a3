import Foundation
import Testing
import Trainer

/// The 5-bit and K-quant block types (Q5_0, Q5_1, Q4_K, Q5_K, Q6_K): dequantisation bit for bit equal to
/// gguf-py's (committed reference values in Fixtures/trainer/kquant-blocks.json), loading from a GGUF,
/// and rejection of truncated or misshapen tensors.
@Suite struct KQuantTests {
    struct Case { var type: GGMLType; var name: String; var blocks: Int; var bytes: [UInt8]; var expected: [UInt32] }

    static func hex(_ s: String) throws -> [UInt8] {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { throw CocoaError(.fileReadCorruptFile) }
        func nib(_ c: UInt8) throws -> UInt8 {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            default: throw CocoaError(.fileReadCorruptFile)
            }
        }
        return try stride(from: 0, to: u.count, by: 2).map { try nib(u[$0]) << 4 | nib(u[$0 + 1]) }
    }

    static func fixtureCases() throws -> [Case] {
        let data = try Data(contentsOf: fixture("kquant-blocks.json"))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(doc["cases"] as? [[String: Any]])
        return try cases.map { c in
            let raw = try #require(c["type"] as? Int)
            let type = try #require(GGMLType(rawValue: UInt32(raw)))
            let f = try hex(try #require(c["expected_f32_le"] as? String))
            var expected: [UInt32] = []
            for i in stride(from: 0, to: f.count - 3, by: 4) {
                let lo = UInt32(f[i]) | UInt32(f[i + 1]) << 8
                expected.append(lo | UInt32(f[i + 2]) << 16 | UInt32(f[i + 3]) << 24)
            }
            return Case(type: type, name: try #require(c["name"] as? String), blocks: try #require(c["blocks"] as? Int),
                        bytes: try hex(try #require(c["bytes"] as? String)), expected: expected)
        }
    }

    func dequant(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { type.dequantize(raw.baseAddress!, count: count, into: $0.baseAddress!) } }
        return out
    }

    @Test func blockGeometry() {
        #expect(GGMLType.q5_0.blockSize == 32 && GGMLType.q5_0.blockBytes == 22)
        #expect(GGMLType.q5_1.blockSize == 32 && GGMLType.q5_1.blockBytes == 24)
        #expect(GGMLType.q4_K.blockSize == 256 && GGMLType.q4_K.blockBytes == 144)
        #expect(GGMLType.q5_K.blockSize == 256 && GGMLType.q5_K.blockBytes == 176)
        #expect(GGMLType.q6_K.blockSize == 256 && GGMLType.q6_K.blockBytes == 210)
        #expect([GGMLType.q5_0, .q5_1, .q4_K, .q5_K, .q6_K].map(\.rawValue) == [6, 7, 12, 13, 14])
    }

    /// Every value of every fixture block has exactly the bits gguf-py gives (zero, negative and
    /// subnormal scales included, -0 results too).
    @Test func fixtureBlocksMatchGGUFPyBitForBit() throws {
        let cases = try Self.fixtureCases()
        #expect(Set(cases.map(\.type)) == [.q5_0, .q5_1, .q4_K, .q5_K, .q6_K])
        for c in cases {
            #expect(c.name == c.type.name)
            #expect(c.bytes.count == c.blocks * c.type.blockBytes)
            #expect(c.expected.count == c.blocks * c.type.blockSize)
            let got = dequant(c.type, c.bytes, count: c.expected.count).map(\.bitPattern)
            let bad = zip(got, c.expected).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(bad.count == 0, "\(c.name): \(bad.count) values differ, first at \(bad.first.map { "\($0.offset): \(Float(bitPattern: $0.element.0)) vs \(Float(bitPattern: $0.element.1))" } ?? "")")
        }
        // The fixture covers -0 results (zero scales of either sign) and values with a fractional part.
        #expect(cases.flatMap(\.expected).contains(0x8000_0000))
        #expect(cases.flatMap(\.expected).contains { let v = Float(bitPattern: $0); return v != v.rounded() })
    }

    /// A hand-built Q6_K block: scale k = k - 8, d = 0.5, every value q = 5 (low 4 bits 5, high bits 0)
    /// except the last of each 128 which is 63; x = (d * scale) * (q - 32).
    @Test func q6_KHandBuiltBlock() {
        var b = [UInt8](repeating: 0x55, count: 128) + [UInt8](repeating: 0, count: 64)
        b += (0..<16).map { UInt8(bitPattern: Int8($0 - 8)) }
        b += [0x00, 0x38]  // half 0.5
        // Value 127 of each half: high nibble of ql[64h + 63] and bits 6-7 of qh[32h + 31].
        for h in 0..<2 { b[64 * h + 63] |= 0xF0; b[128 + 32 * h + 31] = 0xC0 }
        let x = dequant(.q6_K, b, count: 256)
        for p in 0..<256 {
            let q = p % 128 == 127 ? 63 : 5
            #expect(x[p] == Float(p / 16 - 8) * 0.5 * Float(q - 32), "value \(p)")
        }
    }

    /// Random blocks of `type` with every fp16 scale field set to a small finite value of either sign.
    static func randomBlocks(_ type: GGMLType, count: Int, rng: inout SplitMix64) -> [UInt8] {
        let halves: [Int]
        switch type {
        case .q4_K, .q5_K: halves = [0, 2]
        case .q6_K: halves = [208]
        case .q8_0, .q4_0, .q5_0: halves = [0]
        default: halves = [0, 2]
        }
        var out: [UInt8] = []
        for _ in 0..<count {
            var b = (0..<type.blockBytes).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for o in halves {
                let v = Float(rng.next() >> 40) / Float(1 << 24) * 0.01 * (rng.next() & 3 == 0 ? -1 : 1)
                let h = HalfPrecision.floatToHalf(v)
                b[o] = UInt8(h & 0xFF); b[o + 1] = UInt8(h >> 8)
            }
            out += b
        }
        return out
    }

    /// Tensors of each new type in a GGUF open with the right byte ranges and read back as the
    /// fixture's values.
    @Test func kQuantTensorsLoadFromGGUF() throws {
        let cases = try Self.fixtureCases()
        var g = GGUFBuilder()
        g.meta = [("general.architecture", .str("llama"))]
        for c in cases {
            let n = c.blocks * c.type.blockSize
            let rows = c.type.blockSize == 256 ? 2 : 3
            try #require(n % rows == 0)
            g.addRaw("w.\(c.name)", dims: [n / rows, rows], type: c.type, c.bytes)
        }
        g.addF32("norm", dims: [3], [1, 2, 3])
        let f = try GGUFFile(data: Data(g.build()), path: "kquant.gguf")
        for c in cases {
            let t = try #require(f.tensor(named: "w.\(c.name)"))
            #expect(t.type == c.type)
            #expect(t.byteRange.count == c.bytes.count)
            let values = try f.floats("w.\(c.name)").map(\.bitPattern)
            let differing = zip(values, c.expected).filter { $0 != $1 }.count
            #expect(values.count == c.expected.count && differing == 0, "\(c.name)")
        }
        let norm = try f.floats("norm")
        #expect(norm == [1, 2, 3])
    }

    /// A Q4_K_M-style llama (Q4_K / Q5_K / Q6_K matrices, a Q8_0 tied embedding) loads: the K-quant
    /// matrices decode in fp32 (un-permuted like any other), only the Q8_0 head goes to the quantised store.
    @Test func llamaWithKQuantMatricesLoads() throws {
        let D = 256, I = 512, H = 4, KVH = 2, hd = 64, V = 8
        var rng = SplitMix64(seed: 11)
        var g = GGUFBuilder()
        g.meta = [("general.architecture", .str("llama")), ("llama.embedding_length", .u32(UInt32(D))),
                  ("llama.feed_forward_length", .u32(UInt32(I))), ("llama.block_count", .u32(1)),
                  ("llama.attention.head_count", .u32(UInt32(H))), ("llama.attention.head_count_kv", .u32(UInt32(KVH))),
                  ("llama.attention.layer_norm_rms_epsilon", .f32(1e-5)), ("llama.rope.freq_base", .f32(10000)),
                  ("llama.context_length", .u32(64)), ("llama.vocab_size", .u32(UInt32(V)))]
        func mat(_ name: String, _ type: GGMLType, rows: Int, cols: Int) {
            g.addRaw(name, dims: [cols, rows], type: type, Self.randomBlocks(type, count: rows * cols / type.blockSize, rng: &rng))
        }
        mat("token_embd.weight", .q8_0, rows: V, cols: D)
        g.addF32("blk.0.attn_norm.weight", dims: [D], [Float](repeating: 1, count: D))
        mat("blk.0.attn_q.weight", .q4_K, rows: H * hd, cols: D)
        mat("blk.0.attn_k.weight", .q4_K, rows: KVH * hd, cols: D)
        mat("blk.0.attn_v.weight", .q6_K, rows: KVH * hd, cols: D)
        mat("blk.0.attn_output.weight", .q5_K, rows: D, cols: H * hd)
        g.addF32("blk.0.ffn_norm.weight", dims: [D], [Float](repeating: 1, count: D))
        mat("blk.0.ffn_gate.weight", .q4_K, rows: I, cols: D)
        mat("blk.0.ffn_up.weight", .q5_0, rows: I, cols: D)
        mat("blk.0.ffn_down.weight", .q6_K, rows: D, cols: I)
        g.addF32("output_norm.weight", dims: [D], [Float](repeating: 1, count: D))
        let f = try GGUFFile(data: Data(g.build()), path: "kquant-llama.gguf")
        let model = try f.loadLlama()
        #expect(model.config.hiddenSize == D && model.config.tieWordEmbeddings)
        let pairs = [("blk.0.attn_v.weight", "model.layers.0.self_attn.v_proj.weight"),
                     ("blk.0.attn_output.weight", "model.layers.0.self_attn.o_proj.weight"),
                     ("blk.0.ffn_gate.weight", "model.layers.0.mlp.gate_proj.weight"),
                     ("blk.0.ffn_up.weight", "model.layers.0.mlp.up_proj.weight"),
                     ("blk.0.ffn_down.weight", "model.layers.0.mlp.down_proj.weight")]
        for (gg, hf) in pairs {
            let loaded = try #require(model.tensor(hf)).map(\.bitPattern), file = try f.floats(gg).map(\.bitPattern)
            #expect(loaded == file, "\(hf)")
        }
        let q = try #require(model.tensor("model.layers.0.self_attn.q_proj.weight"))
        let fileQ = try f.floats("blk.0.attn_q.weight").map(\.bitPattern)
        #expect(llamaCppPermute(q, heads: H, rows: H * hd, cols: D).map(\.bitPattern) == fileQ)
        let store = try #require(model.quantizedWeights)
        #expect(store.matrices.map(\.type) == [.q8_0])
        #expect(store.matrix(at: model.layout.lmHead) != nil)
        let finite = model.parameters.array.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    /// A K-quant tensor whose bytes run past the end of the file, or whose row is not a whole number
    /// of super-blocks, is rejected at open with an error (never read out of bounds).
    @Test func truncatedOrMisshapenKQuantTensorsRejected() throws {
        var rng = SplitMix64(seed: 3)
        for type in [GGMLType.q4_K, .q5_K, .q6_K, .q5_0, .q5_1] {
            let blocks = 4
            var g = GGUFBuilder()
            g.addF32("a", dims: [8], [Float](repeating: 0.5, count: 8))
            g.addRaw("w", dims: [type.blockSize * 2, 2], type: type, Self.randomBlocks(type, count: blocks, rng: &rng))
            let full = g.build()
            #expect(throws: Never.self) { _ = try GGUFFile(data: Data(full), path: "ok") }
            for cut in [1, type.blockBytes - 1, type.blockBytes, type.blockBytes * blocks - 1] {
                #expect(throws: TrainerError.self, "\(type.name) cut by \(cut)") {
                    _ = try GGUFFile(data: Data(full.dropLast(cut)), path: "cut")
                }
            }
            // The same bytes described as one more row than they hold.
            var longer = GGUFBuilder()
            longer.addRaw("w", dims: [type.blockSize * 2, 3], type: type, Self.randomBlocks(type, count: blocks, rng: &rng))
            #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(longer.build()), path: "rows") }
            // A row of half a block.
            var odd = GGUFBuilder()
            odd.addRaw("w", dims: [type.blockSize / 2, 2], type: type, Self.randomBlocks(type, count: 1, rng: &rng))
            #expect(throws: TrainerError.self) { _ = try GGUFFile(data: Data(odd.build()), path: "odd") }
        }
    }
}
