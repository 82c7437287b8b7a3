import Foundation

/// What a forward pass reports: the weighted mean negative log-likelihood over counted tokens.
public struct ForwardResult: Sendable, Equatable {
    /// sum_t w_t * (-log p(target_t)) / sum_t w_t (0 when no token counts).
    public var loss: Double
    /// sum_t w_t * (-log p(target_t)).
    public var lossSum: Double
    /// sum_t w_t over tokens with a target.
    public var weightSum: Double
}

/// A Llama-family decoder (Hugging Face's `LlamaForCausalLM`) in fp32 with a hand-written backward pass.
///
/// Weights live in one flat buffer laid out by `ParameterLayout`; gradients, once asked for, in a
/// second buffer of the same layout that `backward` accumulates into (so gradient accumulation
/// over micro-batches is just several backward calls before one optimiser step).
public final class LlamaModel {
    public let config: LlamaConfig
    public let layout: ParameterLayout
    /// All weights, flat.
    public let parameters: FloatBuffer
    /// Gradients in the same layout; allocated by the first `backward` or `zeroGradients`.
    public private(set) var gradients: FloatBuffer?
    /// The Q4_0/Q4_1/Q8_0 blocks the weights were dequantised from, when loaded from such a GGUF file
    /// (`GGUFFile.loadLlama`): `InferenceSession` decodes from them (bitwise the same logits, a
    /// fifth of the bytes read per step) after checking they still match `parameters`. Training
    /// and checkpoint restores set it to nil; set it to nil yourself after editing weights by hand.
    public var quantizedWeights: QuantizedWeights?
    /// Grown on demand up to max_position_embeddings (a config's maximum can be far beyond what is used).
    var rope: RoPETable
    var acts: Activations?
    /// Threads the forward and backward passes run on (default: the active cores). Any count gives
    /// the same bits: kernels cut their work by shape only (`Parallel`).
    public var threads: ComputeThreads = .automatic

    /// A new model with weights drawn from N(0, initializer_range) and norm weights 1 (as HF does).
    public convenience init(config: LlamaConfig, seed: UInt64) throws {
        try config.validate()
        let layout = ParameterLayout(config: config)
        let p = FloatBuffer(count: layout.count)
        var rng = SplitMix64(seed: seed)
        for t in layout.tensors {
            let dst = p.pointer + t.offset
            if t.shape.count == 1 {
                dst.update(repeating: 1, count: t.count)
            } else {
                for i in 0..<t.count { dst[i] = Float(rng.nextGaussian() * config.initializerRange) }
            }
        }
        try self.init(config: config, parameters: p)
    }

    /// A model over existing weights (laid out by `ParameterLayout(config:)`).
    public init(config: LlamaConfig, parameters: FloatBuffer) throws {
        try config.validate()
        try MachineCheck.requireTrainerKernels()
        let layout = ParameterLayout(config: config)
        guard parameters.count == layout.count else {
            throw TrainerError.invalidConfig("parameter buffer has \(parameters.count) floats, layout needs \(layout.count)")
        }
        self.config = config
        self.layout = layout
        self.parameters = parameters
        rope = RoPETable(headDim: config.headDim, theta: config.ropeTheta, maxPositions: min(config.maxPositionEmbeddings, 2048))
    }

    /// A copy of one tensor's weights by Hugging Face name.
    public func tensor(_ name: String) -> [Float]? {
        guard let t = layout.tensor(named: name) else { return nil }
        return Array(UnsafeBufferPointer(start: parameters.pointer + t.offset, count: t.count))
    }

    /// Sets every gradient to zero (allocating the gradient buffer if needed).
    public func zeroGradients() {
        if let g = gradients { g.zero() } else { gradients = FloatBuffer(count: layout.count) }
    }

    /// Computes logits over the vocabulary (and their gradient) only for tokens that have a target and a
    /// positive loss weight; the others get log-probability 0 in `tokenLogProbs`, `logits` is nil, and
    /// `backward(logProbGradients:)` requires their gradients to be 0. For objectives that read only the
    /// weighted tokens' log-probabilities (RLVR's scoring of completions: with a short completion after a long
    /// prompt, the prompt's vocabulary products were most of the pass). Off by default.
    public var logitsForWeightedTokensOnly = false

