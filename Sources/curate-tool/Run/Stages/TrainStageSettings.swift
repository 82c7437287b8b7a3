import Curation
import Foundation
import Mixer
import Trainer
import Yams

/// The settings `sft` and `dpo` stages share, read from the recipe with the same names as the CLI
/// options (snake_case). `model:` is a path, or the name of one of the stage's inputs that is a
/// training stage (its output folder is the model); the other inputs are the data.
struct TrainStageSettings {
    static let keys: Set<String> = ["model", "template", "lr", "schedule", "warmup_ratio", "epochs", "batch_size", "grad_accum",
                                    "max_length", "weight_decay", "max_grad_norm", "max_steps", "seed", "save_every"]
    var values: [String: JSONValue] = [:]
    var model: String?
    var template: String?
    var lr: Double?, warmupRatio: Double?, epochs: Int?, maxSteps: Int?
    var schedule = LRSchedule.Decay.linear
    var batchSize = 8, gradAccum = 1, maxLength = 1024, saveEvery = 0
    var weightDecay = 0.0, maxGradNorm = 1.0
    var seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    /// Reads one key; returns false when the key is not a shared one.
    mutating func read(_ key: String, _ value: Node, doc: YAMLDocument, entry: String) throws -> Bool {
        func positive(_ v: Int) throws -> Int { if v < 1 { throw doc.error(value, entry, "\(key) should be at least 1") }; return v }
        switch key {
        case "model": model = try doc.string(value, entry); values[key] = .string(model ?? "")
        case "template":
            template = try doc.string(value, entry)
            guard ChatTemplate.Kind(rawValue: template ?? "") != nil else { throw doc.error(value, entry, "template should be tulu or chatml") }
            values[key] = .string(template ?? "")
        case "lr":
            lr = try doc.double(value, entry, what: key)
            if !((lr ?? 0) > 0) { throw doc.error(value, entry, "lr should be more than 0") }
            values[key] = .double(lr ?? 0)
        case "schedule":
            guard let d = LRSchedule.Decay(rawValue: try doc.string(value, entry)) else { throw doc.error(value, entry, "schedule should be linear, cosine or constant") }
            schedule = d; values[key] = .string(d.rawValue)
        case "warmup_ratio":
            warmupRatio = try doc.double(value, entry, what: key, in: 0...1)
            if warmupRatio == 1 { throw doc.error(value, entry, "warmup_ratio should be less than 1") }
            values[key] = .double(warmupRatio ?? 0)
        case "epochs": epochs = try positive(doc.integer(value, entry, what: key)); values[key] = .int(epochs ?? 1)
        case "max_steps": maxSteps = try positive(doc.integer(value, entry, what: key)); values[key] = .int(maxSteps ?? 1)
        case "batch_size": batchSize = try positive(doc.integer(value, entry, what: key)); values[key] = .int(batchSize)
        case "grad_accum": gradAccum = try positive(doc.integer(value, entry, what: key)); values[key] = .int(gradAccum)
        case "max_length": maxLength = try doc.integer(value, entry, what: key, in: 2...YAMLDocument.maxWholeNumber); values[key] = .int(maxLength)
        case "save_every": saveEvery = try doc.integer(value, entry, what: key, in: 0...YAMLDocument.maxWholeNumber); values[key] = .int(saveEvery)
        case "weight_decay": weightDecay = try doc.double(value, entry, what: key, in: 0...Double.greatestFiniteMagnitude); values[key] = .double(weightDecay)
        case "max_grad_norm": maxGradNorm = try doc.double(value, entry, what: key, in: 0...Double.greatestFiniteMagnitude); values[key] = .double(maxGradNorm)
        case "seed": seed = try doc.seed(value, entry); values[key] = .string(String(seed))
        default: return false
        }
        return true
    }

    /// Sets the loop settings from the recipe; learning rate, warmup and epochs keep the recipe's
    /// defaults (SFT or DPO) when the stage does not name them.
    func apply(to s: inout TrainingLoopSettings) {
        if let v = lr { s.learningRate = v }
        if let v = warmupRatio { s.warmupRatio = v }
        if let v = epochs { s.epochs = v }
        s.schedule = schedule; s.batchSize = batchSize; s.gradientAccumulation = gradAccum
        s.maxLength = maxLength; s.weightDecay = weightDecay; s.maxGradNorm = maxGradNorm
        s.maxSteps = maxSteps; s.seed = seed
    }

    /// The model folder and the data files: `model` names an input or is a path.
    func split(_ inputs: [StageInput]) -> (model: String?, data: [String]) {
        if let m = model, let i = inputs.first(where: { $0.name == m }) {
            let dir = i.files.first.map { ($0 as NSString).deletingLastPathComponent }
            return (dir, inputs.filter { $0.name != m }.flatMap(\.files))
        }
        return (model, inputs.flatMap(\.files))
    }

    var json: JSONValue {
        var o = JSONObject()
        for k in values.keys.sorted() { o[k] = values[k] }
        if o["seed"] == nil { o["seed"] = .string(String(seed)) }
        return .object(o)
    }

    /// The stage's output: the metrics as a one-shard JSONL beside the model folder.
    static func outcome(report: StageReport, metrics: [JSONValue], output: String, summary: String) throws -> StageOutcome {
        let manifest = try MetricsShard.write(metrics, directory: output)
        var rep = report
        rep.bytesOut = manifest.compressedBytes
        return StageOutcome(report: rep, manifest: manifest, summary: summary)
    }
}
