import Curation
import Foundation
import Mixer
import Testing

@Suite struct NotEqualsFilterTests {
    /// `not_equals` passes records whose field is absent or differs: a training pool minus its planted
    /// contamination copies (the label-cleaned reference of the decontamination lab).
    @Test func notEqualsKeepsAbsentAndDifferentValues() throws {
        let dir = Fx.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = [
            #"{"id": "a", "text": "plain record", "synth": {"split": "train"}}"#,
            #"{"id": "b", "text": "a contamination copy", "synth": {"planted": {"kind": "verbatim", "contamination": true}}}"#,
            #"{"id": "c", "text": "a near miss", "synth": {"planted": {"kind": "near_miss", "contamination": false}}}"#,
            #"{"id": "d", "text": "another copy", "synth": {"planted": {"kind": "recased", "contamination": true}}}"#,
            #"{"id": "e", "text": "no labels at all"}"#,
        ]
        let docs = (dir as NSString).appendingPathComponent("docs.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: docs, atomically: true, encoding: .utf8)
        let recipe = try Fx.recipe("""
            seed: 1
            sources:
              - name: docs
                paths: [\(docs)]
                schema: document
                fraction: 1.0
                filters:
                  - {field: synth.planted.contamination, not_equals: true}
            """, in: dir)
        #expect(recipe.sources.first?.predicates == [FieldPredicate(path: ["synth", "planted", "contamination"], test: .notEquals(.bool(true)))])
        let (r, out) = try Fx.mix(recipe, dir: dir)
        let kept = try out.map { try Fx.object($0)["orig_id"]?.stringValue ?? Fx.object($0)["id"]?.stringValue ?? "" }.sorted()
        #expect(kept == ["a", "c", "e"])
        let source = try #require(r.sources.first)
        #expect(source.filtered["synth.planted.contamination != true"] == 2)
        // One test per filter: not_equals with equals is refused.
        #expect(throws: (any Error).self) {
            try Fx.recipe("seed: 1\nsources:\n  - name: a\n    paths: [\(docs)]\n    count: 3\n    filters:\n      - {field: x, equals: 1, not_equals: 2}\n", in: dir)
        }
    }
}
