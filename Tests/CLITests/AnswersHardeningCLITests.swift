import Curation
import Foundation
import Testing

/// Issue 13 items 1, 8 and 19 (vote) through the built binary: deeply nested answers give verdicts,
/// unverifiable records are rejected verbatim and counted by the CLI and the recipe stage alike, and
/// `vote` takes the shared options and writes its report by default.
@Suite struct AnswersHardeningCLITests {
    static let levels = 200_000

    /// The answer shapes of issue 13 item 1, each 200k levels deep.
    static let deepAnswers: [String] = [
        String(repeating: "\\sqrt", count: levels) + "2",
        String(repeating: "\\frac1", count: levels) + "2",
        String(repeating: "\\sin", count: levels) + "x",
        "3" + String(repeating: "!", count: levels),
    ]

    static func line(_ o: [String: JSONValue]) -> String { JSONWriter.string(.object(JSONObject(o.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: $0.value) }))) }

    static func readJSONL(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test func verifyGivesDeepAnswersAVerdict() throws {
        let dir = CLI.tempDir("deep-verify")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let records = Self.deepAnswers.enumerated().map { k, a in
            Self.line(["id": .string("d\(k)"), "prompt": .string("p"), "response": .string("so \\boxed{\(a)}"), "ground_truth": .string("2"), "dataset": .string("math")])
        }
        try (records.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let r = try CLI.run(["verify", "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--quiet"])
        #expect(r.status == 0 && !r.signaled, "\(r.stderr.prefix(500))")
        let out = try Self.readJSONL(dir + "/out.jsonl")
        #expect(out.count == Self.deepAnswers.count)
        #expect(out.allSatisfy { $0["reward"]?.intValue == 0 && $0["verdict_reason"]?.stringValue == "too-deep" })
    }

    @Test func voteAndAnswersEvalSurviveDeepAnswers() throws {
        let dir = CLI.tempDir("deep-vote")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let samples = Self.deepAnswers.prefix(2).enumerated().map { k, a in
            Self.line(["id": .string("s\(k)"), "prompt": .string("p"), "ground_truth": .string("2"), "dataset": .string("math"),
                       "completions": .array([.string("\\boxed{\(a)}"), .string("\\boxed{\(a)}"), .string("\\boxed{2}")])])
        }
        try (samples.joined(separator: "\n") + "\n").write(toFile: dir + "/samples.jsonl", atomically: true, encoding: .utf8)
        let v = try CLI.run(["vote", "--input", dir + "/samples.jsonl", "--output", dir + "/voted.jsonl", "--quiet"])
        #expect(v.status == 0 && !v.signaled, "\(v.stderr.prefix(500))")
        let pairs = Self.deepAnswers.prefix(2).map { Self.line(["gold": .string("2"), "candidate": .string($0)]) }
        try (pairs.joined(separator: "\n") + "\n").write(toFile: dir + "/pairs.jsonl", atomically: true, encoding: .utf8)
        let e = try CLI.run(["answers-eval", "--pairs", dir + "/pairs.jsonl", "--output", dir + "/pred.jsonl"])
        #expect(e.status == 0 && !e.signaled, "\(e.stderr.prefix(500))")
        let pred = try Self.readJSONL(dir + "/pred.jsonl")
        #expect(pred.count == 2 && pred.allSatisfy { $0["predicted"]?.boolValue == false && $0["reason"]?.stringValue == "too-deep" })
    }

    /// Records that parse but cannot be scored: no ground truth, unknown verifier, no response.
    static let unverifiable = [
        #"{"id":"a","prompt":"p","response":"r"}"#,
        #"{"id":"b","prompt":"p","response":"r","ground_truth":"1","dataset":"chess"}"#,
        #"{"id":"c","prompt":"p","ground_truth":"1","dataset":"math"}"#,
    ]
    static let good = [
        #"{"id":"g1","prompt":"p","response":"The answer is 4.","ground_truth":"4","dataset":"math"}"#,
        #"{"id":"g2","prompt":"p","response":"The answer is 5.","ground_truth":"4","dataset":"math"}"#,
    ]

    static func writeVerifyInput(_ dir: String) throws -> String {
        let lines = [good[0], unverifiable[0], unverifiable[1], good[1], unverifiable[2], "{broken"]
        let path = dir + "/in.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func verifySkipWritesUnverifiableRecordsVerbatim() throws {
        let dir = CLI.tempDir("verify-skip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try Self.writeVerifyInput(dir)
        let r = try CLI.run(["verify", "--input", input, "--output", dir + "/out.jsonl", "--on-error", "skip", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let rejected = try String(contentsOfFile: dir + "/rejected.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rejected == [Self.unverifiable[0], Self.unverifiable[1], Self.unverifiable[2], "{broken"])
        let reasons = try String(contentsOfFile: dir + "/rejected.reasons.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(reasons.count == 4 && reasons[0].contains("ground_truth"))
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/out.jsonl.report.json", encoding: .utf8))
        #expect(report["records_in"]?.intValue == 6 && report["records_out"]?.intValue == 2)
        #expect(report["dropped"]?["unverifiable"]?.intValue == 3)
        // Under the default policy the first unverifiable record stops the run, naming file and line.
        let fail = try CLI.run(["verify", "--input", input, "--output", dir + "/o2.jsonl", "--quiet"])
        #expect(fail.status != 0 && fail.stderr.contains("in.jsonl:2"))
    }

    @Test func recipeVerifyStageSharesThePolicy() throws {
        let dir = CLI.tempDir("verify-recipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.writeVerifyInput(dir)
        let recipe = """
        seed: 1
        sources:
          rlvr: {paths: [in.jsonl]}
        stages:
          - name: verified
            kind: verify
            inputs: [rlvr]
            min_reward: 1.0
            on_error: skip
        """
        try recipe.write(toFile: dir + "/recipe.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/recipe.yaml", "--output", dir + "/out", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/out/verified/report.json", encoding: .utf8))
        #expect(report["records_in"]?.intValue == 6 && report["records_out"]?.intValue == 1)
        #expect(report["dropped"]?["unverifiable"]?.intValue == 3 && report["dropped"]?["below-min-reward"]?.intValue == 1)
        let rejected = try String(contentsOfFile: dir + "/out/verified/rejected.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rejected == [Self.unverifiable[0], Self.unverifiable[1], Self.unverifiable[2], "{broken"])
    }

    @Test func voteTakesSharedOptionsAndWritesItsReport() throws {
        let dir = CLI.tempDir("vote-options")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["vote", "--input", CLI.fixture("train/samples.jsonl"), "--output", dir + "/voted.jsonl", "--quiet", "--json", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        let report = try JSONParser.parse(String(contentsOfFile: dir + "/voted.jsonl.report.json", encoding: .utf8))
        #expect(report["stage"]?.stringValue == "vote")
        #expect(try JSONParser.parse(r.stdout)["records_in"]?.intValue == report["records_in"]?.intValue)
    }
}
