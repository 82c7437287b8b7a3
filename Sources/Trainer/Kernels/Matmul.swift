/// Matrix products through OpenBLAS `cblas_sgemm` (loaded at run time by `BLASRuntime`), row-major.
///
/// Linear layers keep Hugging Face's weight layout `W[out, in]`, so `y = x W^T` is one
/// `NoTrans x Trans` product and both gradients are single products too: no transposed copies.
public enum Matmul {
    /// C[m,n] = alpha * op(A) op(B) + beta * C, all row-major with the given leading dimensions.
    @inlinable
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Parallel.ensureConfigured()
        let threads = Parallel.threads
        guard Parallel.splitProducts, threads > 1, !Parallel.insideRegion, m * n * k >= 1 << 21 else {
            sgemmDirect(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= n {
            Parallel.forChunks(m, minChunk: 16) { r in
                sgemmDirect(transA: transA, transB: transB, m: r.count, n: n, k: k, alpha: alpha,
                            a: transA ? a + r.lowerBound : a + r.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: c + r.lowerBound * ldc, ldc: ldc)
            }
        } else {
            Parallel.forChunks(n, minChunk: 16) { r in
                sgemmDirect(transA: transA, transB: transB, m: m, n: r.count, k: k, alpha: alpha, a: a, lda: lda,
                            b: transB ? b + r.lowerBound * ldb : b + r.lowerBound, ldb: ldb,
                            beta: beta, c: c + r.lowerBound, ldc: ldc)
            }
        }
    }

    /// One OpenBLAS call.
    @inlinable
    public static func sgemmDirect(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS leaves C untouched for k = 0 only when beta = 1; make it explicit.
            if beta == 0 { for r in 0..<m { (c + r * ldc).update(repeating: 0, count: n) } }
            return
        }
        BLASRuntime.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c, ldc: ldc)
    }

    /// y[rows, out] (+)= x[rows, in] W^T, with W stored [out, in]; `accumulate` adds into y
    /// (a residual connection for free).
    @inlinable
    public static func linearForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                     rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false) {
        sgemm(transA: false, transB: true, m: rows, n: outDim, k: inDim, a: x, lda: inDim, b: w, ldb: inDim,
              beta: accumulate ? 1 : 0, c: y, ldc: outDim)
    }

    /// Gradients of `linearForward`: dx (+)= dy W, dW += dy^T x.
    /// `accumulateInput` adds into dx instead of overwriting it (for residual branches).
    @inlinable
    public static func linearBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                                      dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                      rows: Int, inDim: Int, outDim: Int, accumulateInput: Bool = false) {
        if let dx {
            sgemm(transA: false, transB: false, m: rows, n: inDim, k: outDim, a: dy, lda: outDim, b: w, ldb: inDim,
                  beta: accumulateInput ? 1 : 0, c: dx, ldc: inDim)
        }
        sgemm(transA: true, transB: false, m: outDim, n: inDim, k: rows, a: dy, lda: outDim, b: x, ldb: inDim,
              beta: 1, c: dw, ldc: inDim)
    }
}
