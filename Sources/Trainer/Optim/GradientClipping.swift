/// Global-norm gradient clipping (PyTorch's `clip_grad_norm_`).
public enum GradientClipping {
    /// The L2 norm of all gradients, summed in Double over fixed chunks (deterministic).
    public static func globalNorm(_ g: FloatBuffer, threads: ComputeThreads = .automatic) -> Double {
        let chunk = 1 << 16
        let nChunks = (g.count + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: nChunks)
        partial.withUnsafeMutableBufferPointer { pp in
            let out = pp.baseAddress!
            threads.forChunks(nChunks) { r in
                for c in r {
                    let start = c * chunk, n = min(chunk, g.count - start)
                    let p = g.pointer + start
                    var acc = SIMD8<Double>(), i = 0
                    while i + 8 <= n {
                        let v = SIMD8<Double>(load8(p + i))
                        acc += v * v
                        i += 8
                    }
                    var s = acc.sum()
                    while i < n { s += Double(p[i]) * Double(p[i]); i += 1 }
                    out[c] = s
                }
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// Scales the gradients so their global norm is at most `maxNorm`
    /// (coefficient maxNorm / (norm + 1e-6), capped at 1). Returns the norm before clipping.
    @discardableResult
    public static func clip(_ g: FloatBuffer, maxNorm: Double, threads: ComputeThreads = .automatic) -> Double {
        let norm = globalNorm(g, threads: threads)
        let coef = maxNorm / (norm + 1e-6)
        if coef < 1 {
            let cf = Float(coef)
            threads.forChunks(g.count, minChunk: 1 << 14) { r in
                let p = g.pointer, cv = Vec8(repeating: cf)
                var i = r.lowerBound
                while i + 8 <= r.upperBound { store8(load8(p + i) * cv, p + i); i += 8 }
                while i < r.upperBound { p[i] *= cf; i += 1 }
            }
        }
        return norm
    }
}
