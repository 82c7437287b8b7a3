import Foundation

/// s1's difficulty stage (DESIGN.md section 5): an item that a reference model solved is too easy and
/// is dropped; the rest are ranked by how long their reasoning trace is.
public struct DifficultyRules: Sendable {
    /// Decides whether a reference answer is equivalent to the ground truth. The answer verifier is
    /// injected by the composition root; the default is exact match after trimming whitespace.
    public var equivalent: @Sendable (String, String) -> Bool
    /// Counts the reasoning trace's length; whitespace words by default, or a model's tokenizer.
    public var tokenCounter: any TokenCounter

    public init(equivalent: @escaping @Sendable (String, String) -> Bool = DifficultyRules.exactMatch,
                tokenCounter: any TokenCounter = WhitespaceTokenCounter()) {
        self.equivalent = equivalent
        self.tokenCounter = tokenCounter
    }

    /// Exact match after trimming surrounding whitespace.
    public static let exactMatch: @Sendable (String, String) -> Bool = { a, b in
        a.trimmingCharacters(in: .whitespacesAndNewlines) == b.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The drop reason when a reference model solved the item: `solved:solved_by` when `solved_by` names
    /// a model, `solved:reference_answers` when a reference answer is equivalent to the ground truth.
    public func solvedReason(_ item: PoolItem) -> String? {
        if !item.solvedBy.isEmpty { return "solved:solved_by" }
        if let gt = item.groundTruth {
            for r in item.referenceAnswers where equivalent(r.answer, gt) { return "solved:reference_answers" }
        }
        return nil
    }

    /// The item's difficulty: its reasoning trace length in the counter's tokens.
    public func length(_ item: PoolItem) -> Int { tokenCounter.countTokens(item.thinking ?? "") }
}
