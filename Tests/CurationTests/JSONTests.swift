import Curation
import Testing

@Suite struct JSONTests {
    @Test func parsesAndWritesBackCompactly() throws {
        let v = try JSONParser.parse(#"{"b": [1, 2.50, -3e2, true, null], "a": {"x": "y\n\u00e9\ud83d\ude00"}}"#)
        #expect(JSONWriter.string(v) == #"{"b":[1,2.50,-3e2,true,null],"a":{"x":"y\né😀"}}"#)
        #expect(v["b"]?.arrayValue?.count == 5)
        #expect(v["a"]?["x"]?.stringValue == "y\né😀")
    }

    @Test func keepsKeyOrderAndNumberText() throws {
        let text = #"{"z":1.0,"a":1e3,"m":0}"#
        let v = try JSONParser.parse(text)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(JSONWriter.string(v) == text)
    }

    @Test(arguments: [
        (#"{"a": }"#, "expected a value"),
        (#"{"a": 01}"#, "expected ',' or '}'"),
        (#"{"a": "x"#, "unterminated string"),
        (#"{"a": tru}"#, "invalid literal"),
        (#"{"a": "\q"}"#, "invalid escape"),
        (#"{"a": 1,}"#, "expected a string key"),
        ("[1]", "expected a JSON object"),
        (#"{"a": 1} {"#, "unexpected data after"),
        (#"{"a": "\u12G4"}"#, "invalid hex digit"),
    ])
    func rejectsMalformedRecords(input: String, reason: String) {
        do {
            _ = try Array(input.utf8).withUnsafeBytes { try JSONParser.scanTopLevel($0) }
            Issue.record("accepted \(input)")
        } catch let e as JSONSyntaxError {
            #expect(e.reason.contains(reason), "\(input): \(e.reason)")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func rejectsInvalidUTF8AndControlCharacters() {
        let bad: [[UInt8]] = [
            Array(#"{"a":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8),     // Latin-1 é
            Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), // encoded surrogate
            Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),     // overlong
            Array(#"{"a":"x"#.utf8) + [0x01] + Array(#""}"#.utf8),          // raw control character
        ]
        for b in bad {
            #expect(throws: JSONSyntaxError.self) { try b.withUnsafeBytes { try JSONParser.scanTopLevel($0) } }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let text = #"{"a":"# + deep + "}"
        #expect(throws: JSONSyntaxError.self) { try Array(text.utf8).withUnsafeBytes { try JSONParser.scanTopLevel($0) } }
    }

    @Test func writerEscapesControlCharacters() {
        let s = JSONWriter.string(.string("a\"b\\c\u{01}\t"))
        #expect(s == #""a\"b\\c\u0001\t""#)
        #expect((try? JSONParser.parse(s)) == .string("a\"b\\c\u{01}\t"))
    }
}
