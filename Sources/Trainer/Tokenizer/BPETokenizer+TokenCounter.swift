import Curation

/// A tokenizer counts tokens for Curation's budgets (the mixer's token budgets, length filters), so
/// those numbers match what the model will see.
extension BPETokenizer: TokenCounter {
    /// Number of ids `text` encodes to (added tokens written in the text count as one each).
    public func countTokens(_ text: String) -> Int {
        var out: [Int32] = []
        var t = text
        t.withUTF8 { encode(utf8: $0, into: &out) }
        return out.count
    }
}
