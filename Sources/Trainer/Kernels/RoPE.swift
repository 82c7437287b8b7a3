import Foundation

/// Rotary position embedding in Hugging Face's rotate-half form (not llama.cpp's interleaved one):
/// for i < d/2, (x_i, x_{i+d/2}) is rotated by angle pos * theta^(-2i/d).
public struct RoPETable: @unchecked Sendable {
    public let headDim: Int
    public let maxPositions: Int
    /// cos and sin of pos * inv_freq_i, [maxPositions, headDim/2].
    let cos: FloatBuffer
    let sin: FloatBuffer

    /// Precomputes the angles (in Double, rounded once) for positions `0..<maxPositions`.
    public init(headDim: Int, theta: Double, maxPositions: Int) {
        self.headDim = headDim
        self.maxPositions = maxPositions
        let half = headDim / 2
        cos = FloatBuffer(count: maxPositions * half)
        sin = FloatBuffer(count: maxPositions * half)
        // Hugging Face computes inv_freq in fp32: 1 / theta^(2i/d). Match it, then form angles in Double.
        var invFreq = [Float](repeating: 0, count: half)
        for i in 0..<half { invFreq[i] = Float(1.0 / Foundation.pow(theta, Double(2 * i) / Double(headDim))) }
        for p in 0..<maxPositions {
            for i in 0..<half {
                let a = Double(Float(p) * invFreq[i])
                cos.pointer[p * half + i] = Float(Foundation.cos(a))
                sin.pointer[p * half + i] = Float(Foundation.sin(a))
            }
        }
    }

    /// Rotates `heads` consecutive heads of every row in place. Rows are `rowStride` apart; the
    /// heads start at column `firstColumn`. `inverse` applies the transposed rotation (the backward
    /// pass: the gradient of a rotation is the opposite rotation).
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, firstColumn: Int, heads: Int,
                      positions: UnsafePointer<Int32>, inverse: Bool, threads: ComputeThreads = .automatic) {
        let half = headDim / 2, hd = headDim
        let cp = cos.pointer, spBase = sin.pointer
        let sign: Float = inverse ? -1 : 1
        threads.forChunks(rows, minChunk: 64) { r in
            for t in r {
                let pos = Int(positions[t])
                let c = cp + pos * half, s = spBase + pos * half
                for h in 0..<heads {
                    let a = x + t * rowStride + firstColumn + h * hd, b = a + half
                    var i = 0
                    let sg = Vec8(repeating: sign)
                    while i + 8 <= half {
                        let av = load8(a + i), bv = load8(b + i), cv = load8(c + i), sv = load8(s + i) * sg
                        store8((av * cv).addingProduct(-bv, sv), a + i)
                        store8((bv * cv).addingProduct(av, sv), b + i)
                        i += 8
                    }
                    while i < half {
                        let av = a[i], bv = b[i], cv = c[i], sv = s[i] * sign
                        a[i] = (av * cv).addingProduct(-bv, sv)
                        b[i] = (bv * cv).addingProduct(av, sv)
                        i += 1
                    }
                }
            }
        }
    }
}
