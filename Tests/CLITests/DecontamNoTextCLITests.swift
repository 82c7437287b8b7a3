import Curation
import Foundation
import Testing

/// Issue 13 item 10: `decontam scan` read ShareGPT records (`conversations: [{"from", "value"}]`) as
/// having no text and passed them as clean. They are now read as chat; records with no text at all are
/// counted as `no_text` and warned about, or dropped or refused with `--on-no-text`.
@Suite struct DecontamNoTextCLITests {
    static func run(_ args: [String]) throws -> CLI.Result { try CLI.run(args, cwd: CLI.root) }

    /// The first GSM8K test question, verbatim.
    static func gsm8kQuestion() throws -> String {
        let first = try String(contentsOfFile: CLI.fixture("evals/gsm8k-test.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        return try JSONParser.parse(String(first))["question"]?.stringValue ?? ""
    }

    static func input(_ dir: String) throws -> String {
        let q = try gsm8kQuestion()
        let shareGPT = JSONWriter.string(.object(JSONObject([
            .init(key: "id", value: .string("sharegpt-1")),
            .init(key: "conversations", value: .array([
                .object(JSONObject([.init(key: "from", value: .string("system")), .init(key: "value", value: .string("You are helpful."))])),
                .object(JSONObject([.init(key: "from", value: .string("human")), .init(key: "value", value: .string(q))])),
                .object(JSONObject([.init(key: "from", value: .string("gpt")), .init(key: "value", value: .string("She makes $18 every day."))])),
            ])),
        ])))
        let lines = [
            #"{"id":"clean","messages":[{"role":"user","content":"What colour is the sky on a clear day at noon?"},{"role":"assistant","content":"Blue."}]}"#,
            #"{"id":"no-text","meta":{"score":3},"tags":["a","b"]}"#,
            shareGPT,
        ]
        let path = dir + "/train.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func shareGPTIsScannedAndNoTextIsCounted() throws {
        let dir = CLI.tempDir("decontam-notext")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let idx = dir + "/evals.sqlite"
        let i = try Self.run(["decontam", "index", "--eval", "gsm8k=Fixtures/evals/gsm8k-test.jsonl", "--ngram", "8", "--output", idx])
        #expect(i.status == 0, "\(i.stderr)")
        let train = try Self.input(dir)

        // Default: the ShareGPT record is flagged; the record with no text is kept, counted and warned about.
        let keep = try Self.run(["decontam", "scan", "--index", idx, "--input", train, "--output", dir + "/keep", "--report", dir + "/keep.json"])
        #expect(keep.status == 0, "\(keep.stderr)")
        let k = try JSONParser.parse(String(contentsOfFile: dir + "/keep.json", encoding: .utf8))
        #expect(k["contamination"]?["train_records_contaminated"]?.intValue == 1)
        #expect(k["dropped"]?["contaminated"]?.intValue == 1)
        #expect(k["no_text"]?.intValue == 1 && k["records_out"]?.intValue == 2)
        #expect(keep.stderr.contains("no text"))

        // drop: counted as dropped under no-text; in = out + dropped.
        let drop = try Self.run(["decontam", "scan", "--index", idx, "--input", train, "--output", dir + "/drop", "--report", dir + "/drop.json", "--on-no-text", "drop"])
        #expect(drop.status == 0, "\(drop.stderr)")
        let d = try JSONParser.parse(String(contentsOfFile: dir + "/drop.json", encoding: .utf8))
        #expect(d["dropped"]?["no-text"]?.intValue == 1 && d["records_out"]?.intValue == 1 && d["records_in"]?.intValue == 3)

        // fail: an error naming the file and line.
        let fail = try Self.run(["decontam", "scan", "--index", idx, "--input", train, "--output", dir + "/fail", "--on-no-text", "fail"])
        #expect(fail.status != 0)
        #expect(fail.stderr.contains("train.jsonl:2") && fail.stderr.contains("no text"))
    }
}
