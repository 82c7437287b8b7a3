/// The SwiGLU gate: h = silu(g) * u, with g and u side by side in one row ([gate | up]) because the
/// gate and up projections run as one fused product.
public enum SwiGLU {
    /// h[t, :] = silu(gu[t, 0..<n]) * gu[t, n..<2n].
    public static func forward(h: UnsafeMutablePointer<Float>, gu: UnsafePointer<Float>, rows: Int, dim n: Int, threads: ComputeThreads = .automatic) {
        threads.forChunks(rows, minChunk: 16) { r in
            for t in r {
                let g = gu + t * 2 * n, u = g + n, o = h + t * n
                var i = 0
                let one = Vec8(repeating: 1)
                while i + 8 <= n {
                    let gv = load8(g + i)
                    store8(gv / (one + exp8(-gv)) * load8(u + i), o + i)
                    i += 8
                }
                while i < n { o[i] = g[i] / (1 + exp1(-g[i])) * u[i]; i += 1 }
            }
        }
    }

    /// dgu[t] = [dh * u * silu'(g) | dh * silu(g)], silu'(g) = s(g) (1 + g (1 - s(g))).
    public static func backward(dgu: UnsafeMutablePointer<Float>, dh: UnsafePointer<Float>, gu: UnsafePointer<Float>,
                                rows: Int, dim n: Int, threads: ComputeThreads = .automatic) {
        threads.forChunks(rows, minChunk: 16) { r in
            for t in r {
                let g = gu + t * 2 * n, u = g + n, d = dh + t * n
                let dg = dgu + t * 2 * n, du = dg + n
                var i = 0
                let one = Vec8(repeating: 1)
                while i + 8 <= n {
                    let gv = load8(g + i), uv = load8(u + i), dv = load8(d + i)
                    let s = one / (one + exp8(-gv))
                    store8(dv * uv * s * one.addingProduct(gv, one - s), dg + i)
                    store8(dv * gv * s, du + i)
                    i += 8
                }
                while i < n {
                    let s = 1 / (1 + exp1(-g[i]))
                    dg[i] = d[i] * u[i] * s * Float(1).addingProduct(g[i], 1 - s)
                    du[i] = d[i] * g[i] * s
                    i += 1
                }
            }
        }
    }
}
