/// Log-probabilities of marked tokens of many sequences, run packed (several per row, positions
/// restarting, no attention across them) so short sequences do not pay for padding.
public enum SequenceScorer {
    /// Rows of packed sequences and where each sequence sits.
    public struct Packed {
        public var batch: TokenBatch
        /// Per sequence of the input: (row, offset of its first token in the row).
        public var placements: [(row: Int, offset: Int)]
    }

    /// Packs `examples` into one batch of rows of `length` (at least the longest example).
    public static func pack(_ examples: [TokenBatch.Example], length: Int, padToken: Int32 = 0) throws -> Packed {
        let longest = examples.map(\.tokens.count).max() ?? 1
        let cap = max(length, longest)
        let rows = SequencePacker.bestFitDecreasing(lengths: examples.map(\.tokens.count), capacity: cap)
        var placements = [(row: Int, offset: Int)](repeating: (0, 0), count: examples.count)
        var used = 0
        for (r, row) in rows.enumerated() {
            var off = 0
            for i in row { placements[i] = (r, off); off += examples[i].tokens.count }
            used = max(used, off)
        }
        guard used > 0 else {
            throw TrainerError.invalidBatch("every sequence to score is empty (the tokenizer gave no tokens for them)")
        }
        let len = min(cap, (used + 7) / 8 * 8)
        let batch = try TokenBatch.packed(rows: rows.map { $0.map { examples[$0] } }, length: max(len, used), padToken: padToken)
        return Packed(batch: batch, placements: placements)
    }

    /// Index into the batch's per-token arrays of the position whose target is token `i` of sequence `k`.
    @inline(__always)
    public static func targetIndex(_ p: Packed, sequence k: Int, token i: Int) -> Int {
        p.placements[k].row * p.batch.length + p.placements[k].offset + i - 1
    }

    /// Per sequence, log p(token i | tokens before i) for every i whose `lossMask` is true, in order.
    /// Sequences are scored `perBatch` at a time, packed into rows of `rowLength`.
    public static func tokenLogProbs(model: LlamaModel, examples: [TokenBatch.Example], rowLength: Int = 512,
                                     perBatch: Int = 16) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(examples.count)
        var start = 0
        while start < examples.count {
            let chunk = Array(examples[start..<min(start + perBatch, examples.count)])
            let p = try pack(chunk, length: rowLength, padToken: Int32(model.config.eosTokenId ?? 0))
            _ = try model.forward(p.batch)
            let lp = model.tokenLogProbs
            for (k, ex) in chunk.enumerated() {
                var v: [Float] = []
                for i in 1..<max(1, ex.tokens.count) where ex.lossMask[i] { v.append(lp[targetIndex(p, sequence: k, token: i)]) }
                out.append(v)
            }
            start += perBatch
        }
        return out
    }
}
