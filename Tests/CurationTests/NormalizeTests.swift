import Curation
import Foundation
import Testing

/// `RecordNormalizer` and `NormalizeStage` on the fixture records of every schema (Fixtures/train).
@Suite struct NormalizeTests {
    func record(_ text: String, line: Int = 1) throws -> RawRecord {
        try RawRecord(bytes: Array(text.utf8), location: SourceLocation(file: "t.jsonl", line: line, offset: 0))
    }

    func object(_ outcome: RecordNormalizer.Outcome) throws -> JSONObject {
        guard case .record(let r) = outcome else { throw CurationError.invalidArgument("dropped: \(outcome)") }
        return try r.object()
    }

    func turns(_ o: JSONObject, _ field: String = "messages") throws -> [Message] {
        try Message.decodeList(o[field] ?? .null, field: field, at: SourceLocation(file: "out", line: 0, offset: 0))
    }

    @Test func s1ItemBecomesQuestionThenThinkingInTheS1DelimitersThenAttempt() throws {
        let n = RecordNormalizer(target: .chat)
        let r = try record(#"{"id":"q1","question":"What is 2+3?","thinking":"2 plus 3 is 5.","attempt":"5","source":"s1k","solved_by":["m"]}"#)
        let o = try object(try n.normalize(r, id: "q1"))
        #expect(o.keys == ["id", "messages", "source"])
        let t = try turns(o)
        #expect(t == [Message(role: "user", content: "What is 2+3?"),
                      Message(role: "assistant", content: "<|im_start|>think\n2 plus 3 is 5.\n<|im_start|>answer\n5")])
        // Another thinking format changes only the assistant turn.
        let plain = try object(try RecordNormalizer(target: .chat, thinkingFormat: .think).normalize(r, id: "q1"))
        #expect(try turns(plain).last?.content == "<think>\n2 plus 3 is 5.\n</think>\n5")
    }

    @Test func verifiableSamplesPersonaAndPreferenceMapToOneConversation() throws {
        let n = RecordNormalizer(target: .chat)
        // Verifiable: messages, then the response as the assistant turn; ground_truth/dataset are not kept.
        let v = try object(try n.normalize(try record(#"{"id":"v","messages":[{"role":"user","content":"1+1?"}],"response":"2","ground_truth":"2","dataset":"gsm8k"}"#), id: "v"))
        #expect(try turns(v) == [Message(role: "user", content: "1+1?"), Message(role: "assistant", content: "2")])
        #expect(v["ground_truth"] == nil)
        // Samples after vote: the first kept completion.
        let s = try object(try n.normalize(try record(#"{"id":"s","prompt":"p","completions":["a","b"],"vote":{"answer":"1"}}"#), id: "s"))
        #expect(try turns(s) == [Message(role: "user", content: "p"), Message(role: "assistant", content: "a")])
        // Preference: the chosen conversation.
        let p = try object(try n.normalize(try record(#"{"id":"p","chosen":[{"role":"user","content":"q"},{"role":"assistant","content":"good"}],"rejected":[{"role":"user","content":"q"},{"role":"assistant","content":"bad"}]}"#), id: "p"))
        #expect(try turns(p).last?.content == "good")
        // ShareGPT conversations read as turns.
        let g = try object(try n.normalize(try record(#"{"conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"hello"}]}"#), id: "t.jsonl:1"))
        #expect(try turns(g) == [Message(role: "user", content: "hi"), Message(role: "assistant", content: "hello")])
        #expect(g["id"]?.stringValue == "t.jsonl:1")
    }

    @Test func unmappableRecordsAreDroppedWithAReasonAndBadTypesAreErrors() throws {
        let n = RecordNormalizer(target: .chat)
        func reason(_ text: String) throws -> String? {
            if case .dropped(let why) = try n.normalize(try record(text), id: "x") { return why }
            return nil
        }
        #expect(try reason(#"{"id":"d","text":"a web page"}"#) == "document record (use --document-as assistant)")
        #expect(try reason(#"{"id":"s","prompt":"p","completions":["a","b"]}"#) == "unvoted samples with several completions (run vote first)")
        #expect(try reason(#"{"id":"v","prompt":"p","ground_truth":"1","dataset":"gsm8k"}"#) == "verifiable record without a response")
        #expect(try reason(#"{"id":"q","question":"q?"}"#) == "s1 item without thinking or attempt")
        #expect(try reason(#"{"id":"u","foo":1}"#) == "unknown schema")
        #expect(try reason(#"{"id":"c","messages":[{"role":"user","content":"only a question"}]}"#) == "chat record without a response")
        // Documents map only when asked.
        let doc = try object(try RecordNormalizer(target: .chat, documentAs: "assistant").normalize(try record(#"{"id":"d","text":"a web page","source":"web"}"#), id: "d"))
        #expect(try turns(doc) == [Message(role: "assistant", content: "a web page")])
        // Wrong types are errors naming the field, not drops.
        #expect(throws: CurationError.self) { try n.normalize(try record(#"{"id":"c","messages":"not a list"}"#), id: "c") }
        #expect(throws: CurationError.self) { try n.normalize(try record(#"{"id":"s","prompt":"p","completions":"x","vote":{}}"#), id: "s") }
        // The preference target keeps only pairs.
        if case .dropped(let why) = try RecordNormalizer(target: .preference).normalize(try record(#"{"id":"v","messages":[{"role":"user","content":"1"}],"response":"2"}"#), id: "v") {
            #expect(why == "not a preference pair (chat)")
        } else { Issue.record("a chat record passed the preference target") }
    }

    @Test func dropReasonAgreesWithNormalizeOnEveryFixtureRecord() throws {
        for target in RecordNormalizer.Target.allCases {
            let n = RecordNormalizer(target: target)
            for name in ["chat", "s1_pool", "verifiable", "samples", "preference", "persona", "documents"] {
                let text = try String(contentsOfFile: FixturePath.path("train/\(name).jsonl"), encoding: .utf8)
                for (k, line) in text.split(separator: "\n").enumerated() {
                    let r = try record(String(line), line: k + 1)
                    let full: String?
                    if case .dropped(let why) = try n.normalize(r, id: "x") { full = why } else { full = nil }
                    #expect(try n.dropReason(r) == full, "\(target) \(name):\(k + 1)")
                }
            }
        }
    }

    @Test func preferenceTargetWritesTRLsLayoutFromBothInputLayouts() throws {
        let n = RecordNormalizer(target: .preference)
        let tulu = try record(#"{"id":"p","chosen":[{"role":"user","content":"q"},{"role":"assistant","content":"good"}],"rejected":[{"role":"user","content":"q"},{"role":"assistant","content":"bad"}],"source":"uf"}"#)
        let trl = try record(#"{"id":"p","prompt":[{"role":"user","content":"q"}],"chosen":[{"role":"assistant","content":"good"}],"rejected":[{"role":"assistant","content":"bad"}],"source":"uf"}"#)
        let a = try object(try n.normalize(tulu, id: "p")), b = try object(try n.normalize(trl, id: "p"))
        #expect(a == b)
        #expect(a.keys == ["id", "prompt", "chosen", "rejected", "source"])
        #expect(try turns(a, "prompt") == [Message(role: "user", content: "q")])
        #expect(try turns(a, "rejected") == [Message(role: "assistant", content: "bad")])
    }

    @Test func stageOverEveryFixtureSchemaCountsInAsOutPlusDropped() throws {
        let dir = temporaryDirectory("normalize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = ["chat", "s1_pool", "verifiable", "samples", "preference", "persona", "documents"].map { FixturePath.path("train/\($0).jsonl") }
        var expectedIn = 0
        for f in files { expectedIn += try String(contentsOfFile: f, encoding: .utf8).split(separator: "\n").count }
        func run(threads: Int, out: String) throws -> (StageReport, [String]) {
            let reader = RecordReader(files: files, policy: .fail)
            let writer = try ShardedWriter(directory: out, options: ShardOptions(maxRecords: 50))
            let (report, manifest) = try NormalizeStage.run(reader: reader, writer: writer, normalizer: RecordNormalizer(target: .chat), threads: threads)
            var lines: [String] = []
            for s in manifest.shards {
                try LineReader(path: (out as NSString).appendingPathComponent(s.file)).forEachLine { l, _, _ in lines.append(String(decoding: l, as: UTF8.self)) }
            }
            return (report, lines)
        }
        let (report, lines) = try run(threads: 1, out: dir + "/a")
        #expect(report.recordsIn == expectedIn)
        #expect(report.recordsIn == report.recordsOut + report.dropped.values.reduce(0, +))
        // Documents are dropped (60 of them), and nothing else unless the fixture has unmappable records.
        #expect(report.dropped["normalize: document record (use --document-as assistant)"] == 60)
        var ids = Set<String>()
        for l in lines {
            let o = try JSONParser.parse(l).objectValue ?? JSONObject()
            #expect(Set(o.keys).isSubset(of: ["id", "messages", "source", "orig_id", "orig_source"]), "\(o.keys)")
            #expect(try turns(o).contains { $0.role == "assistant" })
            let fresh = ids.insert(o["id"]?.stringValue ?? "").inserted
            #expect(fresh)
        }
        // The same bytes with two threads.
        let (_, lines2) = try run(threads: 2, out: dir + "/b")
        #expect(lines == lines2)
    }
}
