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
    /// Each case encodes to its expected ids and its ids decode back to its text; only the first few
    /// encode mismatches are recorded, so a broken tokenizer does not flood the log.
    private func expectEveryCase(_ all: [Case], _ tok: BPETokenizer) {
        var failures = 0
        for c in all {
            let ids = tok.encode(c.text)
            if ids != c.ids { failures += 1; if failures < 4 { Issue.record("encode mismatch for \(c.text.debugDescription.prefix(80))") } }
            #expect(tok.decode(c.ids) == c.text)
        }
        #expect(failures == 0)
    }

    @Test func gpt2EncodesAndDecodesEveryCase() throws {
        let tok = try gpt2.get()
        #expect(tok.vocabSize == 50257)
        #expect(tok.preTokenizer == .gpt2)
        let all = try cases("gpt2")
        #expect(all.count == 245)
        expectEveryCase(all, tok)
    }

    @Test func smollm2EncodesAndDecodesEveryCase() throws {
        let tok = try smollm2.get()
        #expect(tok.vocabSize == 49152)
        #expect(tok.preTokenizer == .smollm)
        let all = try cases("smollm2")
        #expect(all.count == 98)
        expectEveryCase(all, tok)
    }
}

@Suite struct TokenizerBehaviourTests {
    /// A tiny hand-made vocabulary: every byte, plus a few merges.
    private func tinyJSON(mergesAsStrings: Bool) -> String {
        var vocab: [String] = (0..<256).map { String(Character(ByteLevel.byteToScalar[$0])) }
        vocab += ["ab", "abc", "Ġab", "<|im_end|>"]
        let merges = [("a", "b"), ("ab", "c"), ("Ġ", "ab")]
        let v = vocab.enumerated().map { "\(JSONWriter.string(.string($0.element))): \($0.offset)" }.joined(separator: ", ")
        let m = merges.map { mergesAsStrings ? "\"\($0.0) \($0.1)\"" : "[\"\($0.0)\", \"\($0.1)\"]" }.joined(separator: ", ")
        return """
        {"version": "1.0", "added_tokens": [{"id": 259, "content": "<|im_end|>", "special": true}],
         "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
         "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "vocab": {\(v)}, "merges": [\(m)]}}
        """
    }

    @Test func mergesInBothFormsGiveTheSameTokenizer() throws {
        let a = try BPETokenizer.load(jsonText: tinyJSON(mergesAsStrings: true))
        let b = try BPETokenizer.load(jsonText: tinyJSON(mergesAsStrings: false))
        let text = "abc ab abx<|im_end|>cab"
        #expect(a.encode(text) == b.encode(text))
        // "abc" -> abc(257); " ab" -> Ġab(258); " abx" -> Ġab, x; special; "cab" -> c, ab
        let x = Int32(UInt8(ascii: "x")), c = Int32(UInt8(ascii: "c"))
        #expect(a.encode(text) == [257, 258, 258, x, 259, c, 256])
        #expect(a.mergePairs.map { "\($0.0) \($0.1)" } == ["a b", "ab c", "Ġ ab"])
    }

    @Test func specialTokensAreMatchedBeforeSplittingAndCanBeDisabled() throws {
        let tok = try smollm2.get()
        let imStart = try #require(tok.specialTokenID("<|im_start|>"))
        let imEnd = try #require(tok.specialTokenID("<|im_end|>"))
        #expect(imStart == 1 && imEnd == 2)
        let ids = tok.encode("<|im_start|>user\nhi<|im_end|>")
        #expect(ids.first == imStart && ids.last == imEnd)
        let literal = tok.encode("<|im_start|>", parseSpecialTokens: false)
        #expect(!literal.contains(imStart) && literal.count > 1)
        #expect(tok.decode(ids, skipSpecialTokens: true) == "user\nhi")
        #expect(tok.isSpecialToken(imEnd) && !tok.isSpecialToken(ids[1]))
        // The GPT-2 tokenizer has only <|endoftext|> as an added token.
        let g = try gpt2.get()
        #expect(g.encode("a<|endoftext|>b") == [64, 50256, 65])
    }

    @Test func digitsAreSplitOnlyBySmolLM2() throws {
        let s = try smollm2.get(), g = try gpt2.get()
        #expect(s.encode("12345").count == 5)
        #expect(g.encode("12345").count < 5)
        #expect(s.decode(s.encode(" 2024-01-02: x=12.5")) == " 2024-01-02: x=12.5")
    }

