import Curation

/// Settings of the local backend that `GenerationRequest` does not carry.
public struct LocalGenerationOptions: Sendable {
    /// Top-k filter (0 = off).
    public var topK: Int
    /// s1 budget forcing for every request (nil = plain generation).
    public var budget: BudgetForcing?
    /// Chat template for raw `prompt` strings (nil: used as they are). Chat `messages` always use
    /// the model's template.
    public var promptTemplate: ChatTemplate?
    /// Token strings that also end a sample (besides the eos and the template's end of turn).
    public var extraStopTokens: [String]
    /// Samples decoded together.
    public var maxBatch: Int
    /// Decode from GGUF blocks bitwise as from fp32 (`TextDecoder.exactQuantized`, `--exact`).
    public var exactQuantized: Bool

    public init(topK: Int = 0, budget: BudgetForcing? = nil, promptTemplate: ChatTemplate? = nil,
                extraStopTokens: [String] = [], maxBatch: Int = 8, exactQuantized: Bool = false) {
        self.topK = topK; self.budget = budget; self.promptTemplate = promptTemplate
        self.extraStopTokens = extraStopTokens; self.maxBatch = maxBatch; self.exactQuantized = exactQuantized
    }
}

/// The `Generator` over a model run in this process (the `local:` backend, `generate`, `eval`, `serve`).
///
/// Chat requests are rendered with the model's chat template and a generation prompt; generation stops
/// at the eos token, the template's end of turn and the request's stop strings.
public final class LocalGenerator: Generator {
    public let name: String
    public let decoder: TextDecoder
    public let tokenizer: BPETokenizer
    /// The model's chat template (needed for `messages` requests).
    public let chatTemplate: ChatTemplate?
    public var options: LocalGenerationOptions

    public init(model: LlamaModel, tokenizer: BPETokenizer, chatTemplate: ChatTemplate?, name: String = "local",
                options: LocalGenerationOptions = LocalGenerationOptions()) throws {
        self.name = name
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.options = options
        decoder = try TextDecoder(model: model, tokenizer: tokenizer, maxBatch: options.maxBatch)
    }

    /// Loads a model folder or GGUF file with `ModelLoader`.
    public convenience init(path: String, options: LocalGenerationOptions = LocalGenerationOptions()) throws {
        let loaded = try ModelLoader.load(path: path)
        try self.init(model: loaded.model, tokenizer: loaded.tokenizer, chatTemplate: loaded.chatTemplate,
                      name: "local:" + path, options: options)
    }

    /// The tokens a request's prompt renders to, and whether a chat template was applied.
    public func promptTokens(for r: GenerationRequest) throws -> (ids: [Int32], template: ChatTemplate?) {
        if let messages = r.messages {
            guard let t = chatTemplate ?? options.promptTemplate else {
                throw TrainerError.invalidConfig("request \(r.id): chat messages need a chat template, and the model names none (pass a template)")
            }
            return (t.render(messages, tokenizer: tokenizer, addGenerationPrompt: true).ids, t)
        }
        guard let p = r.prompt else { throw TrainerError.invalidBatch("request \(r.id): neither prompt nor messages") }
        if let t = options.promptTemplate {
            return (t.render([Message(role: "user", content: p)], tokenizer: tokenizer, addGenerationPrompt: true).ids, t)
        }
        return (tokenizer.encode(p), nil)
    }

    /// Token ids that end generation for a prompt rendered with `template`.
    public func stopTokens(template: ChatTemplate?) -> Set<Int32> {
        Self.stopTokens(tokenizer: tokenizer, template: template, extra: options.extraStopTokens)
    }

    /// The eos, the template's end of turn and the `extra` tokens the tokenizer has (shared with RLVR).
    public static func stopTokens(tokenizer: BPETokenizer, template: ChatTemplate?, extra: [String] = []) -> Set<Int32> {
        var s = Set<Int32>()
        if let e = tokenizer.roles.eos { s.insert(e) }
        if let t = template, let id = tokenizer.id(of: t.kind == .chatml ? "<|im_end|>" : t.eosToken) { s.insert(id) }
        for name in extra { if let id = tokenizer.id(of: name) { s.insert(id) } }
        return s
    }

    /// The decode job for a request.
    public func job(for r: GenerationRequest) throws -> DecodeJob {
        let (ids, template) = try promptTokens(for: r)
        return DecodeJob(promptID: r.id, promptTokens: ids, samples: r.samples, maxNewTokens: r.maxTokens,
                         sampling: SamplingOptions(temperature: r.temperature, topP: r.topP, topK: options.topK, seed: r.seed),
                         stopStrings: r.stop, stopTokens: stopTokens(template: template), budget: options.budget)
    }

    public func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        decoder.maxBatch = max(1, options.maxBatch)
        decoder.exactQuantized = options.exactQuantized
        let jobs = try requests.map { try job(for: $0) }
        return try decoder.run(jobs).map { samples in
            samples.map { Completion(text: $0.text, tokens: $0.tokens.count, thinkingTokens: $0.thinkingTokens,
                                     waits: $0.waits, finishReason: $0.finishReason) }
        }
    }
}
