/// How an s1 pool item's thinking and answer become the assistant's turn.
public enum ThinkingFormat: String, Sendable, CaseIterable {
    /// The thinking, a blank line, the answer: no delimiters.
    case plain
    /// s1's layout, what budget forcing with the `s1` delimiters reads: `<|im_start|>think`, the thinking,
    /// `<|im_start|>answer`, the answer, each on its own line.
    case s1
    /// `<think>`, the thinking, `</think>`, the answer (DeepSeek-R1, Qwen3).
    case think

    /// The assistant's text for a thinking trace and an answer.
    public func assistant(thinking: String, answer: String) -> String {
        switch self {
        case .plain: return [thinking, answer].filter { !$0.isEmpty }.joined(separator: "\n\n")
        case .s1: return "<|im_start|>think\n" + thinking + "\n<|im_start|>answer\n" + answer
        case .think: return "<think>\n" + thinking + "\n</think>\n" + answer
        }
    }
}