    /// Logits of the last forward pass, [rows * length, vocab]. Overwritten by `backward`. Nil after a pass
    /// with `logitsForWeightedTokensOnly`.
    public var logits: UnsafeBufferPointer<Float>? {
        guard let a = acts, a.forwardDone, a.headRows == nil, let l = a.logits else { return nil }
        return UnsafeBufferPointer(start: l.pointer, count: a.tokens * config.vocabSize)
    }

    /// log p(target_t) per token of the last forward pass (0 where there is no target).
    public var tokenLogProbs: [Float] {
        guard let a = acts else { return [] }
        return a.logProb.array
    }

    // MARK: forward

    /// Runs the model on a batch, keeping activations for `backward`, and returns the loss.
    public func forward(_ batch: TokenBatch) throws -> ForwardResult {
        let c = config
        for (i, tok) in batch.tokens.enumerated() where tok < 0 || Int(tok) >= c.vocabSize {
            throw TrainerError.invalidBatch("token \(i): id \(tok) outside the vocabulary (\(c.vocabSize))")
        }
        for (i, tgt) in batch.targets.enumerated() where Int(tgt) >= c.vocabSize || tgt < -1 {
            throw TrainerError.invalidBatch("token \(i): target \(tgt) outside the vocabulary (\(c.vocabSize))")
        }
        for (i, p) in batch.positions.enumerated() where Int(p) >= c.maxPositionEmbeddings {
            throw TrainerError.invalidBatch("token \(i): position \(p) beyond max_position_embeddings \(c.maxPositionEmbeddings)")
        }
        let maxPos = Int(batch.positions.max() ?? 0)
        if maxPos >= rope.maxPositions {
            rope = RoPETable(headDim: c.headDim, theta: c.ropeTheta, maxPositions: min(c.maxPositionEmbeddings, max(maxPos + 1, 2 * rope.maxPositions)))
        }
        let a: Activations
        if let existing = acts, existing.rows == batch.rows, existing.length == batch.length {
            a = existing
        } else {
            a = Activations(config: c, rows: batch.rows, length: batch.length)
            if let old = acts { a.takeLogits(from: old) }
            acts = a
        }
        a.tokenIds = batch.tokens; a.positions = batch.positions; a.segmentStarts = batch.segmentStarts
        a.targets = batch.targets; a.weights = batch.weights
        a.forwardDone = false

        let N = a.tokens, D = c.hiddenSize
        let eps = Float(c.rmsNormEps)
        let W = parameters.pointer, threads = self.threads
        let shape = AttentionShape(rows: batch.rows, length: batch.length, heads: c.numAttentionHeads,
                                   kvHeads: c.numKeyValueHeads, headDim: c.headDim)
        let attScratch = a.attentionScratch(shape, threads: threads)
        batch.tokens.withUnsafeBufferPointer { tok in
            Embedding.forward(out: a.residual.pointer, table: W + layout.embed, tokens: tok.baseAddress!, count: N, dim: D,
                              threads: threads)
        }
        let products = BLASProducts(weights: W, threads: threads)
        batch.positions.withUnsafeBufferPointer { posBuf in
            batch.segmentStarts.withUnsafeBufferPointer { segBuf in
                let pos = posBuf.baseAddress!
                let attention = CausalAttention(segmentStart: segBuf.baseAddress!, shape: shape, scratch: attScratch, threads: threads)
                for l in 0..<c.numHiddenLayers {
                    decoderLayer(l).forward(a.layer(l), rows: N, positions: pos, products: products, attention: attention)
                }
            }
        }
        let xLast = a.residual.pointer + c.numHiddenLayers * N * D
        RMSNorm.forward(out: a.lnF.pointer, rstd: a.rstdF.pointer, x: xLast, weight: W + layout.finalNorm, rows: N, dim: D, eps: eps,
                        threads: threads)
        if logitsForWeightedTokensOnly {
            // Gather the weighted tokens' normed states; their logits, log-sum-exps and log-probs are
            // computed as a compact batch, and the log-probs scattered back (0 elsewhere).
            let head = (0..<N).filter { batch.targets[$0] >= 0 && batch.weights[$0] > 0 }
            let M = head.count
            let hx = a.ensureHeadInput()
            for (k, t) in head.enumerated() { (hx.pointer + k * D).update(from: a.lnF.pointer + t * D, count: D) }
            a.headRows = head
            a.headTargets = head.map { batch.targets[$0] }
            a.logProb.pointer.update(repeating: 0, count: N)
            if M > 0 {
                let logits = a.ensureLogits(rows: M)
                products.linear(logits.pointer, hx.pointer, weightOffset: layout.lmHead, rows: M, inDim: D, outDim: c.vocabSize,
                                accumulate: false)
                var lp = [Float](repeating: 0, count: M)
                a.headTargets.withUnsafeBufferPointer { tg in
                    lp.withUnsafeMutableBufferPointer { out in
                        CrossEntropy.forward(logits: logits.pointer, targets: tg.baseAddress!, rows: M, vocab: c.vocabSize,
                                             lse: a.lse.pointer, logProb: out.baseAddress!, threads: threads)
                    }
                }
                for (k, t) in head.enumerated() { a.logProb.pointer[t] = lp[k] }
            }
        } else {
            a.headRows = nil
            let logits = a.ensureLogits(rows: N)
            products.linear(logits.pointer, a.lnF.pointer, weightOffset: layout.lmHead, rows: N, inDim: D, outDim: c.vocabSize,
                            accumulate: false)
            batch.targets.withUnsafeBufferPointer { tg in
                CrossEntropy.forward(logits: logits.pointer, targets: tg.baseAddress!, rows: N, vocab: c.vocabSize,
                                     lse: a.lse.pointer, logProb: a.logProb.pointer, threads: threads)
            }
        }
        a.forwardDone = true
        var lossSum = 0.0, wSum = 0.0
        for t in 0..<N where batch.targets[t] >= 0 {
            let w = Double(batch.weights[t])
            lossSum -= w * Double(a.logProb.pointer[t])
            wSum += w
        }
        return ForwardResult(loss: wSum > 0 ? lossSum / wSum : 0, lossSum: lossSum, weightSum: wSum)
    }

