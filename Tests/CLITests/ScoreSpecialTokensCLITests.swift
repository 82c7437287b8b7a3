import Curation
import Foundation
import Testing

/// Issue 13 items 14 and 19: `score` reads special-token text as the token (as Hugging Face tokenizers does
/// by default), `--split-special-tokens` keeps the old plain-text reading, and a record that gives no
/// tokens is named in the error.
@Suite struct ScoreSpecialTokensCLITests {
    func nTokens(_ path: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let v = try JSONParser.parse(String(line))
            if let id = v["id"]?.stringValue, let n = v["n_tokens"]?.intValue { out[id] = n }
        }
        return out
    }

    @Test func specialTokenTextIsOneTokenUnlessSplit() throws {
        let dir = CLI.tempDir("score-special")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = CLI.fixture("generation/tiny-chatml")  // byte-level vocabulary + <|im_end|> as id 258
        try #"{"id": "a", "prompt": "Q: capital? A:", "completion": "Paris.<|im_end|>"}"#.write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["score", "--model", model, "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try nTokens(dir + "/out.jsonl")["a"] == 7)  // "Paris." is 6 bytes, then the one special token
        let s = try CLI.run(["score", "--model", model, "--input", dir + "/in.jsonl", "--output", dir + "/split.jsonl", "--quiet",
                             "--split-special-tokens"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try nTokens(dir + "/split.jsonl")["a"] == 16)  // the 10 bytes of "<|im_end|>" as text
    }

    @Test func aRecordWithNoTokensIsNamed() throws {
        let dir = CLI.tempDir("score-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"id": "fine", "prompt": "x", "completion": "y"}\#n{"id": "hollow", "prompt": "", "completion": ""}\#n"#
            .write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["score", "--model", CLI.fixture("generation/tiny-chatml"), "--input", dir + "/in.jsonl",
                             "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stderr.contains("hollow") && r.stderr.contains("no tokens") && r.stderr.contains("in.jsonl:2"), "\(r.stderr)")
        #expect(!r.stderr.contains("rows and length"))
    }
}
