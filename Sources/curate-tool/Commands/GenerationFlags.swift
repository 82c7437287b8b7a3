import ArgumentParser
import Curation
import Foundation
import Trainer

/// Sampling flags shared by `generate`, `eval` and `serve`.
struct SamplingFlags: ParsableArguments {
    @Option(name: .long, help: "Samples per prompt.")
    var samples = 1

    @Option(name: .long, help: "Sampling temperature (0 = greedy).")
    var temperature: Double = 0.7

    @Option(name: .long, help: "Nucleus sampling mass (1 = off).")
    var topP: Double = 1

    @Option(name: .long, help: "Top-k filter (0 = off).")
    var topK = 0

    @Option(name: .long, help: "Seed: sample i of prompt p draws from a stream seeded by (seed, p's id, i).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Most new tokens per sample (with budget forcing: of the answer).")
    var maxNewTokens = 256

    @Option(name: .long, help: "Stop string (repeatable); the text ends before it.")
    var stop: [String] = []

    @Option(name: .long, help: "Samples decoded together.")
    var batch = 8

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if temperature < 0 || !temperature.isFinite { throw ValidationError("--temperature must be >= 0") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if topK < 0 { throw ValidationError("--top-k must be >= 0") }
        if maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }
}

/// `--threads` for the commands that decode with the local model (`generate`, `eval`, `serve`): the
/// threads each decode step's products and attention run on. A sample's tokens do not depend on it
/// (every output element is computed the same way for any thread count: `QuantizedDotLinear`,
/// `BatchedLinear`), so it is a speed setting only.
struct DecodeThreadsFlags: ParsableArguments {
    @Option(name: .long, help: "Decode threads (default: all cores). The samples are identical for any value.")
    var threads: Int?

    mutating func validate() throws { try GlobalOptions.clampThreads(&threads) }
}

/// s1 budget forcing flags (DESIGN.md section 5).
struct BudgetFlags: ParsableArguments {
    @Option(name: .long, help: "Thinking delimiters: s1 (<|im_start|>think ... <|im_start|>answer) or think (<think> ... </think>).")
    var thinkingDelimiters: String?

    @Option(name: .long, help: "Custom start delimiter of the thinking (overrides --thinking-delimiters).")
    var thinkStart: String?

    @Option(name: .long, help: "Custom end delimiter of the thinking.")
    var thinkEnd: String?

    @Option(name: .long, help: "Suppress the end delimiter until this many thinking tokens, appending the wait string instead.")
    var minThinking: Int?

    @Option(name: .long, help: "At this many thinking tokens, append the end delimiter and \"Final Answer:\".")
    var maxThinking: Int?

    @Option(name: .long, help: "Most wait strings per sample.")
    var maxWaits = 1

    @Option(name: .long, help: "The string appended when the thinking is too short.")
    var waitString = "Wait"

    @Option(name: .long, help: "Appended after the forced end delimiter.")
    var answerPrefix = "Final Answer:"

    var enabled: Bool { thinkingDelimiters != nil || thinkStart != nil || thinkEnd != nil || minThinking != nil || maxThinking != nil }

    /// The configured budget forcing, or nil when no thinking flag was given.
    func budget() throws -> BudgetForcing? {
        guard enabled else { return nil }
        var b: BudgetForcing
        if let name = thinkingDelimiters {
            guard let named = BudgetForcing.named(name) else { throw ValidationError("--thinking-delimiters must be s1 or think") }
            b = named
        } else {
            b = .s1
        }
        if let s = thinkStart { b.startDelimiter = s }
        if let e = thinkEnd { b.endDelimiter = e }
        b.minThinking = minThinking; b.maxThinking = maxThinking; b.maxWaits = maxWaits
        b.waitString = waitString; b.answerPrefix = answerPrefix
        return b
    }

    func validate() throws {
        if let m = minThinking, m < 0 { throw ValidationError("--min-thinking must be >= 0") }
        if let m = maxThinking, m < 1 { throw ValidationError("--max-thinking must be at least 1") }
        if let a = minThinking, let b = maxThinking, a > b { throw ValidationError("--min-thinking must not exceed --max-thinking") }
        if maxWaits < 0 { throw ValidationError("--max-waits must be >= 0") }
        if waitString.isEmpty { throw ValidationError("--wait-string must not be empty") }
        if thinkEnd == "" { throw ValidationError("--think-end must not be empty") }
    }
}

/// Loads `--model` into a `LocalGenerator`: the one place `generate`, `eval`, `serve` and the recipe's
/// generation stages turn their flags into generator options, so they configure the model alike.
enum LocalModel {
    /// `topK` and `batch` (samples decoded together) apply to every request; `template` (chatml, tulu
    /// or model) renders raw prompts, nil leaves them raw. `threads` runs the model's kernels (nil: all
    /// cores); the samples are the same for any value. `exact` decodes from GGUF blocks bitwise as from
    /// fp32 (`--exact`).
    static func open(_ path: String, topK: Int, batch: Int, budget: BudgetForcing?, template: String? = nil,
                     threads: Int? = nil, exact: Bool = false) throws -> LocalGenerator {
        let gen = try LocalGenerator(path: path)
        if let threads { gen.decoder.model.threads = ComputeThreads(threads) }
        var o = gen.options
        o.exactQuantized = exact
        o.topK = topK
        o.budget = budget
        o.maxBatch = batch
        if let t = template {
            if t.lowercased() == "model" {
                guard let mt = gen.chatTemplate else { throw CLIFailure(description: "\(path): the model names no chat template") }
                o.promptTemplate = mt
            } else {
                o.promptTemplate = try ChatTemplate.named(t, tokenizer: gen.tokenizer)
            }
        }
        gen.options = o
        return gen
    }
}
