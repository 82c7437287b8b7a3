/// Where each tensor lives in the one flat parameter buffer.
///
/// All weights sit in a single buffer (and gradients and optimiser moments in buffers of the same
/// layout), so the optimiser, gradient clipping and checkpoint code are single loops. Per layer the
/// q, k and v projections are adjacent, forming one [(H + 2 KV) hd, D] matrix, and gate and up
/// form one [2 I, D] matrix: each pair or triple runs as a single, larger product.
public struct ParameterLayout: Sendable {
    /// Offsets of one decoder layer's tensors.
    public struct Layer: Sendable {
        public var inputNorm: Int
        /// Start of the fused [q; k; v] projection (q_proj first, then k_proj, then v_proj).
        public var qkv: Int
        public var o: Int
        public var postNorm: Int
        /// Start of the fused [gate; up] projection.
        public var gateUp: Int
        public var down: Int
    }

    /// One named tensor: its Hugging Face name, shape ([out, in] for matrices) and offset.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
        /// Weight decay applies to matrices, not to norm weights (1-D tensors).
        public var decays: Bool { shape.count > 1 }
    }

    public let embed: Int
    public let layers: [Layer]
    public let finalNorm: Int
    /// Equal to `embed` when embeddings are tied.
    public let lmHead: Int
    /// Total floats.
    public let count: Int
    /// Every tensor in checkpoint order (HF names); the tied LM head is not listed separately.
    public let tensors: [Tensor]

    public init(config c: LlamaConfig) {
        var off = 0
        var tensors: [Tensor] = []
        func take(_ name: String, _ shape: [Int]) -> Int {
            let o = off
            tensors.append(Tensor(name: name, shape: shape, offset: o))
            off += shape.reduce(1, *)
            return o
        }
        let D = c.hiddenSize, I = c.intermediateSize, hd = c.headDim
        embed = take("model.embed_tokens.weight", [c.vocabSize, D])
        var layers: [Layer] = []
        for i in 0..<c.numHiddenLayers {
            let p = "model.layers.\(i)."
            let inNorm = take(p + "input_layernorm.weight", [D])
            let q = take(p + "self_attn.q_proj.weight", [c.numAttentionHeads * hd, D])
            _ = take(p + "self_attn.k_proj.weight", [c.numKeyValueHeads * hd, D])
            _ = take(p + "self_attn.v_proj.weight", [c.numKeyValueHeads * hd, D])
            let o = take(p + "self_attn.o_proj.weight", [D, c.numAttentionHeads * hd])
            let post = take(p + "post_attention_layernorm.weight", [D])
            let gate = take(p + "mlp.gate_proj.weight", [I, D])
            _ = take(p + "mlp.up_proj.weight", [I, D])
            let down = take(p + "mlp.down_proj.weight", [D, I])
            layers.append(Layer(inputNorm: inNorm, qkv: q, o: o, postNorm: post, gateUp: gate, down: down))
        }
        self.layers = layers
        finalNorm = take("model.norm.weight", [D])
        lmHead = c.tieWordEmbeddings ? embed : take("lm_head.weight", [c.vocabSize, D])
        count = off
        self.tensors = tensors
    }

    /// The tensor with this Hugging Face name, if the layout has one.
    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }
}
