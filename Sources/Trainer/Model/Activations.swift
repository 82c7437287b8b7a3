/// Every buffer one forward/backward pass needs for a given batch shape, allocated once and reused.
///
/// The forward pass keeps what the backward pass reads (llm.c style): each layer's input, normed
/// inputs with their 1/rms, the fused q|k|v after RoPE, the attention
/// output, the mid-layer residual, gate|up and the SwiGLU output.
final class Activations {
    let rows: Int, length: Int, tokens: Int
    let config: LlamaConfig
    /// Residual stream entering each layer; index L is the input of the final norm. [L+1, N, D]
    let residual: FloatBuffer
    let ln1: FloatBuffer, rstd1: FloatBuffer
    let qkv: FloatBuffer
    let attOut: FloatBuffer
    let resMid: FloatBuffer
    let ln2: FloatBuffer, rstd2: FloatBuffer
    let gateUp: FloatBuffer
    let hidden: FloatBuffer
    let lnF: FloatBuffer, rstdF: FloatBuffer
    /// Logits, [rows of the pass, vocab]: the largest buffer by far (tokens x vocabulary), so it is sized
    /// by what a pass needs (every token, or with `LlamaModel.logitsForWeightedTokensOnly` the weighted
    /// ones), grown when a pass needs more, and handed over when the batch shape changes
    /// (`takeLogits(from:)`): RLVR's batches change shape every step and would otherwise allocate and
    /// zero it each time.
    private(set) var logits: FloatBuffer?
    func ensureLogits(rows: Int) -> FloatBuffer {
        let need = max(1, rows * config.vocabSize)
        if let l = logits, l.count >= need { return l }
        logits = nil  // free the smaller one first
        let l = FloatBuffer(count: need)
        logits = l
        return l
    }
    func takeLogits(from other: Activations) { logits = other.logits; other.logits = nil }
    let lse: FloatBuffer
    let logProb: FloatBuffer
    // Per-token batch data, kept for the backward pass.
    var tokenIds: [Int32] = []
    var positions: [Int32] = []
    var segmentStarts: [Int32] = []
    var targets: [Int32] = []
    var weights: [Float] = []
    var forwardDone = false
    /// With `LlamaModel.logitsForWeightedTokensOnly`: the token indices whose logits the last forward pass
    /// computed (rows of `logits`, `lse` and `headInput`, in this order) and their targets; nil: every token.
    var headRows: [Int]?
    var headTargets: [Int32] = []
    /// Those tokens' final-norm outputs, gathered (allocated on first use).
    private(set) var headInput: FloatBuffer?
    func ensureHeadInput() -> FloatBuffer {
        if let h = headInput { return h }
        let h = FloatBuffer(count: tokens * config.hiddenSize)
        headInput = h
        return h
    }

    // Backward scratch (allocated on first use).
    private(set) var dRes: FloatBuffer?
    private(set) var dLn: FloatBuffer?
    private(set) var dHidden: FloatBuffer?
    private(set) var dGateUp: FloatBuffer?
    private(set) var dAttOut: FloatBuffer?
    private(set) var dQKV: FloatBuffer?

    init(config c: LlamaConfig, rows: Int, length: Int) {
        self.rows = rows; self.length = length; self.config = c
        let N = rows * length, L = c.numHiddenLayers, D = c.hiddenSize, I = c.intermediateSize
        tokens = N
        residual = FloatBuffer(count: (L + 1) * N * D)
        ln1 = FloatBuffer(count: L * N * D); rstd1 = FloatBuffer(count: L * N)
        qkv = FloatBuffer(count: L * N * c.qkvDim)
        attOut = FloatBuffer(count: L * N * c.attentionDim)
        resMid = FloatBuffer(count: L * N * D)
        ln2 = FloatBuffer(count: L * N * D); rstd2 = FloatBuffer(count: L * N)
        gateUp = FloatBuffer(count: L * N * 2 * I)
        hidden = FloatBuffer(count: L * N * I)
        lnF = FloatBuffer(count: N * D); rstdF = FloatBuffer(count: N)
        lse = FloatBuffer(count: N)
        logProb = FloatBuffer(count: N)
    }

    /// Layer `l`'s slices of the saved activations, so forward and backward index them one way.
    func layer(_ l: Int) -> DecoderLayer.Buffers {
        let c = config, N = tokens, D = c.hiddenSize, I = c.intermediateSize
        return DecoderLayer.Buffers(xIn: residual.pointer + l * N * D,
                     ln1: ln1.pointer + l * N * D, rstd1: rstd1.pointer + l * N,
                     qkv: qkv.pointer + l * N * c.qkvDim,
                     att: attOut.pointer + l * N * c.attentionDim,
                     mid: resMid.pointer + l * N * D,
                     ln2: ln2.pointer + l * N * D, rstd2: rstd2.pointer + l * N,
                     gu: gateUp.pointer + l * N * 2 * I,
                     h: hidden.pointer + l * N * I,
                     xOut: residual.pointer + (l + 1) * N * D)
    }

    /// The attention kernels' per-thread scratch for `shape` (grown when the thread count grows).
    func attentionScratch(_ shape: AttentionShape, threads: ComputeThreads) -> UnsafeMutablePointer<Float> {
        let need = shape.scratchCount(threads: threads.count)
        if attScratch.count < need { attScratch = FloatBuffer(count: need) }
        return attScratch.pointer
    }
    private var attScratch = FloatBuffer(count: 1)

    func ensureBackwardScratch() {
        guard dRes == nil else { return }
        let c = config, N = tokens
        dRes = FloatBuffer(count: N * c.hiddenSize)
        dLn = FloatBuffer(count: N * c.hiddenSize)
        dHidden = FloatBuffer(count: N * c.intermediateSize)
        dGateUp = FloatBuffer(count: N * 2 * c.intermediateSize)
        dAttOut = FloatBuffer(count: N * c.attentionDim)
        dQKV = FloatBuffer(count: N * c.qkvDim)
    }
}
