/// Decoding's matrix products: OpenBLAS for a prompt's many rows (`blas`); for decode steps the
/// weight-streaming kernels, from the GGUF's quantised blocks when the session uses them
/// (`QuantizedDotLinear`, or `QuantizedLinear` when exact) and from the fp32 weights otherwise (`BatchedLinear`). Both give every output
/// row the same bits whatever the other rows, so a sample decodes alike alone or in a batch.
struct DecodeProducts: LayerProducts {
    let weights: UnsafePointer<Float>
    let store: QuantizedWeights?
    let blas: Bool
    /// `QuantizedLinear` (bitwise the fp32 path) instead of `QuantizedDotLinear` (integer dot products).
    let exact: Bool
    let threads: ComputeThreads

    @inline(__always)
    func linear(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, weightOffset: Int,
                rows: Int, inDim: Int, outDim: Int, accumulate: Bool) {
        let w = weights + weightOffset
        if blas {
            Matmul.linearForward(y: y, x: x, w: w, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate, threads: threads)
            return
        }
        // The streaming kernels take their thread count from `ComputeThreads.current`.
        threads.withCurrent {
            if let store, let m = store.matrix(at: weightOffset), m.inDim == inDim, m.rows == outDim {
                if exact {
                    QuantizedLinear.forward(y: y, x: x, store: store, matrix: m, rows: rows, accumulate: accumulate)
                } else {
                    QuantizedDotLinear.forward(y: y, x: x, store: store, matrix: m, rows: rows, accumulate: accumulate)
                }
            } else {
                BatchedLinear.forward(y: y, x: x, w: w, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate)
            }
        }
    }
}
