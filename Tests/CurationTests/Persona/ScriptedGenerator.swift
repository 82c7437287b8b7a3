import Curation
import Foundation

/// A test double of `Generator`: deterministic canned completions chosen by a script from the request
/// (its prompt and id), and a log of every request.
final class ScriptedGenerator: Generator {
    let name = "scripted"
    let script: (GenerationRequest) -> String
    private(set) var requests: [GenerationRequest] = []

    init(_ script: @escaping (GenerationRequest) -> String) { self.script = script }

    func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        self.requests += requests
        return requests.map { [Completion(text: script($0), tokens: 1)] }
    }
}

extension GenerationRequest {
    /// The stage of a persona synthesis request ("task", "solution", "rejected"), from its id.
    var stage: String { id.split(separator: "/").dropLast().last.map(String.init) ?? "" }
    /// The instance id of a persona synthesis request.
    var instance: String { id.split(separator: "/").first.map(String.init) ?? "" }
    /// The sample index of a persona synthesis request.
    var sampleIndex: Int { id.split(separator: "/").last.flatMap { Int($0) } ?? -1 }
    var userText: String { messages?.last?.content ?? prompt ?? "" }
}

/// Runs a synthesis and collects what it wrote.
struct SynthesisRun {
    var prompts: [JSONValue] = []
    var records: [JSONValue] = []
    var preferences: [JSONValue] = []
    var result: PersonaSynthesisResult

    init(_ synthesis: PersonaSynthesis, slots: [PersonaSelection.Slot], generator: Generator) throws {
        var p: [JSONValue] = [], r: [JSONValue] = [], q: [JSONValue] = []
        result = try synthesis.run(slots: slots, generator: generator, prompt: { p.append($0) }, record: { r.append($0) },
                                   preference: { q.append($0) })
        prompts = p; records = r; preferences = q
    }

    var recordIDs: [String] { records.compactMap { $0["id"]?.stringValue } }
}

func personaFixture() throws -> [Persona] { try PersonaLoader.load(path: FixturePath.path("persona/personas.jsonl")) }

/// A stable 0..<n bucket for a string (test scripts branch on it).
func bucket(_ s: String, _ n: UInt64) -> Int { Int(XXH3.hash64(s) % n) }