    @Test func whitespaceRunsAndLongWordsRoundTrip() throws {
        let g = try gpt2.get()
        // Runs of spaces leave the last one to the next word (\s+(?!\S)).
        #expect(g.encode("a   b") == [64, 220, 220, 275])
        let long = String(repeating: "abcdefghij", count: 50) + String(repeating: " ", count: 300) + "end\n\n\n"
        #expect(g.decode(g.encode(long)) == long)
        // Words over 64 bytes take the heap-based merge path; ids from the reference library.
        let word = String(repeating: "ab", count: 100)
        #expect(g.encode(word) == [Int32](repeating: 397, count: 100))
        #expect(g.encode("x" + String(repeating: "=", count: 150)) == [87, 23926, 23926, 4770, 50155])
        let spaced = " " + String(repeating: "abcdefghij", count: 8)
        let block: [Int32] = [4299, 456, 2926, 39305]
        #expect(g.encode(spaced) == [450, 66] + Array(repeating: block, count: 7).joined() + [4299, 456, 2926])
        #expect(g.encode(word) == g.encode(word))  // second call served by the cache
    }

    @Test func countsTokensAsATokenCounter() throws {
        let counter: any TokenCounter = try gpt2.get()
        #expect(counter.countTokens("Hello world") == 2)
        #expect(counter.name.hasPrefix("bpe:"))
    }

    @Test func malformedFilesGiveClearErrors() throws {
        let cases: [(String, String)] = [
            ("{", "invalid JSON"),
            ("[]", "top level"),
            ("{\"model\": 3}", "no \"model\""),
            ("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", "model type"),
            ("{\"model\": {\"type\": \"BPE\", \"vocab\": [1]}}", "model.vocab"),
            ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}}}", "model.vocab[\"a\"]"),
            ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a\"]}}", "merges[0]"),
            ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\", \"b\"]]}}", "not in the vocabulary"),
            ("{\"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}}}", "pre_tokenizer Whitespace"),
            ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"added_tokens\": [{\"id\": \"x\"}], \"model\": {\"type\": \"BPE\", \"vocab\": {}}}", "added_tokens[0]"),
        ]
        for (json, expected) in cases {
            do {
                _ = try BPETokenizer.load(jsonText: json, source: "bad.json")
                Issue.record("no error for \(json)")
            } catch let e as TokenizerError {
                #expect(e.description.contains("bad.json"), "\(e)")
                #expect(e.description.contains(expected), "\(e) should mention \(expected)")
            }
        }
        #expect(throws: TokenizerError.self) { try BPETokenizer.load(path: "/nonexistent/tokenizer.json") }
    }

    @Test func buildsFromGGUFStyleParts() throws {
        let g = try gpt2.get()
        let rebuilt = try BPETokenizer(vocabulary: g.tokens, merges: g.mergePairs,
                                       addedTokens: g.addedTokens, preTokenizer: .gpt2)
        let text = "GGUF importers pass arrays: 12345 tokens, don't they?"
        #expect(rebuilt.encode(text) == g.encode(text))
        #expect(PreTokenizerKind(ggufName: "smollm") == .smollm)

        // As the GGUF importer calls it: token array, "a b" merges, token types (3 = control), roles.
        let s = try smollm2.get()
        let types = (0..<s.vocabSize).map { s.isSpecialToken(Int32($0)) ? Int32(3) : Int32(1) }
        let fromGGUF = try BPETokenizer(ggufTokens: s.tokens, merges: s.mergePairs.map { $0.0 + " " + $0.1 },
                                        tokenTypes: types, preTokenizer: .smollm, roles: SpecialTokenRoles(bos: 1, eos: 2))
        for c in try cases("smollm2") { #expect(fromGGUF.encode(c.text) == c.ids) }
        #expect(fromGGUF.roles.eos == 2 && fromGGUF.specialTokenID("<|im_end|>") == 2)
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(ggufTokens: ["a"], merges: ["a"], tokenTypes: nil, preTokenizer: .gpt2)
        }
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(ggufTokens: s.tokens, merges: [], tokenTypes: [1], preTokenizer: .gpt2)
        }
        #expect(PreTokenizerKind(ggufName: "llama-bpe") == nil)
    }
}

@Suite struct BPETrainerTests {
    private func corpus() throws -> [String] {
        try String(contentsOfFile: tokenizerFixture("train.txt"), encoding: .utf8).split(separator: "\n").map { String($0) + "\n" }
    }

    @Test func trainsSavesAndLoadsBackWithTheSameIDs() throws {
        let texts = try corpus()
        let tok = try BPETrainer.train(texts: texts, vocabSize: 600, minFrequency: 2)
        #expect(tok.vocabSize > 3 + 256 && tok.vocabSize <= 600)
        #expect(tok.specialTokenID("<|endoftext|>") == 0)
        #expect(tok.specialTokenID("<|im_start|>") == 1)
        #expect(tok.specialTokenID("<|im_end|>") == 2)
        // Frequent words became single tokens.
        #expect(tok.encode(" the").count == 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try tok.save(to: dir.path)
        let back = try BPETokenizer.load(path: dir.path)
        #expect(back.vocabSize == tok.vocabSize)
        #expect(back.mergePairs.map { $0.0 + " " + $0.1 } == tok.mergePairs.map { $0.0 + " " + $0.1 })
        for t in texts + ["unseen words: zebra quokka 9876 ∑"] {
            let ids = tok.encode(t)
            #expect(back.encode(t) == ids)
            #expect(back.decode(ids) == t)
        }
        // Training text compresses: fewer tokens than bytes.
        let all = texts.joined()
        #expect(tok.encode(all).count * 2 < all.utf8.count)
    }

