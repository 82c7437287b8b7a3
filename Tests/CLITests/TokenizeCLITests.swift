import Curation
import Foundation
import Testing

@Suite struct TokenizeCLITests {
    @Test func writesIdsThatMatchTheReferenceCases() throws {
        // The SmolLM2 reference cases as prompt records: the ids written must equal the HF ids.
        let dir = CLI.tempDir("tok")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases = try String(contentsOfFile: CLI.fixture("tokenizers/smollm2/cases.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(40).map { try JSONParser.parse(String($0)) }
        let input = dir + "/in.jsonl"
        let lines = cases.enumerated().map { i, c in
            JSONWriter.string(.object(JSONObject(["id": .string("c\(i)"), "text": c["text"] ?? .null])))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["tokenize", "--tokenizer", CLI.fixture("tokenizers/smollm2"), "--input", input, "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(out.count == cases.count)
        for (line, c) in zip(out, cases) {
            #expect(try JSONParser.parse(String(line))["ids"] == c["ids"])
        }
    }

    @Test func countsPerSource() throws {
        let r = try CLI.run(["tokenize", "--tokenizer", CLI.fixture("tokenizers/gpt2/tokenizer.json"), "--input", CLI.fixture("train/preference.jsonl"), "--count", "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONParser.parse(r.stdout)
        #expect(v["records_out"]?.intValue == 30)
        #expect(v["per_source"]?["ultrafeedback"]?["records"]?.intValue == 30)
        #expect((v["tokens"]?.intValue ?? 0) > 500)
    }
}
