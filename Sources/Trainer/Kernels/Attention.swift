/// Causal multi-head attention with grouped-query heads over packed rows.
///
/// Q, K and V come fused in one row per token, `[q heads | k heads | v heads]` (the three
/// projections run as one product). Each query attends to keys from the start of its own example
/// up to itself: `segmentStart[t]` is the row-local index where token t's example begins, which
/// makes the mask block-diagonal causal and keeps packed examples apart.
///
/// Scores and outputs are strided `sgemm`s on the fused rows (no copies). Work items are
/// (row, kv head) pairs: each writes disjoint parts of every output, so items run on separate
/// threads (OpenBLAS single-threaded inside) and results do not depend on the thread count.
public struct AttentionShape: Sendable {
    public var rows: Int, length: Int, heads: Int, kvHeads: Int, headDim: Int
    public init(rows: Int, length: Int, heads: Int, kvHeads: Int, headDim: Int) {
        self.rows = rows; self.length = length; self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim
    }
    /// Floats per token in the fused q|k|v row.
    public var qkvStride: Int { (heads + 2 * kvHeads) * headDim }
    /// Floats per token of the attention output.
    public var outStride: Int { heads * headDim }
    /// Floats of saved attention probabilities for a whole batch.
    public var probsCount: Int { rows * heads * length * length }
}

public enum Attention {
    /// out[t, h*hd..] = sum_j P[h, t, j] v_j with P = masked softmax(q k^T / sqrt(hd)).
    /// Saves P ([rows, heads, T, T]) in `probs`.
    public static func forward(out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, segmentStart: UnsafePointer<Int32>, shape s: AttentionShape) {
        let T = s.length, hd = s.headDim, ld = s.qkvStride, group = s.heads / s.kvHeads
        let scale = 1 / Float(hd).squareRoot()
        let items = s.rows * s.kvHeads
        Parallel.withSingleThreadedBLAS {
            Parallel.forChunks(items) { r in
                for item in r {
                    let b = item / s.kvHeads, kvh = item % s.kvHeads
                    let base = qkv + b * T * ld
                    let k = base + (s.heads + kvh) * hd, v = base + (s.heads + s.kvHeads + kvh) * hd
                    let seg = segmentStart + b * T
                    for h in (kvh * group)..<((kvh + 1) * group) {
                        let q = base + h * hd
                        let p = probs + (b * s.heads + h) * T * T
                        Matmul.sgemm(transA: false, transB: true, m: T, n: T, k: hd, alpha: scale, a: q, lda: ld,
                                     b: k, ldb: ld, beta: 0, c: p, ldc: T)
                        for t in 0..<T { softmaxRow(p + t * T, from: Int(seg[t]), through: t, count: T) }
                        Matmul.sgemm(transA: false, transB: false, m: T, n: hd, k: T, a: p, lda: T, b: v, ldb: ld,
                                     beta: 0, c: out + b * T * s.outStride + h * hd, ldc: s.outStride)
                    }
                }
            }
        }
    }

    /// Backward: writes dq, dk, dv into `dqkv` (fully overwritten) from `dOut` and the saved `probs`.
    /// `scratch` needs `Parallel.threads * T * T` floats.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, segmentStart: UnsafePointer<Int32>, shape s: AttentionShape,
                                scratch: UnsafeMutablePointer<Float>) {
        let T = s.length, hd = s.headDim, ld = s.qkvStride, group = s.heads / s.kvHeads
        let scale = 1 / Float(hd).squareRoot()
        let items = s.rows * s.kvHeads
        Parallel.withSingleThreadedBLAS {
            Parallel.forIndexedChunks(items) { c, r in
                let dp = scratch + c * T * T
                for item in r {
                    let b = item / s.kvHeads, kvh = item % s.kvHeads
                    let base = qkv + b * T * ld, dbase = dqkv + b * T * ld
                    let kOff = (s.heads + kvh) * hd, vOff = (s.heads + s.kvHeads + kvh) * hd
                    let seg = segmentStart + b * T
                    for h in (kvh * group)..<((kvh + 1) * group) {
                        let p = probs + (b * s.heads + h) * T * T
                        let dO = dOut + b * T * s.outStride + h * hd
                        let first = h == kvh * group
                        // dP = dO V^T
                        Matmul.sgemm(transA: false, transB: true, m: T, n: T, k: hd, a: dO, lda: s.outStride,
                                     b: base + vOff, ldb: ld, beta: 0, c: dp, ldc: T)
                        // dV (+)= P^T dO
                        Matmul.sgemm(transA: true, transB: false, m: T, n: hd, k: T, a: p, lda: T, b: dO, ldb: s.outStride,
                                     beta: first ? 0 : 1, c: dbase + vOff, ldc: ld)
                        // dS = P * (dP - rowsum(P*dP))
                        for t in 0..<T { softmaxBackwardRow(dp + t * T, p + t * T, from: Int(seg[t]), through: t, count: T) }
                        // dQ = scale dS K ; dK (+)= scale dS^T Q
                        Matmul.sgemm(transA: false, transB: false, m: T, n: hd, k: T, alpha: scale, a: dp, lda: T,
                                     b: base + kOff, ldb: ld, beta: 0, c: dbase + h * hd, ldc: ld)
                        Matmul.sgemm(transA: true, transB: false, m: T, n: hd, k: T, alpha: scale, a: dp, lda: T,
                                     b: base + h * hd, ldb: ld, beta: first ? 0 : 1, c: dbase + kOff, ldc: ld)
                    }
                }
            }
        }
    }

    /// Softmax over row[lo...hi]; zeros elsewhere.
    @inline(__always) @usableFromInline
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, from lo: Int, through hi: Int, count: Int) {
        if lo > 0 { row.update(repeating: 0, count: lo) }
        if hi + 1 < count { (row + hi + 1).update(repeating: 0, count: count - hi - 1) }
        let x = row + lo, n = hi - lo + 1
        var mv = Vec8(repeating: -.infinity), i = 0
        while i + 8 <= n { mv = vmax(mv, load8(x + i)); i += 8 }
        var m = mv.max()
        while i < n { m = max(m, x[i]); i += 1 }
        let mb = Vec8(repeating: m)
        var acc = Vec8()
        i = 0
        while i + 8 <= n { let e = exp8(load8(x + i) - mb); store8(e, x + i); acc += e; i += 8 }
        var sum = acc.sum()
        while i < n { let e = exp1(x[i] - m); x[i] = e; sum += e; i += 1 }
        let inv = 1 / sum, iv = Vec8(repeating: inv)
        i = 0
        while i + 8 <= n { store8(load8(x + i) * iv, x + i); i += 8 }
        while i < n { x[i] *= inv; i += 1 }
    }

    /// In place on dp: dS_j = P_j (dP_j - sum_k P_k dP_k) for j in lo...hi, zero elsewhere.
    @inline(__always) @usableFromInline
    static func softmaxBackwardRow(_ dp: UnsafeMutablePointer<Float>, _ p: UnsafePointer<Float>, from lo: Int,
                                   through hi: Int, count: Int) {
        if lo > 0 { dp.update(repeating: 0, count: lo) }
        if hi + 1 < count { (dp + hi + 1).update(repeating: 0, count: count - hi - 1) }
        let d = dp + lo, pr = p + lo, n = hi - lo + 1
        let dotv = vdot(d, pr, n)
        let dv = Vec8(repeating: dotv)
        var i = 0
        while i + 8 <= n { store8(load8(pr + i) * (load8(d + i) - dv), d + i); i += 8 }
        while i < n { d[i] = pr[i] * (d[i] - dotv); i += 1 }
    }
}
