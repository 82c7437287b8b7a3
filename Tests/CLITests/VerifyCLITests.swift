import Curation
import Foundation
import Testing

@Suite struct VerifyCLITests {
    @Test func scoresAnswersAndConstraints() throws {
        let dir = CLI.tempDir("verify")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let records = [
            #"{"id":"m1","prompt":"p","response":"So we get \\boxed{\\frac{1}{2}}.","ground_truth":"0.5","dataset":"math"}"#,
            #"{"id":"m2","prompt":"p","response":"The answer is 3.","ground_truth":"\\frac{1}{2}","dataset":"math"}"#,
            #"{"id":"g1","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"so 1,250 in total\n#### 1,250"}],"ground_truth":"1250","dataset":"gsm8k"}"#,
            #"{"id":"i1","prompt":"p","response":"all lowercase and no commas here","ground_truth":{"instruction_id_list":["punctuation:no_comma","change_case:english_lowercase"],"kwargs":[{},{}]},"dataset":"ifeval"}"#,
            #"{"id":"i2","prompt":"p","response":"Hello, World","ground_truth":"{\"instruction_id_list\":[\"punctuation:no_comma\",\"change_case:english_lowercase\"],\"kwargs\":[null,null]}","dataset":"ifeval"}"#,
            #"{"id":"c1","prompt":"p","response":"I pick (C).","ground_truth":"C","dataset":"multiple_choice"}"#,
        ]
        try (records.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["verify", "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(out.map { $0["reward"]?.doubleValue } == [1, 0, 1, 1, 0, 1])
        #expect(out[0]["rule"]?.stringValue == "boxed")
        #expect(out[1]["extracted"]?.stringValue == "3")
        #expect(out[2]["rule"]?.stringValue == "gsm8k")
        #expect(out[3]["constraints"] != nil)
        // Unchanged fields keep their bytes: the original line is a prefix of the output line.
        let firstOut = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8).split(separator: "\n")[0]
        #expect(firstOut.hasPrefix(String(records[0].dropLast())))
    }

    @Test func unknownVerifierIsAClearError() throws {
        let dir = CLI.tempDir("verify-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"id":"x","prompt":"p","response":"r","ground_truth":"1","dataset":"chess"}"#.write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["verify", "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("in.jsonl:1"))
        #expect(r.stderr.contains("chess"))
    }
}
