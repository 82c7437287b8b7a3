import Foundation

/// AdamW as PyTorch's `torch.optim.AdamW` computes it (decoupled weight decay applied first,
/// bias-corrected moments), over the flat parameter buffer. Weight decay skips 1-D tensors
/// (norm weights), as Hugging Face's Trainer does.
public final class AdamW {
    public struct Settings: Sendable, Equatable {
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double
        public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.0) {
            self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        }
    }

    public var settings: Settings
    /// First and second moments, same layout as the parameters.
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Steps taken so far (the bias correction uses step + 1 on the next call).
    public var step: Int
    /// Per-float decay flag ranges: (offset, count, decays).
    let segments: [(offset: Int, count: Int, decays: Bool)]
    /// Threads the update runs on (each float's update is independent: any count gives the same bits).
    public var threads: ComputeThreads

    /// An optimiser for parameters laid out by `layout`.
    public init(layout: ParameterLayout, settings: Settings = Settings(), threads: ComputeThreads = .automatic) {
        self.settings = settings
        self.threads = threads
        m = FloatBuffer(count: layout.count)
        v = FloatBuffer(count: layout.count)
        step = 0
        segments = layout.tensors.map { ($0.offset, $0.count, $0.decays) }
    }

    /// One update: p -= lr * wd * p (matrices only); then the Adam step with bias correction.
    public func update(parameters: FloatBuffer, gradients: FloatBuffer, learningRate lr: Double) {
        precondition(parameters.count == m.count && gradients.count == m.count, "AdamW: buffer size mismatch")
        step += 1
        let b1 = Float(settings.beta1), b2 = Float(settings.beta2)
        let bc1 = 1 - Foundation.pow(settings.beta1, Double(step))
        let bc2 = 1 - Foundation.pow(settings.beta2, Double(step))
        let stepSize = Float(lr / bc1)
        let invSqrtBc2 = Float(1 / bc2.squareRoot())
        let eps = Float(settings.eps)
        let P = parameters.pointer, G = gradients.pointer, M = m.pointer, Vv = v.pointer
        for seg in segments {
            let decay: Float = seg.decays ? Float(1 - lr * settings.weightDecay) : 1
            threads.forChunks(seg.count, minChunk: 1 << 14) { r in
                let b1v = Vec8(repeating: b1), b2v = Vec8(repeating: b2)
                let ob1 = Vec8(repeating: 1 - b1), ob2 = Vec8(repeating: 1 - b2)
                let dv = Vec8(repeating: decay), sv = Vec8(repeating: stepSize)
                let cv = Vec8(repeating: invSqrtBc2), ev = Vec8(repeating: eps)
                var i = seg.offset + r.lowerBound
                let end = seg.offset + r.upperBound
                while i + 8 <= end {
                    let g = load8(G + i)
                    // Fused multiply-adds; the scalar tail computes the same expressions lane for lane.
                    let mi = (b1v * load8(M + i)).addingProduct(ob1, g)
                    let vi = (b2v * load8(Vv + i)).addingProduct(ob2 * g, g)
                    store8(mi, M + i); store8(vi, Vv + i)
                    let denom = ev.addingProduct(vi.squareRoot(), cv)
                    store8((load8(P + i) * dv).addingProduct(-sv, mi / denom), P + i)
                    i += 8
                }
                while i < end {
                    let g = G[i]
                    let mi = (b1 * M[i]).addingProduct(1 - b1, g)
                    let vi = (b2 * Vv[i]).addingProduct((1 - b2) * g, g)
                    M[i] = mi; Vv[i] = vi
                    P[i] = (P[i] * decay).addingProduct(-stepSize, mi / eps.addingProduct(vi.squareRoot(), invSqrtBc2))
                    i += 1
                }
            }
        }
    }
}
