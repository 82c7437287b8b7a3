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
    }
}
