import Foundation
import Testing
import Trainer

@Suite struct CheckpointTests {
    @Test(arguments: [false, true])
    func saveLoadRoundTrip(tied: Bool) throws {
        var cfg = tinyConfig
        cfg.tieWordEmbeddings = tied
        cfg.bosTokenId = 1; cfg.eosTokenId = 2
        let model = try LlamaModel(config: cfg, seed: 11)
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try HFCheckpoint.save(model, to: dir.path, extraFiles: ["tokenizer.json": Array("{}".utf8)])
        let st = try SafetensorsFile(path: dir.appendingPathComponent("model.safetensors").path)
        #expect(st.metadata["format"] == "pt")
        #expect(st.tensors["lm_head.weight"] == nil || !tied)
        #expect(st.tensors["model.layers.1.self_attn.k_proj.weight"]?.shape == [8, 16])
        let back = try HFCheckpoint.load(from: dir.path)
        #expect(back.config == cfg)
        #expect(back.parameters.array == model.parameters.array)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokenizer.json").path))
        let cfgText = try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(cfgText.contains("\"LlamaForCausalLM\"") && cfgText.contains("\"model_type\": \"llama\"") && cfgText.contains("\"torch_dtype\": \"float32\""))
    }

    func safetensorsBytes(header: String, data: [UInt8]) -> Data {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out += $0 }
        out += Array(header.utf8) + data
        return Data(out)
    }

    @Test func readsHalfAndBFloat16() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x0001]  // 1, -2, 0.5, smallest subnormal
        let bf: [UInt16] = [0x3F80, 0xC040]  // 1, -3
        var bytes: [UInt8] = []
        for h in halves + bf { withUnsafeBytes(of: h.littleEndian) { bytes += $0 } }
        let header = #"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#
        let f = try SafetensorsFile(data: safetensorsBytes(header: header, data: bytes), path: "mem")
        #expect(try f.floats("a") == [1, -2, 0.5, 0x1p-24])
        #expect(try f.floats("b") == [1, -3])
        #expect(f.names == ["a", "b"])
        for v: Float in [0, 1, -2.5, 65504, 0x1p-24, 1e-3, 3.14159] {
            #expect(abs(HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(v)) - v) <= abs(v) * 1e-3)
        }
    }

    @Test(arguments: [
        #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#,        // past the data section
        #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,         // size differs from shape
        #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,         // reversed offsets
        #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,  // overlap
        #"{"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}}"#,          // unknown dtype
        #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#,  // overflowing shape
        #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
        #"{"a":{"dtype":"F32","shape":[2]}}"#,
        #"{"a":[1,2]}"#,
        #"{"a":"#,
        #"[]"#,
    ])
    func hostileSafetensorsRejected(header: String) {
        let data = safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8))
        #expect(throws: TrainerError.self) { _ = try SafetensorsFile(data: data, path: "hostile") }
    }

    @Test func truncatedAndOversizedHeadersRejected() throws {
        // Header length larger than the file (and absurdly large).
        for len: UInt64 in [100, 1 << 40, UInt64.max] {
            var b: [UInt8] = []
            withUnsafeBytes(of: len.littleEndian) { b += $0 }
            b += Array("{}".utf8)
            #expect(throws: TrainerError.self) { _ = try SafetensorsFile(data: Data(b), path: "h") }
        }
        #expect(throws: TrainerError.self) { _ = try SafetensorsFile(data: Data([1, 2, 3]), path: "short") }
        // Every truncation of a real checkpoint fails cleanly (or, at the very end, still parses).
        let full = try Data(contentsOf: fixture("tiny-llama-tied/model.safetensors"))
        for cut in stride(from: 0, to: full.count, by: 97) {
            #expect(throws: TrainerError.self) { _ = try SafetensorsFile(data: full.prefix(cut), path: "cut") }
        }
    }

    @Test func missingOrMisshapenTensorsAreNamed() throws {
        let model = try LlamaModel(config: tinyConfig, seed: 2)
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try HFCheckpoint.save(model, to: dir.path)
        // Rewrite the weights without one tensor.
        let p = model.parameters.pointer
        let entries = model.layout.tensors.filter { $0.name != "model.layers.1.mlp.up_proj.weight" }.map {
            SafetensorsFile.Entry(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(start: p + $0.offset, count: $0.count))
        }
        try SafetensorsFile.write(entries, to: dir.appendingPathComponent("model.safetensors").path)
        #expect(throws: TrainerError.tensorMismatch(path: dir.path, name: "model.layers.1.mlp.up_proj.weight", reason: "missing from the checkpoint")) {
            _ = try HFCheckpoint.load(from: dir.path)
        }
        #expect(throws: TrainerError.self) { _ = try HFCheckpoint.load(from: dir.appendingPathComponent("nowhere").path) }
    }

    @Test func hostileConfigsRejected() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [
            #"{"model_type":"llama","hidden_size":65536,"intermediate_size":65536,"num_hidden_layers":1000,"num_attention_heads":64,"vocab_size":4000000}"#,
            #"{"model_type":"llama","hidden_size":16,"intermediate_size":24,"num_hidden_layers":1,"num_attention_heads":3,"vocab_size":10}"#,
            #"{"model_type":"llama","hidden_size":16,"num_hidden_layers":1,"num_attention_heads":4,"vocab_size":10}"#,
            #"{"model_type":"gpt2","hidden_size":16,"intermediate_size":24,"num_hidden_layers":1,"num_attention_heads":4,"vocab_size":10}"#,
            #"{"model_type":"llama","hidden_size":16,"intermediate_size":24,"num_hidden_layers":1,"num_attention_heads":4,"vocab_size":10,"rope_scaling":{"rope_type":"llama3"}}"#,
            "not json",
        ]
        for c in cases {
            try c.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
            #expect(throws: TrainerError.self) { _ = try HFCheckpoint.load(from: dir.path) }
        }
        // A plausible config whose weights file lacks the tensors: a clear error before any large allocation.
        try #"{"model_type":"llama","hidden_size":4096,"intermediate_size":11008,"num_hidden_layers":32,"num_attention_heads":32,"vocab_size":32000}"#
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try SafetensorsFile.write([], to: dir.appendingPathComponent("model.safetensors").path)
        #expect(throws: TrainerError.tensorMismatch(path: dir.path, name: "model.embed_tokens.weight", reason: "missing from the checkpoint")) {
            _ = try HFCheckpoint.load(from: dir.path)
        }
    }

    @Test func longPositionsGrowTheRoPETable() throws {
        var cfg = tinyConfig
        cfg.maxPositionEmbeddings = 5000
        let model = try LlamaModel(config: cfg, seed: 1)
        let batch = try TokenBatch(rows: 1, length: 2, tokens: [1, 2], positions: [4000, 4001], segmentStarts: [0, 0],
                                   targets: [2, -1], weights: [1, 0])
        #expect(try model.forward(batch).weightSum == 1)
        let beyond = try TokenBatch(rows: 1, length: 1, tokens: [1], positions: [5000], segmentStarts: [0], targets: [-1], weights: [0])
        #expect(throws: TrainerError.self) { _ = try model.forward(beyond) }
    }
}
