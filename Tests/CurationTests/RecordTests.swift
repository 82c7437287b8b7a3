import Curation
import Testing

@Suite struct RecordTests {
    func record(_ text: String, file: String = "f.jsonl", line: Int = 1) throws -> RawRecord {
        try RawRecord(bytes: Array(text.utf8), location: SourceLocation(file: file, line: line, offset: 0))
    }

    @Test func unknownFieldsSurviveAnEdit() throws {
        let r = try record(#"{"id": "a",  "weird": {"k": [1.50, null]}, "text": "hi"}"#)
        let edited = r.setting("text", to: .string("bye")).setting("new", to: .int(3))
        #expect(String(decoding: edited.bytes, as: UTF8.self) == #"{"id": "a",  "weird": {"k": [1.50, null]}, "text": "bye","new":3}"#)
        #expect(try edited.string("text") == "bye")
    }

    @Test func detectsEverySchema() throws {
        let cases: [(String, Schema)] = [
            (#"{"id":"1","text":"t"}"#, .document),
            (#"{"id":"1","messages":[]}"#, .chat),
            (#"{"chosen":[],"rejected":[]}"#, .preference),
            (#"{"prompt":"p","ground_truth":"1","dataset":"gsm8k"}"#, .verifiable),
            (#"{"id":"1","completions":["a"]}"#, .samples),
            (#"{"prompt":"p","input_persona":"x"}"#, .persona),
            (#"{"question":"q","thinking":"t"}"#, .s1Pool),
            (#"{"key":"0","prompt":"p"}"#, .prompt),
            (#"{"foo":1}"#, .unknown),
        ]
        for (text, schema) in cases { #expect(Schema.detect(try record(text)) == schema, "\(text)") }
    }

    @Test func idsFallBackToFileAndLine() throws {
        #expect(try RecordID.of(try record(#"{"id":"x"}"#)) == "x")
        #expect(try RecordID.of(try record(#"{"task_id":"HumanEval/0"}"#)) == "HumanEval/0")
        #expect(try RecordID.of(try record(#"{"key": 17}"#)) == "17")
        #expect(try RecordID.of(try record(#"{"text":"t"}"#, file: "/a/b/train.jsonl", line: 12)) == "train.jsonl:12")
        var ids = UniqueIDs()
        #expect([ids.claim("a"), ids.claim("a"), ids.claim("b"), ids.claim("a")] == ["a", "a#2", "b", "a#3"])
    }

    @Test func textPerSchema() throws {
        let chat = try record(#"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"text","text":"Yo"}]}]}"#)
        #expect(try RecordText.text(of: chat) == "Hi\nYo")
        let tulu = try record(#"{"chosen":[{"role":"user","content":"Q"},{"role":"assistant","content":"good"}],"rejected":[{"role":"user","content":"Q"},{"role":"assistant","content":"bad"}]}"#)
        #expect(try RecordText.text(of: tulu) == "Q\ngood\nbad")
        let trl = try record(#"{"prompt":[{"role":"user","content":"Q"}],"chosen":[{"role":"assistant","content":"good"}],"rejected":[{"role":"assistant","content":"bad"}]}"#)
        let p = try Preference(record: trl)
        #expect(p.chosen.map(\.content) == ["Q", "good"])
        #expect(p.rejected.last?.content == "bad")
        #expect(try RecordText.text(of: trl) == "Q\ngood\nbad")
    }

    @Test func wrongTypesAndMissingFieldsNameTheField() throws {
        let wrong = try record(#"{"id":"w1","messages":"not a list"}"#, line: 4)
        do { _ = try RecordText.text(of: wrong); Issue.record("accepted") } catch let e as CurationError {
            #expect(e.description.contains("f.jsonl:4"))
            #expect(e.description.contains("\"messages\""))
        }
        let missing = try record(#"{"id":"m1","messages":[{"content":"no role"}]}"#, line: 2)
        do { _ = try RecordText.text(of: missing); Issue.record("accepted") } catch let e as CurationError {
            #expect(e.description.contains("role"))
        }
        #expect(throws: CurationError.self) { _ = try wrong.requiredString("text") }
        #expect(throws: CurationError.self) { _ = try record(#"{"id": 5}"#).string("id") }
    }
}
