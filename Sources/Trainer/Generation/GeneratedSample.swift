/// One prompt to decode: token ids, how many samples, and when to stop.
public struct DecodeJob: Sendable {
    /// Seeds the samples' streams (with the sampling seed and the sample index).
    public var promptID: String
    public var promptTokens: [Int32]
    public var samples: Int
    /// Most tokens a sample generates (with budget forcing: most answer tokens; the thinking is bounded by
    /// `maxThinking`, or by this number when there is none).
    public var maxNewTokens: Int
    public var sampling: SamplingOptions
    /// Generation ends at the first of these strings (excluded from the text).
    public var stopStrings: [String]
    /// Generation ends before any of these tokens (eos, end of turn).
    public var stopTokens: Set<Int32>
    /// Stop tokens cannot be drawn before this many new tokens (their logits are masked, as transformers'
    /// `min_new_tokens`); 0 (default) for none. Benchmarks set it to `maxNewTokens` for a fixed length.
    /// Plain generation only (not with budget forcing).
    public var minNewTokens = 0
    /// Thinking with budget forcing; nil for plain generation. The prompt must not contain the start
    /// delimiter: the decoder appends it.
    public var budget: BudgetForcing?

    public init(promptID: String, promptTokens: [Int32], samples: Int = 1, maxNewTokens: Int = 256,
                sampling: SamplingOptions = SamplingOptions(), stopStrings: [String] = [], stopTokens: Set<Int32> = [],
                budget: BudgetForcing? = nil) {
        self.promptID = promptID; self.promptTokens = promptTokens; self.samples = samples; self.maxNewTokens = maxNewTokens
        self.sampling = sampling; self.stopStrings = stopStrings; self.stopTokens = stopTokens; self.budget = budget
    }
}

/// A decoded sample and its `completion_meta`.
public struct GeneratedSample: Sendable, Hashable {
    /// Every token after the prompt (including forced delimiters and wait strings; no stop token).
    public var tokens: [Int32]
    /// The tokens as text, cut before a stop string.
    public var text: String
    /// Tokens between the thinking delimiters (wait strings included, delimiters not).
    public var thinkingTokens: Int
    /// Wait strings inserted.
    public var waits: Int
    /// `stop` (stop token or string) or `length` (max new tokens).
    public var finishReason: String
    /// The stop token that ended the sample (not in `tokens`), or nil. RLVR trains on it: ending is
    /// part of the completion the reward judged.
    public var stopToken: Int32? = nil
}
