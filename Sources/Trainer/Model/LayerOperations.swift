/// How a decoder layer's matrix products are done: y[rows, outDim] (+)= x[rows, inDim] W^T for the
/// matrix whose fp32 weights start at `weightOffset` in the model's parameters (`accumulate` adds
/// into y: the residual connections).
protocol LayerProducts {
    func linear(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, weightOffset: Int,
                rows: Int, inDim: Int, outDim: Int, accumulate: Bool)
}

/// How a decoder layer's attention is done: from the fused q|k|v rows (RoPE applied) to the
/// attention output [rows, attentionDim].
protocol LayerAttention {
    func forward(out: UnsafeMutablePointer<Float>, qkv: UnsafeMutablePointer<Float>, rows: Int)
}

/// Products through OpenBLAS (`Matmul`), split into shape-only parts on `threads`.
struct BLASProducts: LayerProducts {
    let weights: UnsafePointer<Float>
    let threads: ComputeThreads

    @inline(__always)
    func linear(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, weightOffset: Int,
                rows: Int, inDim: Int, outDim: Int, accumulate: Bool) {
        Matmul.linearForward(y: y, x: x, w: weights + weightOffset, rows: rows, inDim: inDim, outDim: outDim,
                             accumulate: accumulate, threads: threads)
    }
}

/// Training's attention: block-diagonal causal over packed rows (`Attention`), each token seeing its
/// own example from `segmentStart` on.
struct CausalAttention: LayerAttention {
    let segmentStart: UnsafePointer<Int32>
    let shape: AttentionShape
    /// `shape.scratchCount(threads: threads.count)` floats.
    let scratch: UnsafeMutablePointer<Float>
    let threads: ComputeThreads

    @inline(__always)
    func forward(out: UnsafeMutablePointer<Float>, qkv: UnsafeMutablePointer<Float>, rows: Int) {
        Attention.forward(out: out, qkv: qkv, segmentStart: segmentStart, shape: shape, scratch: scratch, threads: threads)
    }

    func backward(dqkv: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, qkv: UnsafePointer<Float>) {
        Attention.backward(dqkv: dqkv, dOut: dOut, qkv: qkv, segmentStart: segmentStart, shape: shape, scratch: scratch,
                           threads: threads)
    }
}
