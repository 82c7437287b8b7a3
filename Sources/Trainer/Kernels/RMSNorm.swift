/// RMSNorm as Hugging Face's `LlamaRMSNorm`: y = w * x / sqrt(mean(x^2) + eps), in fp32.
public enum RMSNorm {
    /// Normalises each of `rows` rows of `dim`; saves 1/rms per row in `rstd` for the backward pass.
    public static func forward(out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
                               x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               rows: Int, dim: Int, eps: Float, threads: ComputeThreads = .automatic) {
        threads.forChunks(rows, minChunk: 64) { r in
            for t in r {
                let xr = x + t * dim, o = out + t * dim
                let ms = vdot(xr, xr, dim) / Float(dim)
                let s = 1 / (ms + eps).squareRoot()
                rstd[t] = s
                let sv = Vec8(repeating: s)
                var i = 0
                while i + 8 <= dim { store8(load8(weight + i) * (load8(xr + i) * sv), o + i); i += 8 }
                while i < dim { o[i] = weight[i] * (xr[i] * s); i += 1 }
            }
        }
    }

    /// Backward: dx += s * (w*dy - xhat * mean(w*dy*xhat)) with xhat = x*s; dWeight += sum_t dy*xhat.
    /// Each part (cut by `rows` alone) sums its weight gradient separately; parts are added in order,
    /// so the sum is the same bits for any thread count.
    public static func backward(dx: UnsafeMutablePointer<Float>, dWeight: UnsafeMutablePointer<Float>,
                                dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rstd: UnsafePointer<Float>, rows: Int, dim: Int, threads: ComputeThreads = .automatic) {
        let partial = FloatBuffer(count: Parallel.partCount(rows, minChunk: 64) * dim)
        let pp = partial.pointer
        let used = threads.forIndexedChunks(rows, minChunk: 64) { c, r in
            let dw = pp + c * dim
            for t in r {
                let xr = x + t * dim, g = dy + t * dim, d = dx + t * dim
                let s = rstd[t]
                // mean(w*dy*xhat) = s * sum(w*dy*x) / dim
                var acc = Vec8(), i = 0
                while i + 8 <= dim { acc = acc.addingProduct(load8(weight + i) * load8(g + i), load8(xr + i)); i += 8 }
                var dotv = acc.sum()
                while i < dim { dotv = dotv.addingProduct(weight[i] * g[i], xr[i]); i += 1 }
                let k = dotv * s * s / Float(dim)
                let sv = Vec8(repeating: s), kv = Vec8(repeating: k)
                i = 0
                while i + 8 <= dim {
                    let xv = load8(xr + i), gv = load8(g + i)
                    // Fused forms (one rounding each); the scalar tail below computes the same expressions.
                    store8(load8(d + i).addingProduct(sv, (load8(weight + i) * gv).addingProduct(-xv, kv)), d + i)
                    store8(load8(dw + i).addingProduct(gv * xv, sv), dw + i)
                    i += 8
                }
                while i < dim {
                    d[i] = d[i].addingProduct(s, (weight[i] * g[i]).addingProduct(-xr[i], k))
                    dw[i] = dw[i].addingProduct(g[i] * xr[i], s)
                    i += 1
                }
            }
        }
        for c in 0..<used { vadd(dWeight, pp + c * dim, dim) }
    }
}