    /// Layer `l`'s math over this model's weights (shared with `InferenceSession`).
    func decoderLayer(_ l: Int) -> DecoderLayer {
        DecoderLayer(config: config, weights: parameters.pointer, offsets: layout.layers[l], rope: rope, threads: threads)
    }

    // MARK: backward

    /// Accumulates into `gradients` the gradient of sum_t w_t (-log p_t) / normalizer for the last
    /// forward batch. The normalizer defaults to that batch's weight sum (a mean over its counted
    /// tokens); pass the total over all micro-batches when accumulating gradients.
    public func backward(normalizer: Double? = nil) throws {
        guard let a = acts, a.forwardDone else { throw TrainerError.invalidState("backward called without a forward pass") }
        var wSum = 0.0
        for t in 0..<a.tokens where a.targets[t] >= 0 { wSum += Double(a.weights[t]) }
        let norm = normalizer ?? wSum
        let inv = norm > 0 ? Float(1 / norm) : 0
        try backward(coefficients: a.weights.map { $0 * inv })
    }

    /// Accumulates the gradient of sum_t g_t * log p(target_t), given g_t = `logProbGradients[t]`
    /// (for losses built on sequence log-probabilities, such as DPO).
    public func backward(logProbGradients g: [Float]) throws {
        try backward(coefficients: g.map { -$0 })
    }

