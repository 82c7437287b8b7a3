/// Decoding's attention (one layer): appends the fed rows' keys and values to the KV cache, then
/// lets each row's query attend to its slot's cached positions up to its own.
///
/// Rows of one slot see each other causally through the cache, so a prompt's rows and a decode
/// step's row take the same path. Work items are (row, head) pairs, each writing its own slice of the
/// output with one accumulator order, so the result does not depend on the thread count.
struct KVCacheAttention: LayerAttention {
    let config: LlamaConfig
    /// This layer's cache: [slots, capacity, kvHeads * headDim] each.
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    let capacity: Int
    /// Each fed row's slot and position.
    let slotOf: UnsafePointer<Int>
    let positions: UnsafePointer<Int32>
    /// `threads.count * capacity` floats.
    let scratch: UnsafeMutablePointer<Float>
    let threads: ComputeThreads

    func forward(out: UnsafeMutablePointer<Float>, qkv: UnsafeMutablePointer<Float>, rows N: Int) {
        let c = config, H = c.numAttentionHeads, hd = c.headDim, KV = c.numKeyValueHeads * hd
        let Q = c.qkvDim, A = c.attentionDim, group = H / c.numKeyValueHeads
        let scale = 1 / Float(hd).squareRoot()
        let kc = keys, vc = values, pos = positions, slotOf = slotOf, capacity = capacity, scratch = scratch
        for r in 0..<N {
            let o = (slotOf[r] * capacity + Int(pos[r])) * KV
            (kc + o).update(from: qkv + r * Q + H * hd, count: KV)
            (vc + o).update(from: qkv + r * Q + H * hd + KV, count: KV)
        }
        let jobs = N * H
        // Parts of at least ~512 cached positions' work (a few microseconds): `WorkerPool` starts a
        // region in about a microsecond, so a batch-8 step's attention already splits at short contexts.
        let parts = Parallel.partCount(jobs, minChunk: max(1, 512 / max(1, Int(pos[N - 1]) + 1)))
        threads.forParts(parts) { part, worker in
            let sc = scratch + worker * capacity
            for job in Parallel.chunkRange(jobs, chunks: parts, index: part) {
                let r = job / H, head = job % H
                let n = Int(pos[r]) + 1
                let q = qkv + r * Q + head * hd
                let base = slotOf[r] * capacity * KV + (head / group) * hd
                var m = -Float.infinity
                for t in 0..<n {
                    let s = vdot(q, kc + base + t * KV, hd) * scale
                    sc[t] = s
                    if s > m { m = s }
                }
                var sum: Float = 0
                for t in 0..<n { let e = exp1(sc[t] - m); sc[t] = e; sum += e }
                let inv = 1 / sum
                let o = out + r * A + head * hd
                o.update(repeating: 0, count: hd)
                for t in 0..<n {
                    let p = sc[t] * inv
                    let v = vc + base + t * KV
                    var i = 0
                    let pv = Vec8(repeating: p)
                    while i + 8 <= hd { store8(load8(o + i).addingProduct(pv, load8(v + i)), o + i); i += 8 }
                    while i < hd { o[i] += p * v[i]; i += 1 }
                }
            }
        }
    }
}
