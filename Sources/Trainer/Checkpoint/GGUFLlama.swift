import Foundation

extension GGUFFile {
    /// The `LlamaConfig` described by a llama-architecture GGUF's metadata.
    public func llamaConfig() throws -> LlamaConfig {
        let arch = string("general.architecture") ?? "?"
        guard arch == "llama" else { throw TrainerError.invalidConfig("\(path): architecture \(arch) is not supported (llama only)") }
        func need(_ k: String) throws -> Int {
            guard let v = int("llama." + k) else { throw TrainerError.badFile(path: path, offset: nil, reason: "missing metadata llama.\(k)") }
            return v
        }
        let hidden = try need("embedding_length")
        let heads = try need("attention.head_count")
        guard let embd = tensor(named: "token_embd.weight"), embd.dims.count == 2 else {
            throw TrainerError.tensorMismatch(path: path, name: "token_embd.weight", reason: "missing or not a matrix")
        }
        let vocab = try int("llama.vocab_size") ?? tokenizerTokenStrings()?.count ?? embd.dims[1]
        // GGUF stores eps as f32: round-trip through Float then shortest Double text (1e-05, not 9.99999974e-06).
        let epsRaw = double("llama.attention.layer_norm_rms_epsilon") ?? 1e-5
        let eps = Double(String(Float(epsRaw).description)) ?? epsRaw
        let cfg = LlamaConfig(
            hiddenSize: hidden, intermediateSize: try need("feed_forward_length"), numHiddenLayers: try need("block_count"),
            numAttentionHeads: heads, numKeyValueHeads: int("llama.attention.head_count_kv") ?? heads, vocabSize: vocab,
            rmsNormEps: eps, ropeTheta: double("llama.rope.freq_base") ?? 10000,
            tieWordEmbeddings: tensor(named: "output.weight") == nil,
            maxPositionEmbeddings: min(int("llama.context_length") ?? 2048, LlamaConfig.maxPositions),
            bosTokenId: int("tokenizer.ggml.bos_token_id"), eosTokenId: int("tokenizer.ggml.eos_token_id"),
            headDim: int("llama.attention.key_length") ?? int("llama.rope.dimension_count").flatMap { $0 > 0 ? $0 : nil })
        try cfg.validate()
        if let rs = string("llama.rope.scaling.type"), rs != "none" {
            throw TrainerError.invalidConfig("\(path): rope scaling \(rs) is not supported")
        }
        return cfg
    }

