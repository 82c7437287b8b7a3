/// Counts tokens of a text. Whitespace counting is built in; the Trainer's tokenizers conform too, and
/// the composition root injects one where token budgets must match a model's (DESIGN.md section 2).
public protocol TokenCounter: Sendable {
    var name: String { get }
    func countTokens(_ text: String) -> Int
}

/// Whitespace-separated words: the default unit of token budgets and lengths.
public struct WhitespaceTokenCounter: TokenCounter {
    public init() {}
    public var name: String { "whitespace" }
    public func countTokens(_ text: String) -> Int {
        var n = 0
        var inWord = false
        for b in text.utf8 {
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
            if space { inWord = false } else if !inWord { inWord = true; n += 1 }
        }
        return n
    }
}
