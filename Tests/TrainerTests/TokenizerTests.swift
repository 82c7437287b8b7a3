import Curation
import Foundation
import Testing
import Trainer

/// Fixtures/tokenizers/<name>/..., found by walking up from this file to the package root.
private func tokenizerFixture(_ parts: String...) -> String {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
    }
    return parts.reduce(url.appendingPathComponent("Fixtures/tokenizers")) { $0.appendingPathComponent($1) }.path
}

private struct Case { var text: String; var ids: [Int32] }

private func cases(_ name: String) throws -> [Case] {
    let text = try String(contentsOfFile: tokenizerFixture(name, "cases.jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        let v = try JSONParser.parse(String(line))
        let t = try #require(v["text"]?.stringValue)
        let ids = try #require(v["ids"]?.arrayValue).map { Int32($0.intValue ?? -1) }
        return Case(text: t, ids: ids)
    }
}

/// Loaded once per process: the fixtures are 1.5 MB of JSON each.
private let gpt2 = Result { try BPETokenizer.load(path: tokenizerFixture("gpt2")) }
private let smollm2 = Result { try BPETokenizer.load(path: tokenizerFixture("smollm2", "tokenizer.json")) }

@Suite struct TokenizerCaseTests {
    @Test func gpt2EncodesAndDecodesEveryCase() throws {
        let tok = try gpt2.get()
        #expect(tok.vocabSize == 50257)
        #expect(tok.preTokenizer == .gpt2)
        let all = try cases("gpt2")
        #expect(all.count == 245)
        var failures = 0
        for c in all {
            let ids = tok.encode(c.text)
            if ids != c.ids { failures += 1; if failures < 4 { Issue.record("encode mismatch for \(c.text.debugDescription.prefix(80))") } }
            #expect(tok.decode(c.ids) == c.text)
        }
        #expect(failures == 0)
    }

    @Test func smollm2EncodesAndDecodesEveryCase() throws {
        let tok = try smollm2.get()
        #expect(tok.vocabSize == 49152)
        #expect(tok.preTokenizer == .smollm)
        let all = try cases("smollm2")
        #expect(all.count == 98)
        var failures = 0
        for c in all {
            let ids = tok.encode(c.text)
            if ids != c.ids { failures += 1; if failures < 4 { Issue.record("encode mismatch for \(c.text.debugDescription.prefix(80))") } }
            #expect(tok.decode(c.ids) == c.text)
        }
        #expect(failures == 0)
    }
}
