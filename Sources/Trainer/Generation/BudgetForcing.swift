/// s1's budget forcing (DESIGN.md section 5): the model thinks between two delimiters; too short a
/// thought has its end delimiter replaced by a wait string, too long a thought is cut off with the
/// end delimiter and an answer prefix.
public struct BudgetForcing: Sendable, Hashable {
    /// Appended to the prompt: thinking starts right after it.
    public var startDelimiter: String
    /// Ends the thinking; the answer follows.
    public var endDelimiter: String
    /// While fewer thinking tokens than this, an attempt to end the thinking is replaced by `waitString`.
    public var minThinking: Int?
    /// At this many thinking tokens, `endDelimiter` + "\n" + `answerPrefix` is appended.
    public var maxThinking: Int?
    /// At most this many wait strings per sample.
    public var maxWaits: Int
    public var waitString: String
    public var answerPrefix: String

    public init(startDelimiter: String = "<|im_start|>think", endDelimiter: String = "<|im_start|>answer",
                minThinking: Int? = nil, maxThinking: Int? = nil, maxWaits: Int = 1,
                waitString: String = "Wait", answerPrefix: String = "Final Answer:") {
        self.startDelimiter = startDelimiter; self.endDelimiter = endDelimiter
        self.minThinking = minThinking; self.maxThinking = maxThinking; self.maxWaits = maxWaits
        self.waitString = waitString; self.answerPrefix = answerPrefix
    }

    /// The delimiters s1 uses (`<|im_start|>think` ... `<|im_start|>answer`).
    public static let s1 = BudgetForcing()
    /// The `<think>` ... `</think>` convention (DeepSeek-R1, Qwen3).
    public static let thinkTags = BudgetForcing(startDelimiter: "<think>", endDelimiter: "</think>")

    /// Delimiter pair by name: `s1` or `think`.
    public static func named(_ name: String) -> BudgetForcing? {
        switch name.lowercased() {
        case "s1", "im_start": return .s1
        case "think", "think-tags", "<think>": return .thinkTags
        default: return nil
        }
    }
}
