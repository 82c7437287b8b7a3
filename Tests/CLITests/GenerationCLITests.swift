import Curation
import Foundation
import Testing

/// generate / eval / serve on the tiny random model in Fixtures/generation/tiny-chatml (hidden 32).
@Suite struct GenerationCLITests {
    static let model = CLI.fixture("generation/tiny-chatml")

    func lines(_ path: String) throws -> [JSONObject] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { l in
            guard case .object(let o) = try JSONParser.parse(Array(l.utf8)) else { throw CLIFailure("not an object") }
            return o
        }
    }

    struct CLIFailure: Error { var m: String; init(_ m: String) { self.m = m } }

    @Test func generateWritesTheSamplesLayoutThatVoteReads() throws {
        let dir = CLI.tempDir("generate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/samples.jsonl"
        let r = try CLI.run(["generate", "--model", Self.model, "--input", CLI.fixture("generation/prompts.jsonl"), "--output", out,
                             "--samples", "3", "--max-new-tokens", "6", "--seed", "5", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let recs = try lines(out)
        #expect(recs.count == 3)
        #expect(recs.map { $0["id"]?.stringValue } == ["chat-1", "raw-1", "\(CLI.fixture("generation/prompts.jsonl")):3"]
                || recs[2]["id"]?.stringValue?.hasSuffix(":3") == true)
        #expect(recs[1]["extra"]?["kept"]?.boolValue == true)
        for rec in recs {
            let comps = try #require(rec["completions"]?.arrayValue)
            let meta = try #require(rec["completion_meta"]?.arrayValue)
            #expect(comps.count == 3 && meta.count == 3)
            for m in meta {
                let t = try #require(m["tokens"]?.intValue)
                #expect(t >= 0 && t <= 6)
                #expect(m["thinking_tokens"]?.intValue == 0 && m["waits"]?.intValue == 0)
                #expect(["stop", "length"].contains(m["finish_reason"]?.stringValue ?? ""))
            }
        }
        // Same seed, same output.
        let again = dir + "/again.jsonl"
        _ = try CLI.run(["generate", "--model", Self.model, "--input", CLI.fixture("generation/prompts.jsonl"), "--output", again,
                         "--samples", "3", "--max-new-tokens", "6", "--seed", "5", "--quiet", "--batch", "2", "--threads", "1"])
        // Same seed, other batch size and thread count (the first run used every core): same bytes.
        #expect(try String(contentsOfFile: again, encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8))
        let badThreads = try CLI.run(["generate", "--model", Self.model, "--input", CLI.fixture("generation/prompts.jsonl"),
                                      "--output", dir + "/never.jsonl", "--threads", "0"])
        #expect(badThreads.status != 0 && badThreads.stderr.contains("threads"), "\(badThreads.stderr)")
        // generate -> vote runs (the random model rarely agrees, so only the pipeline is checked).
        let v = try CLI.run(["vote", "--input", out, "--output", dir + "/voted.jsonl"])
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func generateWithBudgetForcingRecordsThinking() throws {
        let dir = CLI.tempDir("generate-bf")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/samples.jsonl"
        let r = try CLI.run(["generate", "--model", Self.model, "--input", CLI.fixture("generation/prompts.jsonl"), "--output", out,
                             "--samples", "2", "--max-new-tokens", "4", "--max-thinking", "7", "--temperature", "0", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        for rec in try lines(out) {
            for (c, m) in zip(try #require(rec["completions"]?.arrayValue), try #require(rec["completion_meta"]?.arrayValue)) {
                let thinking = try #require(m["thinking_tokens"]?.intValue)
                #expect(thinking >= 1 && thinking <= 7)
                #expect(c.stringValue?.contains("<|im_start|>answer") == true)
            }
        }
    }

    @Test func evalScoresAndSweepsThinkingBudgets() throws {
        let dir = CLI.tempDir("eval")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["eval", "--model", Self.model, "--input", CLI.fixture("generation/gsm8k-5.jsonl"), "--task", "auto",
                             "--limit", "3", "--samples", "2", "--max-new-tokens", "5", "--thinking-budgets", "3,9",
                             "--report", dir + "/report.json", "--items", dir + "/items.jsonl", "--plot", dir + "/plot.svg", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").last?.hasPrefix("accuracy: ") == true)
        guard case .object(let rep) = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/report.json")))) else {
            Issue.record("report is not an object"); return
        }
        let runs = try #require(rep["runs"]?.arrayValue)
        #expect(runs.count == 2)
        let items = try lines(dir + "/items.jsonl")
        #expect(items.count == 6)
        for (i, run) in runs.enumerated() {
            let s = try #require(run["summary"]?.objectValue)
            #expect(s["items"]?.intValue == 3)
            let budget = [3, 9][i]
            let mine = items.filter { $0["thinking_budget"]?.intValue == budget }
            #expect(mine.count == 3)
            // The report's accuracy is the mean of the items' first-sample correctness.
            let acc = Double(mine.filter { $0["correct"]?.boolValue == true }.count) / 3
            #expect(abs((s["accuracy"]?.doubleValue ?? -1) - acc) < 1e-9)
            let avgThinking = try #require(s["avg_thinking_tokens"]?.doubleValue)
            #expect(avgThinking > 0 && avgThinking <= Double(budget))
            for it in mine {
                #expect(it["gold"]?.stringValue != nil)
                #expect(it["task"]?.stringValue == "gsm8k")
            }
        }
        let svg = try String(contentsOfFile: dir + "/plot.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<circle").count - 1 == 2)
    }

    @Test func badArgumentsFail() throws {
        let r = try CLI.run(["eval", "--model", Self.model, "--input", CLI.fixture("generation/gsm8k-5.jsonl"), "--task", "nope"])
        #expect(r.status != 0)
        let dir = CLI.tempDir("generate-bad-model")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try CLI.run(["generate", "--model", "/nonexistent", "--input", CLI.fixture("generation/prompts.jsonl"), "--output", dir + "/x.jsonl"])
        #expect(g.status != 0 && g.stderr.contains("nonexistent"))
    }
}

@Suite struct GenerationRunStageTests {
    /// generate -> vote and eval with / without budget forcing as run-recipe stages.
    @Test func recipeRunsGenerateAndEvalStages() throws {
        let dir = CLI.tempDir("gen-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", CLI.fixture("generation/run.yaml"), "-o", dir], cwd: CLI.fixture("generation"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("avg thinking 8 tokens") || r.stdout.contains("avg thinking 8 tokens"))
        for stage in ["samples", "voted", "eval-plain", "eval-forced"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + stage + "/part.manifest.json"))
        }
    }
}
