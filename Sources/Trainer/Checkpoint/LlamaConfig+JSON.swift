import Curation

extension LlamaConfig {
    /// Reads a Hugging Face `config.json` of a `LlamaForCausalLM` (or a Llama-architecture model such
    /// as SmolLM2). `rope_theta` is read at the top level or from `rope_parameters` (transformers 5);
    /// RoPE scaling other than the default is rejected rather than silently ignored.
    public init(json: JSONValue, path: String = "config.json") throws {
        guard let o = json.objectValue else { throw TrainerError.badFile(path: path, offset: nil, reason: "not a JSON object") }
        func int(_ k: String) throws -> Int {
            guard let v = o[k]?.intValue else { throw TrainerError.badFile(path: path, offset: nil, reason: "missing integer field \(k)") }
            return v
        }
        func optInt(_ k: String) -> Int? { o[k]?.intValue }
        if let mt = o["model_type"]?.stringValue, mt != "llama" {
            throw TrainerError.invalidConfig("\(path): model_type \(mt) is not supported (llama only)")
        }
        var theta = o["rope_theta"]?.doubleValue
        if let rp = o["rope_parameters"]?.objectValue {
            if let t = rp["rope_theta"]?.doubleValue { theta = t }
            if let type = rp["rope_type"]?.stringValue, type != "default" {
                throw TrainerError.invalidConfig("\(path): rope_type \(type) is not supported")
            }
        }
        if let rs = o["rope_scaling"], !rs.isNull {
            let type = rs["rope_type"]?.stringValue ?? rs["type"]?.stringValue ?? "?"
            if type != "default" { throw TrainerError.invalidConfig("\(path): rope_scaling \(type) is not supported") }
        }
        if o["attention_bias"]?.boolValue == true || o["mlp_bias"]?.boolValue == true {
            throw TrainerError.invalidConfig("\(path): attention or MLP biases are not supported")
        }
        if let act = o["hidden_act"]?.stringValue, act != "silu" {
            throw TrainerError.invalidConfig("\(path): hidden_act \(act) is not supported (silu only)")
        }
        func tokenId(_ k: String) -> Int? {
            if let v = o[k]?.intValue { return v }
            return o[k]?.arrayValue?.first?.intValue  // some configs list several eos ids
        }
        let heads = try int("num_attention_heads")
        self.init(hiddenSize: try int("hidden_size"), intermediateSize: try int("intermediate_size"),
                  numHiddenLayers: try int("num_hidden_layers"), numAttentionHeads: heads,
                  numKeyValueHeads: optInt("num_key_value_heads") ?? heads, vocabSize: try int("vocab_size"),
                  rmsNormEps: o["rms_norm_eps"]?.doubleValue ?? 1e-6, ropeTheta: theta ?? 10000,
                  tieWordEmbeddings: o["tie_word_embeddings"]?.boolValue ?? false,
                  maxPositionEmbeddings: optInt("max_position_embeddings") ?? 2048,
                  bosTokenId: tokenId("bos_token_id"), eosTokenId: tokenId("eos_token_id"),
                  headDim: optInt("head_dim"), initializerRange: o["initializer_range"]?.doubleValue ?? 0.02)
        try validate()
    }

    /// The `config.json` of a `LlamaForCausalLM` with these sizes, fp32.
    public var json: JSONValue {
        var o = JSONObject()
        o["architectures"] = .array([.string("LlamaForCausalLM")])
        o["attention_bias"] = .bool(false)
        o["attention_dropout"] = .double(0.0)
        o["bos_token_id"] = bosTokenId.map { .int($0) } ?? .null
        o["eos_token_id"] = eosTokenId.map { .int($0) } ?? .null
        o["head_dim"] = .int(headDim)
        o["hidden_act"] = .string("silu")
        o["hidden_size"] = .int(hiddenSize)
        o["initializer_range"] = .double(initializerRange)
        o["intermediate_size"] = .int(intermediateSize)
        o["max_position_embeddings"] = .int(maxPositionEmbeddings)
        o["mlp_bias"] = .bool(false)
        o["model_type"] = .string("llama")
        o["num_attention_heads"] = .int(numAttentionHeads)
        o["num_hidden_layers"] = .int(numHiddenLayers)
        o["num_key_value_heads"] = .int(numKeyValueHeads)
        o["pretraining_tp"] = .int(1)
        o["rms_norm_eps"] = .double(rmsNormEps)
        o["rope_scaling"] = .null
        o["rope_theta"] = .double(ropeTheta)
        o["tie_word_embeddings"] = .bool(tieWordEmbeddings)
        o["torch_dtype"] = .string("float32")
        o["use_cache"] = .bool(true)
        o["vocab_size"] = .int(vocabSize)
        return .object(o)
    }
}
