import Curation
import Testing

/// ShareGPT records (`conversations: [{"from", "value"}]`) are chat records: detected as such, with
/// their turns read as messages (issue 13 item 10).
struct ShareGPTRecordTests {
    @Test func conversationsAreChat() throws {
        let line = #"{"id":"s","conversations":[{"from":"human","value":"How many eggs?"},{"from":"gpt","value":"Nine."}]}"#
        let rec = try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: "t.jsonl", line: 1, offset: 0))
        #expect(Schema.detect(rec) == .chat)
        #expect(try RecordText.text(of: rec) == "How many eggs?\nNine.")
        let turns = try Message.decodeList(try #require(try rec.value("conversations")), field: "conversations", at: rec.location)
        #expect(turns == [Message(role: "user", content: "How many eggs?"), Message(role: "assistant", content: "Nine.")])
    }
}
