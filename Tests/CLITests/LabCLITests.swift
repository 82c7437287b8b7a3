import Curation
import Foundation
import Testing

/// The pieces the ablation lab's recipes use: the digit-splitting tokenizer of a new model, planted labels
/// on eval records, a decontam stage whose eval set is an input stage, and the `not_equals` filter.
@Suite(.serialized) struct LabCLITests {
    /// The vocabulary (token strings) of a model folder's tokenizer.json.
    static func vocabulary(_ folder: String) throws -> [String] {
        let j = try JSONParser.parse(String(contentsOfFile: folder + "/tokenizer.json", encoding: .utf8))
        return j["model"]?["vocab"]?.objectValue?.entries.map(\.key) ?? []
    }

    static func hasTwoDigits(_ token: String) -> Bool {
        token.unicodeScalars.filter { ("0"..."9").contains($0) }.count >= 2
    }

    @Test func digitsPreTokenizerNeverMergesTwoDigits() throws {
        let dir = CLI.tempDir("lab-digits")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try CLI.run(["synth", "-o", dir + "/s", "--emit", "train", "--train-count", "300", "--max-number", "500", "--seed", "2", "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        try #"{"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}"#
            .write(toFile: dir + "/tiny.json", atomically: true, encoding: .utf8)
        func sft(_ out: String, _ extra: [String]) throws -> CLI.Result {
            try CLI.run(["sft", "--init", dir + "/tiny.json", "--vocab-size", "600", "--data", dir + "/s/train", "--output", out,
                         "--max-length", "64", "--batch-size", "2", "--max-steps", "1", "--threads", "1", "--quiet"] + extra)
        }
        let gpt2 = try sft(dir + "/gpt2", [])
        #expect(gpt2.status == 0, "\(gpt2.stderr)")
        let digits = try sft(dir + "/digits", ["--pre-tokenizer", "digits"])
        #expect(digits.status == 0, "\(digits.stderr)")
        let g = try Self.vocabulary(dir + "/gpt2"), d = try Self.vocabulary(dir + "/digits")
        #expect(g.contains(where: Self.hasTwoDigits), "the default (gpt2) merges numbers: the check below is not vacuous")
        #expect(d.count > 300)
        #expect(!d.contains(where: Self.hasTwoDigits), "\(d.filter(Self.hasTwoDigits).prefix(5))")
        let bad = try sft(dir + "/bad", ["--pre-tokenizer", "bytes"])
        #expect(bad.status != 0 && bad.stderr.contains("--pre-tokenizer"), "\(bad.stderr)")
        // Not a silent no-op: with a given tokenizer (or a model to start from) the flag is refused.
        let given = try sft(dir + "/given", ["--pre-tokenizer", "digits", "--tokenizer", dir + "/gpt2/tokenizer.json"])
        #expect(given.status != 0 && given.stderr.contains("--pre-tokenizer applies"), "\(given.stderr)")
    }

    /// Records of the shards in `dir` whose file names start with `prefix`.
    static func records(_ dir: String, prefix: String) throws -> [JSONValue] {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(prefix) && $0.contains(".jsonl") }.sorted()
        return try files.flatMap { try SynthCLITests.lines(dir + "/" + $0) }.map { try JSONParser.parse($0) }
    }

    /// The decontamination lab's stages in small: an eval stage and a train stage with planted copies, a decontam
    /// stage reading its eval set from the eval stage (not scanning it), a label-cleaned mix by `not_equals`, and
    /// a new model whose tokenizer splits digits.
    @Test func labStagesDecontaminateAgainstAnEvalStage() throws {
        let dir = CLI.tempDir("lab-recipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}"#
            .write(toFile: dir + "/tiny.json", atomically: true, encoding: .utf8)
        let recipe = """
        seed: 5
        stages:
          - name: synth-eval
            kind: synth
            emit: eval
            eval_count: 500
            plant_items: 3
          - name: synth-train
            kind: synth
            emit: train
            train_count: 200
            plant_items: 3
            plant_dose: 8
          - name: decontaminated
            kind: decontam
            inputs: [synth-train, synth-eval]
            evals: {synth: {input: synth-eval}}
          - name: label-cleaned
            kind: mix
            inputs: [synth-train]
            dedupe: false
            sources:
              - {name: train, input: synth-train, fraction: 1.0, dedupe: false, filters: [{field: synth.planted.contamination, not_equals: true}]}
          - name: model
            kind: sft
            inputs: [label-cleaned]
            init: tiny.json
            pre_tokenizer: digits
            vocab_size: 400
            max_length: 64
            max_steps: 1
          - name: eval
            kind: eval
            inputs: [model, synth-eval]
            model: model
            task: gsm8k
            instruction: ""
            limit: 4
            max_new_tokens: 4
        """
        try recipe.write(toFile: dir + "/lab.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/lab.yaml", "--output", dir + "/run", "--quiet", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        // The eval stage labels the planted items.
        let eval = try Self.records(dir + "/run/synth-eval", prefix: "part")
        let labelled = eval.filter { $0["synth"]?["planted_kind"] != nil }
        #expect(labelled.count == 12)
        // Only the training pool is scanned: 200 problems + 4 kinds x 3 items x 8 copies.
        let rep = try JSONParser.parse(String(contentsOfFile: dir + "/run/decontaminated/report.json", encoding: .utf8))
        #expect(rep["records_in"]?.intValue == 200 + 96, "\(rep)")
        var removed: [String: Int] = [:]
        for x in try Self.records(dir + "/run/decontaminated", prefix: "removed") {
            removed[x["synth"]?["planted"]?["kind"]?.stringValue ?? "clean", default: 0] += 1
        }
        for kind in ["verbatim", "recased"] { #expect(removed[kind] == 24, "\(kind): \(removed)") }
        let kept = try Self.records(dir + "/run/decontaminated", prefix: "part")
        #expect(!kept.contains { ["verbatim", "recased"].contains($0["synth"]?["planted"]?["kind"]?.stringValue ?? "") })
        #expect(!kept.contains { $0["source"]?.stringValue == "synth-eval" }, "the eval stage is not passed through as training data")
        let settings = try String(contentsOfFile: dir + "/run/decontaminated/decontam.report.json", encoding: .utf8)
        #expect(settings.contains("synth-eval"), "the report names the eval set's files")
        // The label-cleaned pool: every record but the contamination copies (near-misses stay).
        let clean = try Self.records(dir + "/run/label-cleaned", prefix: "part")
        #expect(clean.count == 200 + 24)
        #expect(!clean.contains { $0["synth"]?["planted"]?["contamination"]?.boolValue == true })
        // The model's tokenizer splits digits.
        let vocab = try Self.vocabulary(dir + "/run/model")
        #expect(!vocab.isEmpty && !vocab.contains(where: Self.hasTwoDigits))
        // The eval stage (`instruction: ""`: the bare question, as the training data has it) grades 4 items.
        let graded = try Self.records(dir + "/run/eval", prefix: "part")
        #expect(graded.count == 4 && graded.allSatisfy { $0["correct"]?.boolValue != nil })
        // A changed eval stage re-runs the decontam stage (its content is in the fingerprint).
        try recipe.replacingOccurrences(of: "eval_count: 500", with: "eval_count: 400").write(toFile: dir + "/lab.yaml", atomically: true, encoding: .utf8)
        let again = try CLI.run(["run", dir + "/lab.yaml", "--output", dir + "/run", "--quiet", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let statuses = try JSONParser.parse(again.stdout)["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } ?? []
        #expect(statuses == ["done", "skipped", "done", "skipped", "skipped", "done"], "\(statuses)")
        // An eval input that is not an input of the stage is refused, naming the line.
        let bad = recipe.replacingOccurrences(of: "inputs: [synth-train, synth-eval]", with: "inputs: [synth-train]")
        try bad.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let b = try CLI.run(["run", dir + "/bad.yaml", "--output", dir + "/run2", "--quiet"])
        #expect(b.status != 0 && b.stderr.contains("bad.yaml:") && b.stderr.contains("not one of the stage's inputs"), "\(b.stderr)")
    }
}
