import Foundation
import Curation
import Mixer
import Trainer
import Yams

/// Settings shared by the `generate` and `eval` stages: the model, sampling and budget forcing.
struct GenerationStageSettings {
    var model = ""
    /// `model` as written in the recipe (it may name an input stage).
    var modelName: String?
    var samples = 1
    var temperature: Double?
    var topP = 1.0
    var topK = 0
    var seed: UInt64
    var maxNewTokens = 256
    var batch = 8
    var minThinking: Int?
    var maxThinking: Int?
    var maxWaits = 1
    var delimiters: String?
    /// What replaces an early end of thinking (s1: "Wait"); nil: the budget's default.
    var waitString: String?

    static let keys: Set<String> = ["model", "samples", "temperature", "top_p", "top_k", "seed", "max_new_tokens", "batch",
                                    "min_thinking", "max_thinking", "max_waits", "thinking_delimiters", "wait_string"]

    init(seed: UInt64) { self.seed = seed }

    /// Reads one key; returns false when the key is not one of these settings.
    mutating func read(_ key: String, _ value: Node, _ doc: YAMLDocument, _ entry: String) throws -> Bool {
        switch key {
        case "model":
            // A path (relative to the recipe; `${VAR}` expanded) or the name of an input stage that wrote a model.
            let m = try doc.string(value, entry)
            modelName = m
            model = doc.resolvePath(m)
        case "samples": samples = try doc.integer(value, entry, what: key); if samples < 1 { throw doc.error(value, entry, "samples must be >= 1") }
        case "temperature": temperature = try doc.double(value, entry, what: key, in: 0...Double.greatestFiniteMagnitude)
        case "top_p":
            topP = try doc.double(value, entry, what: key, in: 0...1)
            if topP == 0 { throw doc.error(value, entry, "top_p should be more than 0") }
        case "top_k": topK = try doc.integer(value, entry, what: key, in: 0...YAMLDocument.maxWholeNumber)
        case "seed": seed = try doc.seed(value, entry)
        case "max_new_tokens": maxNewTokens = try doc.integer(value, entry, what: key); if maxNewTokens < 1 { throw doc.error(value, entry, "max_new_tokens must be >= 1") }
        case "batch": batch = try doc.integer(value, entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
        case "min_thinking": minThinking = try doc.integer(value, entry, what: key, in: 0...YAMLDocument.maxWholeNumber)
        case "max_thinking": maxThinking = try doc.integer(value, entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
        case "max_waits": maxWaits = try doc.integer(value, entry, what: key, in: 0...YAMLDocument.maxWholeNumber)
        case "thinking_delimiters":
            let d = try doc.string(value, entry)
            guard BudgetForcing.named(d) != nil else { throw doc.error(value, entry, "thinking_delimiters must be s1 or think") }
            delimiters = d
        case "wait_string":
            let w = try doc.string(value, entry)
            guard !w.isEmpty, w.utf8.count <= 64 else { throw doc.error(value, entry, "wait_string should be 1-64 bytes") }
            waitString = w
        default: return false
        }
        return true
    }

    var budget: BudgetForcing? {
        guard minThinking != nil || maxThinking != nil || delimiters != nil else { return nil }
        var b = delimiters.flatMap(BudgetForcing.named) ?? .s1
        b.minThinking = minThinking; b.maxThinking = maxThinking; b.maxWaits = maxWaits
        if let w = waitString { b.waitString = w }
        return b
    }

    /// The model path and the data files: when `model` names one of the stage's inputs (e.g. `model: dpo`),
    /// that input's directory is the model folder and it is not data.
    func split(_ inputs: [StageInput]) -> (model: String, data: [String]) {
        if let m = modelName, let i = inputs.first(where: { $0.name == m }), let f = i.files.first {
            return ((f as NSString).deletingLastPathComponent, inputs.filter { $0.name != m }.flatMap(\.files))
        }
        return (model, inputs.flatMap(\.files))
    }

    func generator(modelPath: String? = nil, threads: Int? = nil) throws -> LocalGenerator {
        try LocalModel.open(modelPath ?? model, topK: topK, batch: batch, budget: budget, threads: threads)
    }

    var json: JSONValue {
        var o = JSONObject([
            "model": .string(model), "samples": .int(samples), "temperature": temperature.map(JSONValue.double) ?? .null,
            "top_p": .double(topP), "top_k": .int(topK), "seed": .string(String(seed)), "max_new_tokens": .int(maxNewTokens),
            "min_thinking": minThinking.map(JSONValue.int) ?? .null, "max_thinking": maxThinking.map(JSONValue.int) ?? .null,
            "max_waits": .int(maxWaits), "thinking_delimiters": delimiters.map(JSONValue.string) ?? .null,
        ])
        if let w = waitString { o["wait_string"] = .string(w) }
        return .object(o)
    }
}
