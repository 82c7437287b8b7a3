/// Matrix products through OpenBLAS `cblas_sgemm` (loaded at run time by `BLASRuntime`), row-major.
///
/// Linear layers keep Hugging Face's weight layout `W[out, in]`, so `y = x W^T` is one
/// `NoTrans x Trans` product and both gradients are single products too: no transposed copies.
public enum Matmul {
    /// Products at least this large (m * n * k) are split into parts; smaller ones are one call.
    public static let splitThreshold = 1 << 21
    /// Parts a split product is cut into along the larger of m and n: a constant (not the thread
    /// count), so every thread count issues the same OpenBLAS calls with the same shapes (an
    /// element's value can depend on the call's m and n: OpenBLAS's small-matrix paths and edge
    /// kernels) and the same bits come out. Four keeps 1, 2 and 4 threads evenly loaded.
    public static let productParts = 4
    /// Part boundaries fall on multiples of this (OpenBLAS's register blocks), except the last.
    public static let partAlignment = 16

    /// The length of the parts `sgemm` cuts a dimension of `n` into: `n / productParts` rounded up to
    /// a multiple of `partAlignment` (fewer, whole-block parts when `n` is small).
    @inlinable
    public static func productPartSize(_ n: Int) -> Int {
        let parts = max(1, min(productParts, n / partAlignment))
        let size = (n + parts - 1) / parts
        return max(partAlignment, (size + partAlignment - 1) / partAlignment * partAlignment)
    }

    /// How many parts `sgemm` cuts a dimension of `n` into (the last may be shorter).
    @inlinable
    public static func productPartCount(_ n: Int) -> Int {
        let size = productPartSize(n)
        return max(1, (n + size - 1) / size)
    }

    /// Part `index` of a dimension of `n`.
    @inlinable
    public static func productPart(_ n: Int, index: Int) -> Range<Int> {
        let size = productPartSize(n)
        let start = min(n, index * size)
        return start..<min(n, start + size)
    }

    /// C[m,n] = alpha * op(A) op(B) + beta * C, all row-major with the given leading dimensions.
    ///
    /// Products of at least `splitThreshold` are cut along the larger of m and n into
    /// `productPartCount` parts run on `threads` (OpenBLAS single-threaded): the calls and their
    /// shapes depend only on m, n, k, so the result is the same bits for any thread count.
    @inlinable
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: ComputeThreads = .automatic) {
        guard threads.splitProducts else {
            Parallel.setBLASThreads(threads.count)
            sgemmDirect(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
            return
        }
        Parallel.setBLASThreads(1)
        guard m * n * k >= splitThreshold else {
            sgemmDirect(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= n {
            let parts = productPartCount(m)
            threads.forParts(parts) { p, _ in
                let r = productPart(m, index: p)
                sgemmDirect(transA: transA, transB: transB, m: r.count, n: n, k: k, alpha: alpha,
                            a: transA ? a + r.lowerBound : a + r.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: c + r.lowerBound * ldc, ldc: ldc)
            }
        } else {
            let parts = productPartCount(n)
            threads.forParts(parts) { p, _ in
                let r = productPart(n, index: p)
                sgemmDirect(transA: transA, transB: transB, m: m, n: r.count, k: k, alpha: alpha, a: a, lda: lda,
                            b: transB ? b + r.lowerBound * ldb : b + r.lowerBound, ldb: ldb,
                            beta: beta, c: c + r.lowerBound, ldc: ldc)
            }
        }
    }

    /// One OpenBLAS call (the only `cblas_sgemm` call site). Callers inside our own parallel regions
    /// (attention) call it directly after `Parallel.setBLASThreads(1)`.
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
                                     rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false,
                                     threads: ComputeThreads = .automatic) {
        sgemm(transA: false, transB: true, m: rows, n: outDim, k: inDim, a: x, lda: inDim, b: w, ldb: inDim,
              beta: accumulate ? 1 : 0, c: y, ldc: outDim, threads: threads)
    }

    /// Gradients of `linearForward`: dx (+)= dy W, dW += dy^T x.
    /// `accumulateInput` adds into dx instead of overwriting it (for residual branches).
    @inlinable
    public static func linearBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                                      dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                      rows: Int, inDim: Int, outDim: Int, accumulateInput: Bool = false,
                                      threads: ComputeThreads = .automatic) {
        if let dx {
            sgemm(transA: false, transB: false, m: rows, n: inDim, k: outDim, a: dy, lda: outDim, b: w, ldb: inDim,
                  beta: accumulateInput ? 1 : 0, c: dx, ldc: inDim, threads: threads)
        }
        sgemm(transA: true, transB: false, m: outDim, n: inDim, k: rows, a: dy, lda: outDim, b: x, ldb: inDim,
              beta: 1, c: dw, ldc: inDim, threads: threads)
    }
}
