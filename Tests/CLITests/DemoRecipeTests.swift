import Curation
import Foundation
import Testing

/// The README's main job: the demo recipe runs end to end, every stage's counts add up to what the
/// fixtures plant, and a re-run skips every stage.
@Suite struct DemoRecipeTests {
    @Test func demoRecipeRunsEndToEndAndSkipsOnRerun() throws {
        let dir = CLI.tempDir("demo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try CLI.run(["run", CLI.fixture("recipes/demo.yaml"), "--output", dir, "--quiet", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        func report(_ stage: String) throws -> JSONValue {
            try JSONParser.parse(try String(contentsOfFile: "\(dir)/\(stage)/report.json", encoding: .utf8))
        }
        let decon = try report("decontaminated")
        #expect(decon["records_in"]?.intValue == 137)
        #expect(decon["dropped"]?["contaminated"]?.intValue == 7)
        let voted = try report("voted")
        #expect(voted["records_out"]?.intValue == 10)
        #expect(voted["dropped"]?["no-majority"]?.intValue == 5)
        #expect(voted["dropped"]?["disagrees-with-gold"]?.intValue == 5)
        #expect(try report("verified")["records_out"]?.intValue == 16)
        #expect(try report("gold")["records_out"]?.intValue == 12)
        let mix = try Manifest.load(Manifest.path(directory: dir + "/mix", prefix: "part"))
        #expect(mix.records > 100)
        #expect(mix.verify(directory: dir + "/mix").isEmpty)
        let md = try String(contentsOfFile: dir + "/decontaminated/report.md", encoding: .utf8)
        #expect(md.contains("gsm8k") && md.contains("math500") && md.contains("Produced by `curate-tool "))

        // The trained model is evaluated with and without budget forcing (s1): the forced run thinks longer.
        let plain = try report("eval_plain"), forced = try report("eval_budget_forced")
        #expect(plain["records_out"]?.intValue == 4 && forced["records_out"]?.intValue == 4)
        #expect((forced["avg_thinking_tokens"]?.doubleValue ?? 0) >= 16)
        #expect(FileManager.default.fileExists(atPath: dir + "/dpo/model.safetensors"))
        // SFT -> DPO -> RLVR end to end: the RLVR stage's steps and TRL-named metrics.
        let rl = try report("rl")
        #expect(rl["steps"]?.intValue == 2 && rl["records_out"]?.intValue == rl["records_in"]?.intValue)
        let rlMetrics = try String(contentsOfFile: dir + "/rl/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rlMetrics.count == 2)
        for key in ["reward", "reward_std", "accuracy", "kl", "clip_ratio", "completion_length", "frac_reward_zero_std"] {
            #expect(rlMetrics.allSatisfy { $0.contains("\"\(key)\":") }, "metrics.jsonl lacks \(key)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/rl/model.safetensors"))

        let second = try CLI.run(["run", CLI.fixture("recipes/demo.yaml"), "--output", dir])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("skipped") || second.stdout.contains("skipped"), "\(second.stderr)")
    }
}
