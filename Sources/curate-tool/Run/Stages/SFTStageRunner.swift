import Curation
import Foundation
import Mixer
import Trainer

/// `kind: sft`: supervised fine-tuning on the stage's inputs. `model:` (a path or an input naming a
/// training stage) or `init:` (a JSON file of sizes, with `tokenizer:` or `vocab_size:`), plus the
/// `sft` command's hyper-parameters in snake_case and `eval_fraction`, `eval_every`, `packing`, `on_empty`
/// (`fail`, the default, or `keep`: with `model:`, no training examples writes the starting model unchanged),
/// `thinking_format` (plain, s1 or think: how s1 pool items' thinking and answer are laid out).
/// The output directory is the model folder, with the metrics as its record shard.
struct SFTStageRunner: StageRunner {
    static let kind = "sft"
    static let settingKeys: Set<String> = TrainStageSettings.keys.union(["init", "tokenizer", "vocab_size", "pre_tokenizer", "eval_fraction", "eval_every", "packing", "on_empty", "thinking_format"])

    var shared: TrainStageSettings
    var initConfig: String?, tokenizer: String?
    var preTokenizer = LabPreTokenizer.gpt2
    var thinkingFormat = ThinkingFormat.plain
    var vocabSize = 4096, evalFraction = 0.0, evalEvery = 0, packing = true, keepModelWhenEmpty = false

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        shared = TrainStageSettings(seed: runSeed)
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            if try shared.read(key, value, doc: doc, entry: spec.entry) { continue }
            switch key {
            case "init": initConfig = doc.resolvePath(try doc.string(value, spec.entry)); shared.values[key] = .string(initConfig ?? "")
            case "tokenizer": tokenizer = doc.resolvePath(try doc.string(value, spec.entry)); shared.values[key] = .string(tokenizer ?? "")
            case "vocab_size": vocabSize = try doc.integer(value, spec.entry, what: key); shared.values[key] = .int(vocabSize)
            case "pre_tokenizer":
                let name = try doc.string(value, spec.entry)
                guard let p = LabPreTokenizer(rawValue: name) else { throw doc.error(value, spec.entry, "pre_tokenizer should be gpt2 or digits, got \"\(name)\"") }
                preTokenizer = p; shared.values[key] = .string(p.rawValue)
            case "eval_fraction":
                evalFraction = try doc.double(value, spec.entry, what: key)
                if !(0..<1).contains(evalFraction) { throw doc.error(value, spec.entry, "eval_fraction should be in [0, 1)") }
                shared.values[key] = .double(evalFraction)
            case "thinking_format":
                let name = try doc.string(value, spec.entry)
                guard let f = ThinkingFormat(rawValue: name) else { throw doc.error(value, spec.entry, "thinking_format should be plain, s1 or think, got \"\(name)\"") }
                thinkingFormat = f; shared.values[key] = .string(f.rawValue)
            case "eval_every": evalEvery = try doc.integer(value, spec.entry, what: key); shared.values[key] = .int(evalEvery)
            case "packing": packing = try doc.bool(value, spec.entry, what: key); shared.values[key] = .bool(packing)
            case "on_empty":
                let v = try doc.string(value, spec.entry)
                guard v == "fail" || v == "keep" else { throw doc.error(value, spec.entry, "on_empty should be fail or keep") }
                keepModelWhenEmpty = v == "keep"
                shared.values[key] = .string(v)
            default: break
            }
        }
        if (shared.model == nil) == (initConfig == nil) { throw doc.error(spec.node, spec.entry, "an sft stage needs exactly one of model: or init:") }
        if keepModelWhenEmpty && shared.model == nil { throw doc.error(spec.node, spec.entry, "on_empty: keep needs model: (a model to keep)") }
        if shared.values["pre_tokenizer"] != nil, initConfig == nil || tokenizer != nil {
            throw doc.error(spec.node, spec.entry, "pre_tokenizer applies to a tokenizer trained on the data: give it with init: and without tokenizer:")
        }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "an sft stage needs at least one input") }
    }

    var settings: JSONValue { shared.json }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let (model, data) = shared.split(inputs)
        var s = SFTSettings()
        shared.apply(to: &s.loop)
        s.packing = packing
        let job = SFTJob(model: model, initConfig: initConfig, tokenizer: tokenizer, vocabSize: vocabSize, preTokenizer: preTokenizer, template: shared.template,
                         data: data, output: output, settings: s, evalFraction: evalFraction, evalEvery: evalEvery,
                         saveEvery: shared.saveEvery, threads: context.threads, quiet: context.quiet)
        var configured = job
        configured.keepModelWhenEmpty = keepModelWhenEmpty
        configured.thinkingFormat = thinkingFormat
        let out = try configured.run()
        let loss = out.report.extra["final_loss"]?.doubleValue ?? .nan
        return try TrainStageSettings.outcome(report: out.report, metrics: out.metrics, output: output,
                                              summary: String(format: "sft: %d steps, final loss %.4f", out.report.extra["steps"]?.intValue ?? 0, loss))
    }
}
