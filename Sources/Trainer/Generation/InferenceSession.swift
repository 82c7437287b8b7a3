/// Inference over a `LlamaModel`'s weights with a key/value cache: the generation forward path.
///
/// The cache has a fixed number of slots (one per sequence being decoded) and a capacity in
/// positions. Feeding tokens to a slot appends their keys and values at the slot's next positions
/// and returns the logits of the last token fed, so decoding never recomputes a prefix. Slots can
/// share a prompt by copying its cached prefix (`copyPrefix`) instead of running it again, and can
/// be rolled back (`truncate`), which budget forcing uses to take back a suppressed delimiter.
///
/// Two product paths: `prefill` (a prompt, many rows) uses OpenBLAS; `feed` (decode steps, few
/// rows per slot) uses `BatchedLinear`, whose per-row results do not depend on the other rows, so a
/// sample's tokens are the same whether it is decoded alone or in a batch. When the model was loaded
/// from Q4_0/Q4_1/Q8_0 GGUF blocks (`LlamaModel.quantizedWeights`) and they still match its parameters,
/// `feed` reads the blocks instead (~1/5 of the bytes): `QuantizedDotLinear`, or `QuantizedLinear` (bitwise the fp32 logits) when exact.
public final class InferenceSession {
    public let model: LlamaModel
    public let slots: Int
    public let capacity: Int
    /// Positions filled per slot.
    public private(set) var lengths: [Int]
    let keys: FloatBuffer
    let values: FloatBuffer
    let rope: RoPETable
    let kvDim: Int
    /// The quantised blocks decode steps read, or nil (fp32 weights): the model's store when asked
    /// for and when a sample of its blocks matched the fp32 parameters at creation.
    public let quantizedWeights: QuantizedWeights?
    /// Threads the session's kernels run on (default: the model's). Any count gives the same logits.
    public var threads: ComputeThreads
    /// True: decode steps from GGUF blocks use `QuantizedLinear` (the fp32 logits' bits) instead of
    /// `QuantizedDotLinear` (integer dot products, within a stated tolerance of them): `--exact`.
    public let exactQuantized: Bool

    /// A session with `slots` sequences of at most `capacity` positions each.
    ///
    /// With `useQuantizedWeights` (the default), decode steps read the model's quantised blocks if it
    /// has them and `QuantizedWeights.matches` confirms they still describe its parameters (they
    /// would not after training in-process); otherwise, and with `false`, the fp32 parameters.
    /// Either way the logits are the same bits.
    /// From the blocks, `QuantizedDotLinear` (int16 activations, integer dot products) stays within a stated tolerance of
    /// the fp32 logits; `exactQuantized` picks `QuantizedLinear` instead, whose logits are the fp32 bits.
    public init(model: LlamaModel, slots: Int, capacity: Int, useQuantizedWeights: Bool = true,
                threads: ComputeThreads? = nil, exactQuantized: Bool = false) throws {
        let c = model.config
        guard slots > 0, capacity > 0 else { throw TrainerError.invalidConfig("a session needs at least one slot and one position") }
        guard capacity <= c.maxPositionEmbeddings else {
            throw TrainerError.invalidConfig("capacity \(capacity) exceeds max_position_embeddings \(c.maxPositionEmbeddings)")
        }
        self.model = model
        self.threads = threads ?? model.threads
        self.exactQuantized = exactQuantized
        self.slots = slots
        self.capacity = capacity
        kvDim = c.numKeyValueHeads * c.headDim
        lengths = Array(repeating: 0, count: slots)
        let n = c.numHiddenLayers * slots * capacity * kvDim
        keys = FloatBuffer(count: n)
        values = FloatBuffer(count: n)
        rope = RoPETable(headDim: c.headDim, theta: c.ropeTheta, maxPositions: capacity)
        if useQuantizedWeights, let q = model.quantizedWeights, q.matches(model.parameters) {
            quantizedWeights = q
        } else {
            quantizedWeights = nil
        }
    }

    /// Empties a slot.
    public func reset(slot: Int) { lengths[slot] = 0 }

    /// Forgets positions from `length` on (they are overwritten by the next tokens fed).
    public func truncate(slot: Int, to length: Int) { lengths[slot] = max(0, min(lengths[slot], length)) }

    /// Copies the first `length` cached positions of `from` into `to` (a shared prompt prefix).
    public func copyPrefix(from: Int, to: Int, length: Int) {
        let n = min(length, lengths[from])
        let c = model.config
        for l in 0..<c.numHiddenLayers {
            let src = offset(layer: l, slot: from, position: 0), dst = offset(layer: l, slot: to, position: 0)
            (keys.pointer + dst).update(from: keys.pointer + src, count: n * kvDim)
            (values.pointer + dst).update(from: values.pointer + src, count: n * kvDim)
        }
        lengths[to] = n
    }

    @inline(__always)
    func offset(layer: Int, slot: Int, position: Int) -> Int {
        ((layer * slots + slot) * capacity + position) * kvDim
    }

