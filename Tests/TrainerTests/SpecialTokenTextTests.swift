import Curation
import Foundation
import Testing
import Trainer

private func tokenizerFile(_ parts: String...) -> String {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
    }
    return parts.reduce(url.appendingPathComponent("Fixtures/tokenizers")) { $0.appendingPathComponent($1) }.path
}

/// Issue 13 item 14: special-token text becomes the token's id, as Hugging Face `tokenizers` does with its
/// default `split_special_tokens=False`. The reference ids in `special_cases.jsonl` were written by
/// `tokenizers` 0.23.3 (`Tokenizer.encode(text, add_special_tokens=False).ids`).
@Suite struct SpecialTokenTextTests {
    @Test(arguments: ["smollm2", "gpt2"])
    func matchesHuggingFaceOnSpecialTokenText(name: String) throws {
        let tok = try BPETokenizer.load(path: tokenizerFile(name, "tokenizer.json"))
        let lines = try String(contentsOfFile: tokenizerFile(name, "special_cases.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 5)
        for line in lines {
            let v = try JSONParser.parse(String(line))
            let text = try #require(v["text"]?.stringValue)
            let ids = try #require(v["ids"]?.arrayValue).map { Int32($0.intValue ?? -1) }
            #expect(tok.encode(text) == ids, "\(text.debugDescription)")
        }
    }

    @Test func parisCompletionIsEightTokensUnlessSplit() throws {
        let tok = try BPETokenizer.load(path: tokenizerFile("smollm2", "tokenizer.json"))
        let text = "The capital of France is Paris.<|im_end|>"
        // "The", " capital", " of", " France", " is", " Paris", "." and <|im_end|> (id 2 in SmolLM2's added_tokens).
        #expect(tok.encode(text) == [504, 3575, 282, 4649, 314, 7042, 30, 2])
        let split = tok.encode(text, parseSpecialTokens: false)
        #expect(split.count == 13 && !split.contains(2))
    }

    /// A document (`text`) record for SFT: written special tokens are their ids, and an eos already at
    /// the end is not added a second time.
    @Test func sftTextRecordsParseSpecialTokensWithoutDoubleEOS() throws {
        let json = try String(contentsOfFile: tokenizerFile("smollm2", "tokenizer.json"), encoding: .utf8)
        let withRoles = try BPETokenizer.load(jsonText: json, configText: #"{"eos_token": "<|im_end|>"}"#)
        #expect(withRoles.roles.eos == 2)
        let b = SFTExampleBuilder(tokenizer: withRoles, template: try ChatTemplate.named("chatml", tokenizer: withRoles), maxLength: 512)
        let rec = try RawRecord(bytes: Array(#"{"id":"d","text":"The capital of France is Paris.<|im_end|>"}"#.utf8),
                                location: SourceLocation(file: "t.jsonl", line: 1, offset: 0))
        let ex = try #require(try b.example(rec))
        #expect(ex.example.tokens == [504, 3575, 282, 4649, 314, 7042, 30, 2])
        let plain = try RawRecord(bytes: Array(#"{"id":"e","text":"Paris."}"#.utf8), location: SourceLocation(file: "t.jsonl", line: 2, offset: 0))
        #expect(try #require(try b.example(plain)).example.tokens.last == 2)
    }
}
