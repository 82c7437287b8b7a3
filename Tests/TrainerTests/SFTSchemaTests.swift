import Curation
import Testing
import Trainer

/// Every schema a mix can hold becomes the conversation SFT trains on.
@Suite struct SFTSchemaTests {
    func record(_ text: String) throws -> RawRecord {
        try RawRecord(bytes: Array(text.utf8), location: SourceLocation(file: "t.jsonl", line: 1, offset: 0))
    }
    func turns(_ text: String) throws -> [String] {
        (try SFTExampleBuilder.messages(of: try record(text)) ?? []).map { "\($0.role):\($0.content)" }
    }

    @Test func samplesVerifiableS1AndPreferenceRecords() throws {
        #expect(try turns(#"{"id":"s","prompt":"Q?","completions":["A1","A2"]}"#) == ["user:Q?", "assistant:A1"])
        #expect(try turns(#"{"id":"v","messages":[{"role":"user","content":"Q?"}],"response":"R","ground_truth":"1"}"#) == ["user:Q?", "assistant:R"])
        #expect(try turns(#"{"id":"q","question":"Find x.","thinking":"Think.","attempt":"x = 3"}"#) == ["user:Find x.", "assistant:Think.\n\nx = 3"])
        #expect(try turns(#"{"id":"p","prompt":[{"role":"user","content":"Q"}],"chosen":[{"role":"assistant","content":"good"}],"rejected":[{"role":"assistant","content":"bad"}]}"#)
            == ["user:Q", "assistant:good"])
        #expect(try SFTExampleBuilder.messages(of: try record(#"{"id":"d","text":"plain"}"#)) == nil)
    }

    @Test func unusableRecordsAreClearErrors() throws {
        #expect(throws: CurationError.self) { _ = try turns(#"{"id":"q","question":"Find x."}"#) }
        #expect(throws: CurationError.self) { _ = try turns(#"{"id":"s","prompt":"Q","completions":"not a list"}"#) }
        #expect(throws: CurationError.self) { _ = try turns(#"{"id":"x","foo":1}"#) }
    }
}