    /// Runs a prompt (or any run of tokens) through one slot with OpenBLAS products; returns the logits
    /// of every fed token when `allLogits`, else of the last one ([rows, vocab] flat).
    public func prefill(slot: Int, tokens: [Int32], allLogits: Bool = false) throws -> [Float] {
        try run([(slot, tokens)], allLogits: allLogits, blas: tokens.count >= 16)
    }

    /// One decode step over several slots: `feeds[i].tokens` are appended to slot `feeds[i].slot`.
    /// Returns the logits of the last token of each feed, [feeds, vocab] flat.
    public func feed(_ feeds: [(slot: Int, tokens: [Int32])]) throws -> [Float] {
        try run(feeds, allLogits: false, blas: false)
    }

    func run(_ feeds: [(slot: Int, tokens: [Int32])], allLogits: Bool, blas: Bool) throws -> [Float] {
        let c = model.config
        var slotOf: [Int] = [], positions: [Int32] = [], tokens: [Int32] = [], outRows: [Int] = []
        var seen = Set<Int>()
        for f in feeds {
            guard f.slot >= 0 && f.slot < slots, seen.insert(f.slot).inserted else {
                throw TrainerError.invalidBatch("slot \(f.slot) is out of range or fed twice in one step")
            }
            guard !f.tokens.isEmpty else { throw TrainerError.invalidBatch("slot \(f.slot): nothing to feed") }
            guard lengths[f.slot] + f.tokens.count <= capacity else {
                throw TrainerError.invalidBatch("slot \(f.slot): \(lengths[f.slot] + f.tokens.count) positions exceed the capacity \(capacity)")
            }
            for (i, t) in f.tokens.enumerated() {
                guard t >= 0 && Int(t) < c.vocabSize else { throw TrainerError.invalidBatch("token id \(t) outside the vocabulary (\(c.vocabSize))") }
                if allLogits || i == f.tokens.count - 1 { outRows.append(tokens.count) }
                slotOf.append(f.slot)
                positions.append(Int32(lengths[f.slot] + i))
                tokens.append(t)
            }
        }
        let N = tokens.count, D = c.hiddenSize, I = c.intermediateSize, Q = c.qkvDim, A = c.attentionDim, V = c.vocabSize
        let W = model.parameters.pointer, layout = model.layout, threads = self.threads
        let x = FloatBuffer(count: N * D), ln = FloatBuffer(count: N * D), rstd = FloatBuffer(count: N)
        let qkv = FloatBuffer(count: N * Q), att = FloatBuffer(count: N * A)
        let gu = FloatBuffer(count: N * 2 * I), h = FloatBuffer(count: N * I)
        let scratch = FloatBuffer(count: threads.count * capacity)
        let products = DecodeProducts(weights: W, store: quantizedWeights, blas: blas, exact: exactQuantized, threads: threads)

        tokens.withUnsafeBufferPointer { tok in
            Embedding.forward(out: x.pointer, table: W + layout.embed, tokens: tok.baseAddress!, count: N, dim: D, threads: threads)
        }
        // The residual stream stays in `x`: the layer's input, mid-layer and output buffers are one.
        let buffers = DecoderLayer.Buffers(xIn: x.pointer, ln1: ln.pointer, rstd1: rstd.pointer, qkv: qkv.pointer, att: att.pointer,
                                           mid: x.pointer, ln2: ln.pointer, rstd2: rstd.pointer, gu: gu.pointer, h: h.pointer,
                                           xOut: x.pointer)
        positions.withUnsafeBufferPointer { posBuf in
            slotOf.withUnsafeBufferPointer { sl in
                let pos = posBuf.baseAddress!
                for l in 0..<c.numHiddenLayers {
                    let attention = KVCacheAttention(config: c, keys: keys.pointer + offset(layer: l, slot: 0, position: 0),
                                                     values: values.pointer + offset(layer: l, slot: 0, position: 0),
                                                     capacity: capacity, slotOf: sl.baseAddress!, positions: pos,
                                                     scratch: scratch.pointer, threads: threads)
                    let layer = DecoderLayer(config: c, weights: W, offsets: layout.layers[l], rope: rope, threads: threads)
                    layer.forward(buffers, rows: N, positions: pos, products: products, attention: attention)
                }
            }
        }
        for f in feeds { lengths[f.slot] += f.tokens.count }
        // Final norm and LM head only for the rows whose logits are wanted.
        let R = outRows.count
        let sel = FloatBuffer(count: R * D)
        for (i, r) in outRows.enumerated() { (sel.pointer + i * D).update(from: x.pointer + r * D, count: D) }
        let selN = FloatBuffer(count: R * D), rs = FloatBuffer(count: R)
        RMSNorm.forward(out: selN.pointer, rstd: rs.pointer, x: sel.pointer, weight: W + layout.finalNorm, rows: R, dim: D,
                        eps: Float(c.rmsNormEps), threads: threads)
        var logits = [Float](repeating: 0, count: R * V)
        logits.withUnsafeMutableBufferPointer { lg in
            products.linear(lg.baseAddress!, selN.pointer, weightOffset: layout.lmHead, rows: R, inDim: D, outDim: V, accumulate: false)
        }
        return logits
    }
}