    /// Core backward: coefficient c_t multiplies -log p_t in the loss.
    func backward(coefficients coef: [Float]) throws {
        guard let a = acts, a.forwardDone else { throw TrainerError.invalidState("backward called without a forward pass") }
        guard coef.count == a.tokens else { throw TrainerError.invalidBatch("need one gradient per token (\(a.tokens))") }
        if gradients == nil { gradients = FloatBuffer(count: layout.count) }
        guard let grads = gradients else { return }
        a.ensureBackwardScratch()
        let c = config
        let N = a.tokens, D = c.hiddenSize, V = c.vocabSize
        let W = parameters.pointer, G = grads.pointer, threads = self.threads
        let shape = AttentionShape(rows: a.rows, length: a.length, heads: c.numAttentionHeads,
                                   kvHeads: c.numKeyValueHeads, headDim: c.headDim)
        guard let dRes = a.dRes?.pointer, let dLn = a.dLn?.pointer, let dH = a.dHidden?.pointer,
              let dGU = a.dGateUp?.pointer, let dAtt = a.dAttOut?.pointer, let dQKV = a.dQKV?.pointer
        else { throw TrainerError.invalidState("missing backward buffers") }
        let attScratch = a.attentionScratch(shape, threads: threads)

        // Loss -> logits -> final norm.
        if let head = a.headRows {
            var inHead = [Bool](repeating: false, count: N)
            for t in head { inHead[t] = true }
            for t in 0..<N where !inHead[t] && coef[t] != 0 {
                throw TrainerError.invalidBatch("token \(t) has a gradient but no logits (weight 0 with logitsForWeightedTokensOnly)")
            }
            a.forwardDone = false  // logits become their gradient below
            let M = head.count
            dLn.update(repeating: 0, count: N * D)
            if M > 0, let hx = a.headInput, let logits = a.logits?.pointer {
                let cc = head.map { coef[$0] }
                a.headTargets.withUnsafeBufferPointer { tg in
                    cc.withUnsafeBufferPointer { cf in
                        CrossEntropy.backward(logits: logits, targets: tg.baseAddress!, coef: cf.baseAddress!,
                                              lse: a.lse.pointer, rows: M, vocab: V, threads: threads)
                    }
                }
                // dRes holds the compact input gradient until it is scattered into dLn (dRes is zeroed next).
                Matmul.linearBackward(dx: dRes, dw: G + layout.lmHead, dy: logits, x: hx.pointer, w: W + layout.lmHead,
                                      rows: M, inDim: D, outDim: V, threads: threads)
                for (k, t) in head.enumerated() { (dLn + t * D).update(from: dRes + k * D, count: D) }
            }
        } else {
            guard let logits = a.logits?.pointer else { throw TrainerError.invalidState("backward called without logits") }
            a.forwardDone = false  // logits become their gradient below
            a.targets.withUnsafeBufferPointer { tg in
                coef.withUnsafeBufferPointer { cf in
                    CrossEntropy.backward(logits: logits, targets: tg.baseAddress!, coef: cf.baseAddress!,
                                          lse: a.lse.pointer, rows: N, vocab: V, threads: threads)
                }
            }
            Matmul.linearBackward(dx: dLn, dw: G + layout.lmHead, dy: logits, x: a.lnF.pointer, w: W + layout.lmHead,
                                  rows: N, inDim: D, outDim: V, threads: threads)
        }
        dRes.update(repeating: 0, count: N * D)
        let xLast = a.residual.pointer + c.numHiddenLayers * N * D
        RMSNorm.backward(dx: dRes, dWeight: G + layout.finalNorm, dy: dLn, x: xLast, weight: W + layout.finalNorm,
                         rstd: a.rstdF.pointer, rows: N, dim: D, threads: threads)

        let g = DecoderLayer.Gradients(dRes: dRes, dLn: dLn, dH: dH, dGU: dGU, dAtt: dAtt, dQKV: dQKV)
        a.positions.withUnsafeBufferPointer { posBuf in
            a.segmentStarts.withUnsafeBufferPointer { segBuf in
                let pos = posBuf.baseAddress!
                let attention = CausalAttention(segmentStart: segBuf.baseAddress!, shape: shape, scratch: attScratch, threads: threads)
                for l in stride(from: c.numHiddenLayers - 1, through: 0, by: -1) {
                    decoderLayer(l).backward(a.layer(l), g, grads: G, rows: N, positions: pos, attention: attention)
                }
            }
        }
        a.tokenIds.withUnsafeBufferPointer { tok in
            Embedding.backward(dTable: G + layout.embed, dOut: dRes, tokens: tok.baseAddress!, count: N, dim: D, threads: threads)
        }
    }
}