    @Test func trainingIsDeterministicAndHonoursTheDigitSplit() throws {
        let texts = try corpus()
        let a = try BPETrainer.train(texts: texts, vocabSize: 400, preTokenizer: .smollm, threads: 1)
        let b = try BPETrainer.train(texts: texts, vocabSize: 400, preTokenizer: .smollm, threads: 2)
        #expect(a.tokenizerJSON() == b.tokenizerJSON())
        #expect(a.encode("2025").count == 4)
        #expect(throws: TokenizerError.self) { try BPETrainer.train(texts: texts, vocabSize: 100) }
    }
}

@Suite struct ChatTemplateTests {
    let chat = [Message(role: "system", content: "Be brief."), Message(role: "user", content: "Hi"),
                Message(role: "assistant", content: "Hello!"), Message(role: "user", content: "Bye"),
                Message(role: "assistant", content: "See you.")]

    @Test func chatMLMasksAssistantContentAndEndOfTurn() throws {
        let tok = try smollm2.get()
        let t = try ChatTemplate.named("chatml", tokenizer: tok)
        let r = t.render(chat, tokenizer: tok)
        #expect(r.text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\nSee you.<|im_end|>\n")
        #expect(r.ids.count == r.assistantMask.count)
        let masked = zip(r.ids, r.assistantMask).filter(\.1).map(\.0)
        #expect(tok.decode(masked) == "Hello!<|im_end|>See you.<|im_end|>")
        #expect(r.ids == tok.encode(r.text))
        let g = t.render(Array(chat.prefix(2)), tokenizer: tok, addGenerationPrompt: true)
        #expect(g.text.hasSuffix("<|im_start|>assistant\n"))
        #expect(!g.assistantMask.contains(true))
    }

    @Test func tuluMasksAssistantContentAndEOS() throws {
        let tok = try gpt2.get()
        let t = try ChatTemplate.named("tulu", tokenizer: tok)
        #expect(t.eosToken == "<|endoftext|>")
        let r = t.render(chat, tokenizer: tok)
        #expect(r.text == "<|system|>\nBe brief.\n<|user|>\nHi\n<|assistant|>\nHello!<|endoftext|>\n<|user|>\nBye\n<|assistant|>\nSee you.<|endoftext|>")
        let masked = zip(r.ids, r.assistantMask).filter(\.1).map(\.0)
        #expect(tok.decode(masked) == "Hello!<|endoftext|>See you.<|endoftext|>")
        #expect(r.assistantMask.last == true)
        #expect(t.render(Array(chat.prefix(2)), tokenizer: tok, addGenerationPrompt: true).text.hasSuffix("Hi\n<|assistant|>\n"))
    }

    @Test func detectsTheFamilyFromATokenizerConfig() throws {
        let smol = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        let c = try #require(ChatTemplate.detect(chatTemplate: smol))
        #expect(c.kind == .chatml)
        #expect(c.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        #expect(c.renderText([Message(role: "user", content: "x")]).text.hasPrefix("<|im_start|>system\nYou are a helpful"))
        let tulu = "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '\\n' }}{% endif %}{% endfor %}"
        #expect(ChatTemplate.detect(chatTemplate: tulu, eosToken: "</s>") == ChatTemplate(kind: .tulu, eosToken: "</s>"))
        #expect(ChatTemplate.detect(chatTemplate: "{{ messages }}") == nil)
        // What this project saves is recognised again: a model trained with Tulu's template and fine-tuned from
        // its folder keeps Tulu's layout (the saved Jinja spells out only "<|assistant|>"; it used to be read as
        // nothing, and a tokenizer with ChatML's tokens then switched the fine-tune to ChatML).
        for family in [ChatTemplate(kind: .tulu, eosToken: "</s>"), ChatTemplate(kind: .chatml, eosToken: "<|im_end|>")] {
            #expect(ChatTemplate.detect(chatTemplate: ModelFolder.jinja(for: family), eosToken: "</s>")?.kind == family.kind)
        }
        #expect(throws: TokenizerError.self) { try ChatTemplate.named("alpaca") }

        // From a checkpoint directory: tokenizer.json + tokenizer_config.json.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: tokenizerFixture("smollm2", "tokenizer.json"), toPath: dir.appendingPathComponent("tokenizer.json").path)
        let config = JSONValue.object(JSONObject(["chat_template": .string(smol), "eos_token": .string("<|im_end|>"), "bos_token": .string("<|im_start|>")]))
        try JSONWriter.string(config).write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let tok = try BPETokenizer.load(path: dir.path)
        #expect(tok.roles.eos == 2 && tok.roles.bos == 1)
        #expect(ChatTemplate.detect(for: tok)?.kind == .chatml)
        #expect(try ChatTemplate.detect(tokenizerConfigAt: dir.path)?.kind == .chatml)
    }
}
