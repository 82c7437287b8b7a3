import Curation
import Foundation
import Testing

@Suite struct PersonaLoadingTests {
    @Test func defaultSetIsLargeVariedAndDuplicateFree() throws {
        let personas = try personaFixture()
        #expect(personas.count >= 300)
        #expect(Set(personas.map(\.id)).count == personas.count)
        #expect(Set(personas.map(\.text)).count == personas.count)
        let dedupe = try PersonaSelection.dedupe(personas)
        #expect(dedupe.dropped.isEmpty, "the default set should survive the default dedupe: \(dedupe.dropped.map(\.persona.text).prefix(3))")
        // Varied: many distinct first words after the article and many places.
        let vocabulary = Set(personas.flatMap { TextNormalizer().tokens($0.text) })
        #expect(vocabulary.count > 700)
    }

    @Test func plantedNearDuplicatesAreRemoved() throws {
        let personas = try PersonaLoader.load(path: FixturePath.path("persona/near-duplicates.jsonl"))
        let dedupe = try PersonaSelection.dedupe(personas)
        let dropped = Dictionary(uniqueKeysWithValues: dedupe.dropped.map { ($0.persona.id, $0.duplicateOf) })
        #expect(dropped == ["lighthouse-case": "lighthouse", "nurse-extra-word": "nurse",
                            "beekeeper-exact": "beekeeper", "chess-reordered": "chess"])
        // A persona that shares most of its words but not its occupation is not a duplicate.
        #expect(dedupe.kept.map(\.id) == ["lighthouse", "nurse", "chess", "beekeeper", "nurse-other-job", "glass"])
        // A looser threshold takes the other-occupation variant too; a stricter one keeps the one-word edit.
        let loose = try PersonaSelection.dedupe(personas, options: MinHashOptions(shingleSize: 1, threshold: 0.6))
        #expect(loose.dropped.contains { $0.persona.id == "nurse-other-job" })
        let strict = try PersonaSelection.dedupe(personas, options: MinHashOptions(shingleSize: 1, threshold: 0.99))
        #expect(!strict.dropped.contains { $0.persona.id == "nurse-extra-word" })
        #expect(strict.dropped.contains { $0.persona.id == "beekeeper-exact" })
    }

    @Test func badLinesNameFileAndLine() throws {
        let dir = temporaryDirectory("personas")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            (#"{"persona": "ok"}"# + "\n" + #"{"persona": 3}"#, "should be a string"),
            (#"{"persona": "ok"}"# + "\n" + #"{"name": "x"}"#, "no \"persona\" field"),
            (#"{"persona": "ok"}"# + "\n" + #"{"persona": "   "}"#, "is empty"),
            (#"{"persona": "ok"}"# + "\n" + #"{"persona": "x""#, "not valid JSON"),
            (#"{"persona": "ok"}"# + "\n" + #"["persona"]"#, "expected an object"),
        ]
        for (n, (text, reason)) in cases.enumerated() {
            let path = dir + "/p\(n).jsonl"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try PersonaLoader.load(path: path)
                Issue.record("expected an error for \(text)")
            } catch let CurationError.badRecord(loc, r, _) {
                #expect(loc.file == path)
                #expect(loc.line == 2)
                #expect(r.contains(reason), "\(r)")
            }
        }
    }

    @Test func idsAreContentBasedOrGivenAndUnique() throws {
        let dir = temporaryDirectory("personas")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/p.jsonl"
        try """
        {"persona": "A baker in Lyon."}
        {"id": "x", "persona": "A potter."}
        {"id": "x", "persona": "A painter."}
        {"input_persona": "A welder."}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let p = try PersonaLoader.load(path: path)
        #expect(p.map(\.id) == [Persona.contentID("A baker in Lyon."), "x", "x#2", Persona.contentID("A welder.")])
        #expect(p[0].id.hasPrefix("persona-") && p[0].id.count == 24)
    }

    @Test func samplingIsSeededOrderFreeAndCycles() throws {
        let personas = try personaFixture()
        let a = PersonaSelection.sample(personas, count: 20, seed: 7)
        let b = PersonaSelection.sample(personas.reversed(), count: 20, seed: 7)
        #expect(a == b, "the pick must not depend on file order")
        #expect(Set(a.map(\.persona.id)).count == 20)
        let c = PersonaSelection.sample(personas, count: 20, seed: 8)
        #expect(a != c)
        let few = Array(personas.prefix(3))
        let cycled = PersonaSelection.sample(few, count: 7, seed: 1)
        #expect(cycled.map(\.round) == [0, 0, 0, 1, 1, 1, 2])
        #expect(Set(cycled.map { PersonaSynthesis.instanceID(skill: .math, slot: $0) }).count == 7)
    }
}
