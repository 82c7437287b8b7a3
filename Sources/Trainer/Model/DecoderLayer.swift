/// One Llama decoder layer's math, written once for training, scoring and decoding.
///
/// `LlamaModel` (training and scoring: every token of packed sequences, activations kept for the
/// backward pass) and `InferenceSession` (prefill and decode steps over a KV cache) both run
/// `forward`; only how the matrix products and the attention are done differs, and those come in
/// as generic parameters (`LayerProducts`, `LayerAttention`), specialised at compile time so no
/// existential or closure call sits between the kernels. An architecture change (RoPE scaling,
/// biases, another norm) is an edit here: `forward` and, next to it, `backward`.
struct DecoderLayer {
    /// Where one layer's forward pass reads and writes, [rows, width] each. Training points them at
    /// per-layer slices of its saved activations; decoding reuses one set of scratch buffers and
    /// passes the same pointer for `xIn`, `mid` and `xOut` (the residual stream updated in place).
    struct Buffers {
        let xIn, ln1, rstd1, qkv, att, mid, ln2, rstd2, gu, h, xOut: UnsafeMutablePointer<Float>
    }

    let config: LlamaConfig
    /// The model's flat fp32 parameters.
    let weights: UnsafePointer<Float>
    /// This layer's tensor offsets in `weights`.
    let offsets: ParameterLayout.Layer
    let rope: RoPETable
    let threads: ComputeThreads

    /// x_out = mid + down(SwiGLU(gate|up(RMSNorm(mid)))), mid = x_in + o(attention(RoPE(qkv(RMSNorm(x_in))))).
    /// `positions` are the rows' positions (for RoPE).
    @inline(__always)
    func forward<P: LayerProducts, A: LayerAttention>(_ b: Buffers, rows N: Int, positions: UnsafePointer<Int32>,
                                                        products: P, attention: A) {
        let c = config, L = offsets, W = weights
        let D = c.hiddenSize, I = c.intermediateSize, Q = c.qkvDim, A = c.attentionDim
        let eps = Float(c.rmsNormEps)
        RMSNorm.forward(out: b.ln1, rstd: b.rstd1, x: b.xIn, weight: W + L.inputNorm, rows: N, dim: D, eps: eps, threads: threads)
        products.linear(b.qkv, b.ln1, weightOffset: L.qkv, rows: N, inDim: D, outDim: Q, accumulate: false)
        rope.apply(b.qkv, rows: N, rowStride: Q, firstColumn: 0, heads: c.numAttentionHeads + c.numKeyValueHeads,
                   positions: positions, inverse: false, threads: threads)
        attention.forward(out: b.att, qkv: b.qkv, rows: N)
        if b.mid != b.xIn { b.mid.update(from: b.xIn, count: N * D) }
        products.linear(b.mid, b.att, weightOffset: L.o, rows: N, inDim: A, outDim: D, accumulate: true)
        RMSNorm.forward(out: b.ln2, rstd: b.rstd2, x: b.mid, weight: W + L.postNorm, rows: N, dim: D, eps: eps, threads: threads)
        products.linear(b.gu, b.ln2, weightOffset: L.gateUp, rows: N, inDim: D, outDim: 2 * I, accumulate: false)
        SwiGLU.forward(h: b.h, gu: b.gu, rows: N, dim: I, threads: threads)
        if b.xOut != b.mid { b.xOut.update(from: b.mid, count: N * D) }
        products.linear(b.xOut, b.h, weightOffset: L.down, rows: N, inDim: I, outDim: D, accumulate: true)
    }

    /// Scratch the backward pass overwrites, [rows, width] each.
    struct Gradients {
        /// Gradient of the layer's output on entry, of its input on return (accumulated in place).
        let dRes: UnsafeMutablePointer<Float>
        let dLn, dH, dGU, dAtt, dQKV: UnsafeMutablePointer<Float>
    }

    /// Backward of `forward` with the saved buffers `b`: adds the weight gradients into `grads`
    /// (same layout as `weights`) and turns `g.dRes` from dL/dx_out into dL/dx_in. `attention`
    /// must be the causal attention the forward pass used.
    func backward(_ b: Buffers, _ g: Gradients, grads G: UnsafeMutablePointer<Float>, rows N: Int,
                  positions: UnsafePointer<Int32>, attention: CausalAttention) {
        let c = config, L = offsets, W = weights, t = threads
        let D = c.hiddenSize, I = c.intermediateSize, Q = c.qkvDim, A = c.attentionDim
        // x_out = mid + h Wd^T
        Matmul.linearBackward(dx: g.dH, dw: G + L.down, dy: g.dRes, x: b.h, w: W + L.down, rows: N, inDim: I, outDim: D, threads: t)
        SwiGLU.backward(dgu: g.dGU, dh: g.dH, gu: b.gu, rows: N, dim: I, threads: t)
        Matmul.linearBackward(dx: g.dLn, dw: G + L.gateUp, dy: g.dGU, x: b.ln2, w: W + L.gateUp, rows: N, inDim: D, outDim: 2 * I, threads: t)
        RMSNorm.backward(dx: g.dRes, dWeight: G + L.postNorm, dy: g.dLn, x: b.mid, weight: W + L.postNorm,
                         rstd: b.rstd2, rows: N, dim: D, threads: t)
        // mid = x_in + att Wo^T
        Matmul.linearBackward(dx: g.dAtt, dw: G + L.o, dy: g.dRes, x: b.att, w: W + L.o, rows: N, inDim: A, outDim: D, threads: t)
        attention.backward(dqkv: g.dQKV, dOut: g.dAtt, qkv: b.qkv)
        rope.apply(g.dQKV, rows: N, rowStride: Q, firstColumn: 0, heads: c.numAttentionHeads + c.numKeyValueHeads,
                   positions: positions, inverse: true, threads: t)
        Matmul.linearBackward(dx: g.dLn, dw: G + L.qkv, dy: g.dQKV, x: b.ln1, w: W + L.qkv, rows: N, inDim: D, outDim: Q, threads: t)
        RMSNorm.backward(dx: g.dRes, dWeight: G + L.inputNorm, dy: g.dLn, x: b.xIn, weight: W + L.inputNorm,
                         rstd: b.rstd1, rows: N, dim: D, threads: t)
    }
}
