import Curation
import Foundation
import Testing

/// `--shard i/N` on `generate` and `persona`, and their recipe stages run as tasks: each share does an
/// equal run of the records (or persona slots), reading the whole input, so ids made unique across the
/// input (`#2`) and `--limit` are one run's; samples are seeded per record and sample, so the merged
/// output is one run's, byte for byte (the tiny test model for generate; persona's requests answered
/// from a primed request cache, as `PersonaCLITests` does).
@Suite struct GenerationShareCLITests {
    static let model = CLI.fixture("generation/tiny-chatml")

    /// The fixture prompts three times: ids repeat across what becomes several shares (`chat-1#2`,
    /// `chat-1#3`), and the records without one get their own `FILE:LINE`.
    static func prompts(_ dir: String) throws -> String {
        let text = try String(contentsOfFile: CLI.fixture("generation/prompts.jsonl"), encoding: .utf8)
        let path = dir + "/prompts.jsonl"
        try (text + text + text).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func generate(_ input: String, _ output: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["generate", "--model", model, "--input", input, "--output", output, "--samples", "2", "--max-new-tokens", "5",
                     "--seed", "5", "--threads", "1", "--quiet"] + extra)
    }

    @Test func generateSharesMergeToTheOneRunsFile() throws {
        let dir = CLI.tempDir("gen-share")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try Self.prompts(dir)
        let one = try Self.generate(input, dir + "/one.jsonl", ["--report", dir + "/one.report.json"])
        #expect(one.status == 0, "\(one.stderr)")
        for i in 0..<4 {
            let r = try Self.generate(input, dir + "/shared.jsonl", ["--shard", "\(i)/4"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/shared.jsonl"), "nothing under the final name before the merge")
        let merged = try CLI.run(["merge", dir + "/shared.jsonl", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let a = ShareCLITests.text(dir + "/one.jsonl"), b = ShareCLITests.text(dir + "/shared.jsonl")
        #expect(a.split(separator: "\n").count == 9 && a == b)
        // The repeated ids were made unique across the whole input: the third chat-1 differs from the first.
        let lines = a.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
        #expect(lines[0]["completions"] != lines[6]["completions"] || lines[0]["completions"] == .null)
        #expect(try ShareCLITests.comparable(dir + "/one.report.json") == ShareCLITests.comparable(dir + "/shared.jsonl.report.json"))
        let report = try JSONParser.parse(ShareCLITests.text(dir + "/shared.jsonl.report.json"))
        #expect(report["records_in"]?.intValue == 9 && report["records_out"]?.intValue == 9, "\(report)")

        // --limit is the whole input's: 2 shares of the first 5 records are one run's first 5.
        let limited = try Self.generate(input, dir + "/limited.jsonl", ["--limit", "5"])
        #expect(limited.status == 0, "\(limited.stderr)")
        for i in 0..<2 { #expect(try Self.generate(input, dir + "/limshared.jsonl", ["--limit", "5", "--shard", "\(i)/2"]).status == 0) }
        #expect(try CLI.run(["merge", dir + "/limshared.jsonl", "--quiet"]).status == 0)
        #expect(ShareCLITests.text(dir + "/limited.jsonl") == ShareCLITests.text(dir + "/limshared.jsonl"))
        #expect(ShareCLITests.text(dir + "/limited.jsonl").split(separator: "\n").count == 5)

        // A Parquet file cannot be joined by concatenation: a share of one is refused, naming why.
        let pq = try Self.generate(input, dir + "/x.parquet", ["--shard", "0/2"])
        #expect(pq.status != 0 && pq.stderr.contains("Parquet"), "\(pq.stderr)")
    }

    @Test func generateStageAsTasksGivesTheInlineRecords() throws {
        let dir = CLI.tempDir("gen-tasks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.prompts(dir)
        try """
            seed: 3
            sources:
              prompts: {paths: [prompts.jsonl]}
            stages:
              - name: samples
                kind: generate
                inputs: [prompts]
                model: \(Self.model)
                samples: 2
                max_new_tokens: 5
            """.write(toFile: dir + "/recipe.yaml", atomically: true, encoding: .utf8)
        let inline = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let tasks = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/tasks", ["--executor", "local", "--tasks", "3"])
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let a = try ShareCLITests.records(dir + "/inline/samples"), b = try ShareCLITests.records(dir + "/tasks/samples")
        #expect(a.count == 9 && a == b)
        #expect(try ExecutorCLITests.normalized(dir + "/inline/samples/report.json", run: dir + "/inline")
                == ExecutorCLITests.normalized(dir + "/tasks/samples/report.json", run: dir + "/tasks"))
        #expect(try ShareRecord.loadAll(directory: dir + "/tasks/samples").map { $0.manifests.first?.records ?? -1 } == [3, 3, 3])
    }

    /// Primes `paths` with the answers to every request of a math synthesis of `count` slots (seed 3,
    /// 3 samples), as `HTTPGenerator` would key them; returns the kept record ids.
    static func primeMath(_ paths: [String], count: Int, taskMaxTokens: Int = 512, solutionMaxTokens: Int = 1024) throws -> [String] {
        let personas = try PersonaSelection.dedupe(try PersonaLoader.load(path: CLI.fixture("persona/personas.jsonl"))).kept
        let slots = PersonaSelection.sample(personas, count: count, seed: 3)
        var kept: [String] = []
        for (k, path) in paths.enumerated() {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let primer = try CachePrimer(cachePath: path, script: PersonaCLITests.mathScript)
            var ids: [String] = []
            _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .math, count: count, samples: 3, seed: 3,
                                                                      taskMaxTokens: taskMaxTokens, solutionMaxTokens: solutionMaxTokens))
                .run(slots: slots, generator: primer, prompt: { _ in }, record: { ids.append($0["id"]?.stringValue ?? "") })
            if k == 0 { kept = ids }
        }
        return kept
    }

    @Test func personaSharesMergeToTheOneRun() throws {
        let dir = CLI.tempDir("persona-share")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expected = try Self.primeMath([dir + "/cache.sqlite"], count: 10)
        #expect(!expected.isEmpty && expected.count < 10)
        let base = ["persona", "--skill", "math", "--personas", CLI.fixture("persona/personas.jsonl"), "--count", "10", "--samples", "3",
                    "--seed", "3", "--backend", "openai:http://127.0.0.1:9/v1", "--cache", dir + "/cache.sqlite", "--compression", "none", "--quiet"]
        let one = try CLI.run(base + ["--output", dir + "/one"])
        #expect(one.status == 0, "\(one.stderr)")
        for i in 0..<3 {
            let r = try CLI.run(base + ["--output", dir + "/shared", "--shard", "\(i)/3"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let early = try CLI.run(["stats", dir + "/shared/records"])
        #expect(early.status != 0 && early.stderr.contains("incomplete"), "readers wait for the merge: \(early.stderr)")
        let merged = try CLI.run(["merge", dir + "/shared", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for sub in ["records", "prompts"] {
            let a = try ShareCLITests.records(dir + "/one/" + sub), b = try ShareCLITests.records(dir + "/shared/" + sub)
            #expect(!a.isEmpty && a == b, "\(sub)")
        }
        let ids = try ShareCLITests.records(dir + "/shared/records").map { (try? JSONParser.parse($0))?["id"]?.stringValue ?? "" }
        #expect(ids == expected)
        #expect(try ExecutorCLITests.normalized(dir + "/one/report.json", run: dir + "/one")
                == ExecutorCLITests.normalized(dir + "/shared/report.json", run: dir + "/shared"))
        let report = try JSONParser.parse(ShareCLITests.text(dir + "/shared/report.json"))
        #expect(report["backend"]?["requests_sent"] == .int(0) && report["personas"]?["loaded"] == .int(320), "\(report)")
    }

    /// Instruction following with preference pairs: three answer styles, picked by a hash of the request.
    static func ifScript(_ r: GenerationRequest) -> String {
        let parts = r.id.split(separator: "/")
        if parts.count > 1, parts[1] == "task" { return "User instruction: Write about the sea for \(parts[0])." }
        let texts = ["a calm answer in lowercase without any commas at all.", "A Calm Answer, In Title Case, With Commas.",
                     "SEA. " + String(repeating: "the sea is wide and deep and old and blue. ", count: 40)]
        return texts[Int(XXH3.hash64(r.id) % 3)]
    }

    @Test func personaSharesWithPreferencesMergeToTheOneRun() throws {
        let dir = CLI.tempDir("persona-share-if")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let personas = try PersonaSelection.dedupe(try PersonaLoader.load(path: CLI.fixture("persona/personas.jsonl"))).kept
        let primer = try CachePrimer(cachePath: dir + "/cache.sqlite", script: Self.ifScript)
        _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .instructionFollowing, count: 24, samples: 2, seed: 4, preferences: true))
            .run(slots: PersonaSelection.sample(personas, count: 24, seed: 4), generator: primer, prompt: { _ in }, record: { _ in }, preference: { _ in })
        let base = ["persona", "--skill", "if", "--preferences", "--personas", CLI.fixture("persona/personas.jsonl"), "--count", "24", "--samples", "2",
                    "--seed", "4", "--backend", "openai:http://127.0.0.1:9/v1", "--cache", dir + "/cache.sqlite", "--quiet"]
        let one = try CLI.run(base + ["--output", dir + "/one"])
        #expect(one.status == 0, "\(one.stderr)")
        for i in 0..<4 {
            let r = try CLI.run(base + ["--output", dir + "/shared", "--shard", "\(i)/4"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try CLI.run(["merge", dir + "/shared", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for sub in ["records", "prompts", "preferences"] {
            let a = try ShareCLITests.records(dir + "/one/" + sub), b = try ShareCLITests.records(dir + "/shared/" + sub)
            #expect((!a.isEmpty || sub == "preferences") && a == b, "\(sub): \(a.count) vs \(b.count)")
        }
        // Equal shares' equal counts add (the backend's cache hits: 18 in each share).
        let report = try JSONParser.parse(ShareCLITests.text(dir + "/shared/report.json"))
        #expect(report["backend"]?["cache_hits"] == .int(72) && report["preferences"]?["records_in"] != nil, "\(report)")
        #expect(try ExecutorCLITests.normalized(dir + "/one/report.json", run: dir + "/one")
                == ExecutorCLITests.normalized(dir + "/shared/report.json", run: dir + "/shared"))
    }

    @Test func personaStageAsTasksGivesTheInlineRecords() throws {
        let dir = CLI.tempDir("persona-tasks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            seed: 9
            sources:
              personas: {paths: [\(CLI.fixture("persona/personas.jsonl"))]}
            stages:
              - name: synth
                kind: persona
                inputs: [personas]
                skill: math
                count: 10
                samples: 3
                seed: 3
                backend: openai:http://127.0.0.1:9/v1
                task_max_tokens: 512
                solution_max_tokens: 1024
            """.write(toFile: dir + "/recipe.yaml", atomically: true, encoding: .utf8)
        // Every request answered ahead of time, in the inline run's cache and in each task's own.
        let expected = try Self.primeMath([dir + "/inline/synth/cache.sqlite"] + (0..<3).map { dir + "/tasks/synth/cache-s\($0)of3.sqlite" }, count: 10)
        let inline = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/inline")
        #expect(inline.status == 0, "\(inline.stderr)")
        let tasks = try ExecutorCLITests.run(dir + "/recipe.yaml", dir + "/tasks", ["--executor", "local", "--tasks", "3"])
        #expect(tasks.status == 0, "\(tasks.stderr)")
        for sub in ["synth", "synth/prompts"] {
            let a = try ShareCLITests.records(dir + "/inline/" + sub), b = try ShareCLITests.records(dir + "/tasks/" + sub)
            #expect(!a.isEmpty && a == b, "\(sub)")
        }
        let ids = try ShareCLITests.records(dir + "/tasks/synth").map { (try? JSONParser.parse($0))?["id"]?.stringValue ?? "" }
        #expect(ids == expected)
        #expect(try ExecutorCLITests.normalized(dir + "/inline/synth/report.json", run: dir + "/inline")
                == ExecutorCLITests.normalized(dir + "/tasks/synth/report.json", run: dir + "/tasks"))
        #expect(FileManager.default.fileExists(atPath: dir + "/tasks/synth/tasks/s2of3.state.json"))
    }
}
