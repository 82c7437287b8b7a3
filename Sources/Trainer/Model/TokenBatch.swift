/// A batch of `rows` token rows of equal `length`, possibly each holding several packed examples.
///
/// Per token: the input id, its position (restarting at 0 in each example), the row-local index
/// where its example starts (attention never looks before it: block-diagonal causal), the target
/// id to predict (-1 = none) and the loss weight (0 = not counted; 1 for ordinary counted tokens).
public struct TokenBatch: Sendable, Equatable {
    public let rows: Int
    public let length: Int
    public var tokens: [Int32]
    public var positions: [Int32]
    public var segmentStarts: [Int32]
    public var targets: [Int32]
    public var weights: [Float]

    /// Builds a batch from explicit per-token arrays (each `rows * length` long) and checks them.
    public init(rows: Int, length: Int, tokens: [Int32], positions: [Int32], segmentStarts: [Int32],
                targets: [Int32], weights: [Float]) throws {
        let n = rows * length
        guard rows > 0, length > 0 else { throw TrainerError.invalidBatch("rows and length must be positive") }
        guard tokens.count == n, positions.count == n, segmentStarts.count == n, targets.count == n, weights.count == n else {
            throw TrainerError.invalidBatch("every per-token array must have rows*length = \(n) entries")
        }
        for b in 0..<rows {
            for t in 0..<length {
                let i = b * length + t
                let s = Int(segmentStarts[i])
                guard s >= 0, s <= t else {
                    throw TrainerError.invalidBatch("row \(b) token \(t): segment start \(s) must be in 0...\(t)")
                }
                guard positions[i] >= 0 else { throw TrainerError.invalidBatch("row \(b) token \(t): negative position") }
                guard weights[i].isFinite, weights[i] >= 0 else {
                    throw TrainerError.invalidBatch("row \(b) token \(t): loss weight must be finite and >= 0")
                }
            }
        }
        self.rows = rows; self.length = length
        self.tokens = tokens; self.positions = positions; self.segmentStarts = segmentStarts
        self.targets = targets; self.weights = weights
    }

    /// One example to pack: its tokens and, per token, whether predicting that token counts in the loss.
    public struct Example: Sendable, Equatable {
        public var tokens: [Int32]
        /// `lossMask[i]` true: token i is a training target (predicted from tokens 0..<i). Defaults to all but the first.
        public var lossMask: [Bool]
        public init(tokens: [Int32], lossMask: [Bool]? = nil) {
            self.tokens = tokens
            self.lossMask = lossMask ?? tokens.indices.map { $0 > 0 }
        }
    }

    /// Packs examples into rows: `rows[b]` lists the examples placed one after another in row b;
    /// positions restart at 0 for each example, no example attends to another, and the rest of the
    /// row is padding (`padToken`, weight 0, attending only to itself).
    public static func packed(rows layout: [[Example]], length: Int, padToken: Int32 = 0) throws -> TokenBatch {
        let rows = layout.count, n = rows * length
        var tokens = [Int32](repeating: padToken, count: n)
        var positions = [Int32](repeating: 0, count: n)
        var starts = [Int32](repeating: 0, count: n)
        var targets = [Int32](repeating: -1, count: n)
        var weights = [Float](repeating: 0, count: n)
        for (b, examples) in layout.enumerated() {
            var cursor = 0
            for ex in examples {
                guard ex.lossMask.count == ex.tokens.count else {
                    throw TrainerError.invalidBatch("row \(b): loss mask length differs from token count")
                }
                guard cursor + ex.tokens.count <= length else {
                    throw TrainerError.invalidBatch("row \(b): examples need more than \(length) tokens")
                }
                for (i, tok) in ex.tokens.enumerated() {
                    let at = b * length + cursor + i
                    tokens[at] = tok
                    positions[at] = Int32(i)
                    starts[at] = Int32(cursor)
                    if i + 1 < ex.tokens.count {
                        targets[at] = ex.tokens[i + 1]
                        weights[at] = ex.lossMask[i + 1] ? 1 : 0
                    }
                }
                cursor += ex.tokens.count
            }
            for t in cursor..<length {
                positions[b * length + t] = 0
                starts[b * length + t] = Int32(t)
            }
        }
        return try TokenBatch(rows: rows, length: length, tokens: tokens, positions: positions, segmentStarts: starts,
                              targets: targets, weights: weights)
    }

    /// Ordinary language-model rows (one sequence per row, every next token counted).
    public static func sequences(_ seqs: [[Int32]], length: Int? = nil, padToken: Int32 = 0) throws -> TokenBatch {
        let len = length ?? (seqs.map(\.count).max() ?? 0)
        return try packed(rows: seqs.map { [Example(tokens: $0)] }, length: len, padToken: padToken)
    }

    /// Sum of the loss weights of tokens that have a target.
    public var weightSum: Double {
        var s = 0.0
        for i in 0..<targets.count where targets[i] >= 0 { s += Double(weights[i]) }
        return s
    }
}
