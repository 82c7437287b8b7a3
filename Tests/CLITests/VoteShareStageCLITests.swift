import Curation
import Foundation
import Testing

/// A vote stage run as tasks (`run --executor local --tasks N`): partitioned by instance id (route and
/// vote phases, then the shares), it gives one run's records in one run's order (list instances first, in
/// input order, then the per-completion groups in order of first appearance) and its report, even when
/// every id's completions are spread over the whole input and list instances come after them.
@Suite struct VoteShareStageCLITests {
    static func recipe(_ dir: String) throws -> String {
        let base = try String(contentsOfFile: CLI.fixture("train/samples.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        // Ten copies of each prompt under new ids: enough instances for every share to hold some.
        let lines = (0..<10).flatMap { r in base.map { $0.replacingOccurrences(of: "\"id\": \"", with: "\"id\": \"r\(r)-") } }
        // Half the prompts as one record per completion, their completions interleaved over the file; the
        // other half as list instances, some before and some after the per-completion records.
        var perCompletion: [String] = []
        var list: [String] = []
        for (n, line) in lines.enumerated() {
            guard case .object(let o) = try JSONParser.parse(line), let c = o["completions"]?.arrayValue else { continue }
            if n % 2 == 0 { list.append(line); continue }
            for (k, completion) in c.enumerated() {
                var one = o
                one["completions"] = nil
                one["completion"] = completion
                perCompletion.append((k, n, JSONWriter.string(.object(one))).2)
            }
        }
        // Completion k of every prompt, then completion k + 1 of every prompt, ...: groups span the file.
        let spread = perCompletion.enumerated().sorted { ($0.offset % 8, $0.offset) < ($1.offset % 8, $1.offset) }.map(\.element)
        let text = (list.prefix(list.count / 2) + spread + list.suffix(from: list.count / 2)).joined(separator: "\n") + "\n"
        try text.write(toFile: dir + "/samples.jsonl", atomically: true, encoding: .utf8)
        let recipe = dir + "/vote.yaml"
        try """
            seed: 3
            sources:
              samples: {paths: ["\(dir)/samples.jsonl"]}
            stages:
              - name: voted
                kind: vote
                inputs: [samples]
                min_agreement: 0.3
            """.write(toFile: recipe, atomically: true, encoding: .utf8)
        return recipe
    }

    @Test func voteAsTasksGivesOneRunsRecordsInOrder() throws {
        let dir = CLI.tempDir("vote-shares")
        let recipe = try Self.recipe(dir)
        let env = ["CURATE_SHARE_UNIT_BYTES": "2048"]
        let inline = try ExecutorCLITests.run(recipe, dir + "/inline", env: env)
        #expect(inline.status == 0, "\(inline.stderr)")
        let one = try ShareCLITests.records(dir + "/inline/voted")
        let groups = one.filter { $0.contains("\"completion\"") }.count
        #expect(one.count > 20 && groups > 10 && one.count > groups, "both layouts kept: \(one.count) records, \(groups) per completion")
        for n in [2, 4] {
            let out = dir + "/tasks\(n)"
            let tasks = try ExecutorCLITests.run(recipe, out, ["--executor", "local", "--tasks", "\(n)"], env: env)
            #expect(tasks.status == 0, "\(tasks.stderr)")
            #expect(try ShareCLITests.records(out + "/voted") == one, "\(n) tasks")
            #expect(try ExecutorCLITests.normalized(dir + "/inline/voted/report.json", run: dir + "/inline")
                == ExecutorCLITests.normalized(out + "/voted/report.json", run: out), "\(n) tasks")
            for name in ["route-s0of\(n)", "vote-s\(n - 1)of\(n)", "s\(n - 1)of\(n)"] {
                #expect(FileManager.default.fileExists(atPath: out + "/voted/tasks/\(name).state.json"), "\(name)")
            }
            #expect(!FileManager.default.fileExists(atPath: out + "/voted/phases"))
        }
    }

    /// `vote --shard i/N --phase route|vote|write` by hand, then `merge OUTPUT`: one run's output file and
    /// report, where `--shard` alone refuses ids split between shares.
    @Test func votePhasesByHandGiveOneRunsFile() throws {
        let dir = CLI.tempDir("vote-phases-cli")
        _ = try Self.recipe(dir)
        let env = ["CURATE_SHARE_UNIT_BYTES": "2048"]
        let common = ["vote", "--input", dir + "/samples.jsonl", "--min-agreement", "0.3", "--quiet"]
        let one = try CLI.run(common + ["--output", dir + "/one.jsonl"])
        #expect(one.status == 0, "\(one.stderr)")
        for phase in ["route", "vote", "write"] {
            for i in [2, 0, 1] {
                let r = try CLI.run(common + ["--output", dir + "/shared.jsonl", "--shard", "\(i)/3", "--phase", phase], env: env)
                #expect(r.status == 0, "\(phase) \(i): \(r.stderr)")
            }
        }
        let merged = try CLI.run(["merge", dir + "/shared.jsonl", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let text = ShareCLITests.text(dir + "/one.jsonl")
        #expect(text.count > 5000 && text == ShareCLITests.text(dir + "/shared.jsonl"))
        #expect(try ShareCLITests.comparable(dir + "/one.jsonl.report.json") == ShareCLITests.comparable(dir + "/shared.jsonl.report.json"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/shared.jsonl.shares/phases"))
        // Without --phase the same shares are refused: ids' completions are spread over them.
        for i in 0..<3 {
            _ = try CLI.run(common + ["--output", dir + "/plain.jsonl", "--shard", "\(i)/3"], env: env)
        }
        let refused = try CLI.run(["merge", dir + "/plain.jsonl"])
        #expect(refused.status != 0 && refused.stderr.contains("has completions in shares"), "\(refused.stderr)")
        let skip = try CLI.run(common + ["--output", dir + "/skip.jsonl", "--shard", "0/3", "--phase", "route", "--on-error", "skip"], env: env)
        #expect(skip.status != 0 && skip.stderr.contains("--on-error"), "\(skip.stderr)")
    }
}
