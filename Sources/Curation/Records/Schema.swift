/// The record layouts of the post-training ecosystem (DESIGN.md section 4). Detected from which
/// top-level fields a record has; unknown fields never matter to detection.
public enum Schema: String, Sendable, CaseIterable, Codable {
    /// dolma / datatrove: `{"id", "text", "source", "metadata"?}`
    case document
    /// Tulu 3 SFT: `{"id", "messages": [{"role", "content"}], "source"}`; also ShareGPT's
    /// `{"conversations": [{"from": "human"|"gpt"|"system", "value"}]}`, read as the same turns.
    case chat
    /// Tulu 3 or TRL preference layout: `chosen` and `rejected`.
    case preference
    /// RLVR / verify: `messages` or `prompt`, with `ground_truth` and `dataset`.
    case verifiable
    /// generate writes, vote reads: `completions` (or one `completion` per record).
    case samples
    /// Tulu 3 persona data: `prompt` with `input_persona`.
    case persona
    /// s1 pool item: `question`, with `thinking`/`attempt`/`solved_by`/...; eval items with `question` too.
    case s1Pool = "s1_pool"
    /// A bare prompt record (eval sets such as HumanEval and IFBench, score input without completion).
    case prompt
    /// None of the above.
    case unknown

    /// Which fields each schema must have (at least one of each inner list).
    public var requiredFields: [[String]] {
        switch self {
        case .document: return [["text"]]
        case .chat: return [["messages", "conversations"]]
        case .preference: return [["chosen"], ["rejected"]]
        case .verifiable: return [["messages", "prompt"], ["ground_truth"]]
        case .samples: return [["completions", "completion"]]
        case .persona: return [["prompt"], ["input_persona"]]
        case .s1Pool: return [["question"]]
        case .prompt: return [["prompt"]]
        case .unknown: return []
        }
    }

    /// Detects the schema from a record's top-level keys.
    public static func detect(keys: some Sequence<String>) -> Schema {
        // A bit per key the rules look at: no Set is built per record (every stage calls this once
        // per record).
        let chosen = 1, rejected = 2, completions = 4, completion = 8, inputPersona = 16, prompt = 32,
            groundTruth = 64, messages = 128, question = 256, text = 512, conversations = 1024
        var k = 0
        for key in keys {
            switch key {
            case "chosen": k |= chosen
            case "rejected": k |= rejected
            case "completions": k |= completions
            case "completion": k |= completion
            case "input_persona": k |= inputPersona
            case "prompt": k |= prompt
            case "ground_truth": k |= groundTruth
            case "messages": k |= messages
            case "question": k |= question
            case "text": k |= text
            case "conversations": k |= conversations
            default: break
            }
        }
        func has(_ bit: Int) -> Bool { k & bit != 0 }
        if has(chosen) && has(rejected) { return .preference }
        if has(completions) || has(completion) { return .samples }
        if has(inputPersona) && has(prompt) { return .persona }
        if has(groundTruth) && (has(messages) || has(prompt)) { return .verifiable }
        if has(messages) || has(conversations) { return .chat }
        if has(question) { return .s1Pool }
        if has(text) { return .document }
        if has(prompt) { return .prompt }
        return .unknown
    }

    public static func detect(_ record: RawRecord) -> Schema { detect(keys: record.fields.lazy.map(\.key)) }

    /// Parses a user-given schema name (`s1-pool`, `s1_pool`, `sft` as an alias of chat, `dpo` of preference).
    public init?(name: String) {
        switch name.lowercased() {
        case "document", "doc", "text": self = .document
        case "chat", "sft", "messages": self = .chat
        case "preference", "dpo", "pref": self = .preference
        case "verifiable", "rlvr": self = .verifiable
        case "samples": self = .samples
        case "persona": self = .persona
        case "s1_pool", "s1-pool", "s1", "pool": self = .s1Pool
        case "prompt": self = .prompt
        default: return nil
        }
    }
}
