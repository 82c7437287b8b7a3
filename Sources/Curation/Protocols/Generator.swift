/// A generation request: a prompt (raw text or chat turns) and sampling settings.
public struct GenerationRequest: Sendable, Hashable {
    public var id: String
    public var prompt: String?
    public var messages: [Message]?
    public var samples: Int
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    public var seed: UInt64
    public var stop: [String]

    public init(id: String, prompt: String? = nil, messages: [Message]? = nil, samples: Int = 1, maxTokens: Int = 256,
                temperature: Double = 0.7, topP: Double = 1.0, seed: UInt64 = 0, stop: [String] = []) {
        self.id = id; self.prompt = prompt; self.messages = messages; self.samples = samples; self.maxTokens = maxTokens
        self.temperature = temperature; self.topP = topP; self.seed = seed; self.stop = stop
    }
}

/// One completion and what it cost (the `completion_meta` entry of the samples schema).
public struct Completion: Sendable, Hashable {
    public var text: String
    public var tokens: Int
    public var thinkingTokens: Int
    public var waits: Int
    public var finishReason: String
    public init(text: String, tokens: Int, thinkingTokens: Int = 0, waits: Int = 0, finishReason: String = "stop") {
        self.text = text; self.tokens = tokens; self.thinkingTokens = thinkingTokens; self.waits = waits; self.finishReason = finishReason
    }
}

/// Prompts in, completions out. Implemented by the Trainer's local model and by the HTTP backend;
/// persona synthesis and evaluation are written against this protocol only.
public protocol Generator: AnyObject {
    var name: String { get }
    func generate(_ requests: [GenerationRequest]) throws -> [[Completion]]
}