    /// Loads a llama-architecture GGUF as an fp32 `LlamaModel`: dequantises every tensor and undoes
    /// llama.cpp's Q/K row permutation (its RoPE pairs adjacent values; Hugging Face's rotate-half
    /// pairs i with i + d/2).
    public func loadLlama() throws -> LlamaModel {
        let cfg = try llamaConfig()
        let layout = ParameterLayout(config: cfg)
        var map: [(String, String, Int?)] = [("token_embd.weight", "model.embed_tokens.weight", nil),
                                             ("output_norm.weight", "model.norm.weight", nil)]
        if !cfg.tieWordEmbeddings { map.append(("output.weight", "lm_head.weight", nil)) }
        for i in 0..<cfg.numHiddenLayers {
            let g = "blk.\(i).", h = "model.layers.\(i)."
            map += [(g + "attn_norm.weight", h + "input_layernorm.weight", nil),
                    (g + "attn_q.weight", h + "self_attn.q_proj.weight", cfg.numAttentionHeads),
                    (g + "attn_k.weight", h + "self_attn.k_proj.weight", cfg.numKeyValueHeads),
                    (g + "attn_v.weight", h + "self_attn.v_proj.weight", nil),
                    (g + "attn_output.weight", h + "self_attn.o_proj.weight", nil),
                    (g + "ffn_norm.weight", h + "post_attention_layernorm.weight", nil),
                    (g + "ffn_gate.weight", h + "mlp.gate_proj.weight", nil),
                    (g + "ffn_up.weight", h + "mlp.up_proj.weight", nil),
                    (g + "ffn_down.weight", h + "mlp.down_proj.weight", nil)]
        }
        // Check every tensor before allocating, so the allocation is bounded by the file's contents.
        var plan: [(TensorInfo, ParameterLayout.Tensor, Int?)] = []
        for (ggufName, hfName, permuteHeads) in map {
            guard let info = tensor(named: ggufName) else {
                throw TrainerError.tensorMismatch(path: path, name: ggufName, reason: "missing from the file")
            }
            guard let t = layout.tensor(named: hfName) else { continue }
            let expected = Array(t.shape.reversed())
            guard info.dims == expected else {
                throw TrainerError.tensorMismatch(path: path, name: ggufName, reason: "dims \(info.dims), expected \(expected)")
            }
            plan.append((info, t, permuteHeads))
        }
        let params = FloatBuffer(count: layout.count)
        for (info, t, permuteHeads) in plan {
            let dst = params.pointer + t.offset
            if let heads = permuteHeads {
                var tmp = [Float](repeating: 0, count: t.count)
                tmp.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { read(info, into: p) } }
                Self.unpermuteRows(tmp, into: dst, heads: heads, rowsPerHead: cfg.headDim, rowLength: t.shape[1])
            } else {
                read(info, into: dst)
            }
        }
        let model = try LlamaModel(config: cfg, parameters: params)
        model.quantizedWeights = quantizedWeights(config: cfg, layout: layout)
        return model
    }

    /// The Q4_0/Q4_1/Q8_0 blocks of the model's matrices, arranged as `ParameterLayout` fuses them (q, k,
    /// v rows; gate, up rows; o; down; the LM head), with q/k rows moved from llama.cpp's order
    /// exactly as `unpermuteRows` moves the fp32 rows (a row of blocks is a row of values). Matrices
    /// of other types, or fused from parts of different types, are left out and decode in fp32; nil
    /// when none qualifies. Called by `loadLlama` after it has checked every tensor's dims.
    func quantizedWeights(config cfg: LlamaConfig, layout: ParameterLayout) -> QuantizedWeights? {
        typealias Part = (info: TensorInfo, permuteHeads: Int?)
        var fused: [(offset: Int, parts: [Part])] = []
        for (i, L) in layout.layers.enumerated() {
            func t(_ n: String) -> TensorInfo? { tensor(named: "blk.\(i)." + n + ".weight") }
            guard let q = t("attn_q"), let k = t("attn_k"), let v = t("attn_v"), let o = t("attn_output"),
                  let gate = t("ffn_gate"), let up = t("ffn_up"), let down = t("ffn_down") else { return nil }
            fused += [(L.qkv, [(q, cfg.numAttentionHeads), (k, cfg.numKeyValueHeads), (v, nil)]), (L.o, [(o, nil)]),
                      (L.gateUp, [(gate, nil), (up, nil)]), (L.down, [(down, nil)])]
        }
        if let head = tensor(named: cfg.tieWordEmbeddings ? "token_embd.weight" : "output.weight") {
            fused.append((layout.lmHead, [(head, nil)]))
        }
        var spec: [(type: GGMLType, parameterOffset: Int, rows: Int, inDim: Int)] = [], chosen: [[Part]] = []
        for f in fused {
            guard let first = f.parts.first?.info, first.dims.count == 2, QuantizedWeights.supportedTypes.contains(first.type),
                  first.dims[0] % 32 == 0,
                  f.parts.allSatisfy({ $0.info.type == first.type && $0.info.dims.count == 2 && $0.info.dims[0] == first.dims[0] })
            else { continue }
            spec.append((first.type, f.offset, f.parts.reduce(0) { $0 + $1.info.dims[1] }, first.dims[0]))
            chosen.append(f.parts)
        }
        guard !spec.isEmpty else { return nil }
        let hd = cfg.headDim, half = hd / 2
        return QuantizedWeights(matrices: spec) { i, dst in
            var out = dst
            for part in chosen[i] {
                withRawBytes(of: part.info) { src in
                    let rows = part.info.dims[1]
                    guard let sp = src.baseAddress, rows > 0 else { return }
                    let rowBytes = src.count / rows
                    if part.permuteHeads != nil {
                        // Hugging Face row r = h*hd + p*half + i is llama.cpp row h*hd + 2i + p.
                        for r in 0..<rows {
                            let h = r / hd, p = (r % hd) / half, j = (r % hd) % half
                            (out + r * rowBytes).copyMemory(from: sp + (h * hd + 2 * j + p) * rowBytes, byteCount: rowBytes)
                        }
                    } else {
                        out.copyMemory(from: sp, byteCount: src.count)
                    }
                    out += src.count
                }
            }
        }
    }

    /// llama.cpp's converter stores row `head*hd + 2i + half` for Hugging Face row
    /// `head*hd + half*(hd/2) + i`; this puts rows back in Hugging Face order.
    public static func unpermuteRows(_ src: [Float], into dst: UnsafeMutablePointer<Float>, heads: Int, rowsPerHead hd: Int,
                                     rowLength: Int) {
        let half = hd / 2
        src.withUnsafeBufferPointer { s in
            guard let sp = s.baseAddress else { return }
            for h in 0..<heads {
                for part in 0..<2 {
                    for i in 0..<half {
                        let hfRow = h * hd + part * half + i
                        let ggRow = h * hd + 2 * i + part
                        (dst + hfRow * rowLength).update(from: sp + ggRow * rowLength, count: rowLength)
                    }
                }
            }
        }
    }
}
