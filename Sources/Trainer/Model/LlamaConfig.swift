/// The sizes of a Llama-family decoder, mirroring Hugging Face's `LlamaConfig` fields.
public struct LlamaConfig: Sendable, Equatable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var vocabSize: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var tieWordEmbeddings: Bool
    public var maxPositionEmbeddings: Int
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    /// Per-head width; Hugging Face defaults it to hidden_size / num_attention_heads.
    public var headDim: Int
    /// Standard deviation of the normal initialisation of new weights (HF `initializer_range`).
    public var initializerRange: Double

    public init(hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
                numKeyValueHeads: Int? = nil, vocabSize: Int, rmsNormEps: Double = 1e-5, ropeTheta: Double = 10000,
                tieWordEmbeddings: Bool = true, maxPositionEmbeddings: Int = 2048, bosTokenId: Int? = nil,
                eosTokenId: Int? = nil, headDim: Int? = nil, initializerRange: Double = 0.02) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.vocabSize = vocabSize
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.tieWordEmbeddings = tieWordEmbeddings
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.headDim = headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0)
        self.initializerRange = initializerRange
    }

    /// The speed reference: hidden 256, 4 layers, 4 heads, intermediate 704, vocabulary 4096.
    public static let benchmarkReference = LlamaConfig(
        hiddenSize: 256, intermediateSize: 704, numHiddenLayers: 4, numAttentionHeads: 4,
        vocabSize: 4096, maxPositionEmbeddings: 2048)

    /// Limits that keep a hostile config.json or GGUF header from asking for absurd allocations.
    public static let maxDimension = 1 << 16
    public static let maxLayers = 1024
    public static let maxVocab = 1 << 22
    public static let maxPositions = 1 << 20
    /// 16 G floats (64 GB): beyond any CPU training run.
    public static let maxParameters = 1 << 34

    /// Checks the sizes are positive, divisible as attention needs, and within sane limits.
    public func validate() throws {
        func check(_ ok: Bool, _ msg: @autoclosure () -> String) throws {
            if !ok { throw TrainerError.invalidConfig(msg()) }
        }
        try check(hiddenSize > 0 && hiddenSize <= Self.maxDimension, "hidden_size \(hiddenSize) out of range")
        try check(intermediateSize > 0 && intermediateSize <= 8 * Self.maxDimension, "intermediate_size \(intermediateSize) out of range")
        try check(numHiddenLayers > 0 && numHiddenLayers <= Self.maxLayers, "num_hidden_layers \(numHiddenLayers) out of range")
        try check(numAttentionHeads > 0 && numAttentionHeads <= hiddenSize, "num_attention_heads \(numAttentionHeads) out of range")
        try check(numKeyValueHeads > 0 && numAttentionHeads % numKeyValueHeads == 0,
                  "num_key_value_heads \(numKeyValueHeads) must divide num_attention_heads \(numAttentionHeads)")
        try check(headDim > 0 && headDim % 2 == 0 && headDim <= Self.maxDimension, "head_dim \(headDim) must be positive and even")
        try check(vocabSize > 0 && vocabSize <= Self.maxVocab, "vocab_size \(vocabSize) out of range")
        try check(maxPositionEmbeddings > 0 && maxPositionEmbeddings <= Self.maxPositions,
                  "max_position_embeddings \(maxPositionEmbeddings) out of range")
        try check(rmsNormEps > 0 && rmsNormEps < 1, "rms_norm_eps \(rmsNormEps) out of range")
        try check(ropeTheta > 1 && ropeTheta.isFinite, "rope_theta \(ropeTheta) out of range")
        // Sizes are individually bounded, so this product cannot overflow.
        try check(ParameterLayout(config: self).count <= Self.maxParameters,
                  "\(ParameterLayout(config: self).count) parameters exceed the limit of \(Self.maxParameters)")
        if let b = bosTokenId { try check(b >= 0 && b < vocabSize, "bos_token_id \(b) outside the vocabulary") }
        if let e = eosTokenId { try check(e >= 0 && e < vocabSize, "eos_token_id \(e) outside the vocabulary") }
    }

    /// Width of the fused q|k|v projection output.
    public var qkvDim: Int { (numAttentionHeads + 2 * numKeyValueHeads) * headDim }
    /// Width of the attention output (input of o_proj).
    public var attentionDim: Int { numAttentionHeads * headDim }

    /// Number of trainable floats (tied embeddings counted once).
    public var parameterCount: Int { ParameterLayout(config: self).count }
}
