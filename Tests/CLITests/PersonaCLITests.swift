import Curation
import Foundation
import Testing

/// Answers persona synthesis requests from a script and stores each answer in a `RequestCache` under the
/// key `HTTPGenerator` would use, so the CLI run against an `openai:` backend finds every request cached.
final class CachePrimer: Generator {
    let name = "primer"
    let http: HTTPGenerator
    let cache: RequestCache
    let script: (GenerationRequest) -> String
    var stored = 0

    init(cachePath: String, script: @escaping (GenerationRequest) -> String) throws {
        cache = try RequestCache(path: cachePath)
        http = try HTTPGenerator(settings: .init(baseURL: "http://127.0.0.1:9/v1", model: "default"))
        self.script = script
    }

    func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        try requests.map { r in
            let text = script(r)
            let (endpoint, body) = http.body(for: r)
            var message = JSONObject(); message["role"] = .string("assistant"); message["content"] = .string(text)
            var choice = JSONObject(); choice["index"] = .int(0); choice["message"] = .object(message); choice["finish_reason"] = .string("stop")
            var response = JSONObject(); response["choices"] = .array([.object(choice)])
            try cache.store(RequestCache.key(for: body, endpoint: endpoint), request: JSONWriter.string(body), response: JSONWriter.string(.object(response)))
            stored += 1
            return [Completion(text: text, tokens: 1)]
        }
    }
}

@Suite struct PersonaCLITests {
    static func mathScript(_ r: GenerationRequest) -> String {
        let parts = r.id.split(separator: "/")
        let instance = String(parts.first ?? ""), stage = parts.count > 1 ? String(parts[1]) : "", k = Int(parts.last ?? "") ?? 0
        if stage == "task" { return "Problem: what is 3 + 4 for \(instance)?" }
        // Even-hashed instances agree on 7; the others scatter.
        let agree = XXH3.hash64(instance) % 2 == 0
        return "Adding.\nFinal Answer: The final answer is $\(agree ? 7 : 7 + k)$. I hope it is correct."
    }

    @Test func runsEndToEndFromTheRequestCacheWithoutSendingAnything() throws {
        let dir = CLI.tempDir("persona")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let personasPath = CLI.fixture("persona/personas.jsonl")
        // What the CLI will ask, answered ahead of time into OUTPUT/cache.sqlite.
        let personas = try PersonaSelection.dedupe(try PersonaLoader.load(path: personasPath)).kept
        let slots = PersonaSelection.sample(personas, count: 8, seed: 3)
        let primer = try CachePrimer(cachePath: dir + "/out/cache.sqlite", script: Self.mathScript)
        var expected: [String] = []
        _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .math, count: 8, samples: 3, seed: 3))
            .run(slots: slots, generator: primer, prompt: { _ in }, record: { expected.append($0["id"]?.stringValue ?? "") })
        #expect(primer.stored == 8 + 8 * 3)
        #expect(!expected.isEmpty && expected.count < 8)

        let args = ["persona", "--skill", "math", "--personas", personasPath, "--count", "8", "--samples", "3", "--seed", "3",
                    "--backend", "openai:http://127.0.0.1:9/v1", "--output", dir + "/out", "--compression", "none", "--quiet"]
        for _ in 0..<2 {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(r.stderr)")
            let report = try JSONParser.parse(try String(contentsOfFile: dir + "/out/report.json", encoding: .utf8))
            #expect(report["backend"]?["requests_sent"] == .int(0), "every request is answered from the cache")
            #expect(report["backend"]?["cache_hits"] == .int(32))
            #expect(report["records_in"] == .int(8))
            #expect(report["records_out"] == .int(expected.count))
            #expect(report["dropped"]?["no-majority"] == .int(8 - expected.count))
            #expect(report["persona"]?["prompts_written"] == .int(8))
            #expect(report["persona"]?["solutions_generated"] == .int(24))
            #expect(report["personas"]?["near_duplicates_removed"] == .int(0))
            let lines = try String(contentsOfFile: dir + "/out/records/part-00000.jsonl", encoding: .utf8).split(separator: "\n")
            let records = try lines.map { try JSONParser.parse(String($0)) }
            #expect(records.map { $0["id"]?.stringValue ?? "" } == expected)
            #expect(records.allSatisfy { $0["ground_truth"] == .string("7") && $0["input_persona"] != nil })
            #expect(Schema.detect(keys: records.first?.objectValue?.keys ?? []) == .persona)
            let prompts = try String(contentsOfFile: dir + "/out/prompts/part-00000.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(prompts.count == 8)
        }
    }

    @Test func localBackendWithoutAModelIsAClearError() throws {
        let dir = CLI.tempDir("persona-local")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["persona", "--skill", "code", "--personas", CLI.fixture("persona/personas.jsonl"), "--count", "2",
                             "--backend", "local:" + dir, "--output", dir + "/out", "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("config.json"), "\(r.stderr)")
    }

    @Test func badArgumentsAreRejected() throws {
        let dir = CLI.tempDir("persona-args")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ["persona", "--personas", CLI.fixture("persona/personas.jsonl"), "--count", "2", "--output", dir]
        let prefs = try CLI.run(base + ["--skill", "math", "--backend", "openai:http://127.0.0.1:9", "--preferences"])
        #expect(prefs.status != 0 && prefs.stderr.contains("--preferences"))
        let backend = try CLI.run(base + ["--skill", "math", "--backend", "ollama"])
        #expect(backend.status != 0 && backend.stderr.contains("backend"))
        let skill = try CLI.run(base + ["--skill", "poetry", "--backend", "openai:http://127.0.0.1:9"])
        #expect(skill.status != 0)
        try "{\"persona\": \"ok\"}\n{\"persona\": 1}\n".write(toFile: dir + "/bad.jsonl", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["persona", "--personas", dir + "/bad.jsonl", "--count", "1", "--output", dir + "/o", "--skill", "math",
                               "--backend", "openai:http://127.0.0.1:9"])
        #expect(bad.status != 0 && bad.stderr.contains("bad.jsonl:2"))
    }
}
