/// Token embedding lookup: out[t, :] = table[token[t], :].
public enum Embedding {
    /// Copies each token's row. Token ids must already be validated against the table size.
    public static func forward(out: UnsafeMutablePointer<Float>, table: UnsafePointer<Float>,
                               tokens: UnsafePointer<Int32>, count: Int, dim: Int, threads: ComputeThreads = .automatic) {
        threads.forChunks(count, minChunk: 256) { r in
            for t in r { (out + t * dim).update(from: table + Int(tokens[t]) * dim, count: dim) }
        }
    }

    /// dTable[token[t], :] += dOut[t, :]. Threads split the columns, not the tokens, so every row is
    /// summed in token order whatever the thread count.
    public static func backward(dTable: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
                                tokens: UnsafePointer<Int32>, count: Int, dim: Int, threads: ComputeThreads = .automatic) {
        threads.forChunks(dim, minChunk: 32) { cols in
            let w = cols.count
            for t in 0..<count {
                vadd(dTable + Int(tokens[t]) * dim + cols.lowerBound, dOut + t * dim + cols.lowerBound, w)
            }
        }
    }
}
