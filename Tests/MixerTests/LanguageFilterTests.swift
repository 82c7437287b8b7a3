import Curation
import Foundation
import Mixer
import Testing

@Suite struct LanguageFilterTests {
    /// Documents in three languages plus texts with no letters: the filter keeps the English ones, drops the
    /// rest by reason, and the counts add up (in = out + dropped).
    @Test func languageFilterKeepsEnglishAndCountsDropsByReason() throws {
        let dir = Fx.tempDir()
        let texts: [(String, String)] = [
            ("en", "The committee approved the new budget after a long discussion on Tuesday."),
            ("en", "She walked to the station early because the trains were running late again."),
            ("en", "Our garden needs more water during the hot summer months this year."),
            ("fr", "Le comité a approuvé le nouveau budget après une longue discussion mardi."),
            ("fr", "Elle est allée à la gare tôt parce que les trains étaient encore en retard."),
            ("de", "Der Ausschuss hat den neuen Haushalt nach einer langen Diskussion am Dienstag genehmigt."),
            ("none", "12345 67890 !!! ???"),
        ]
        var lines = ""
        for (i, (_, t)) in texts.enumerated() {
            var o = JSONObject()
            o["id"] = .string("d\(i)")
            o["text"] = .string(t)
            lines += JSONWriter.string(.object(o)) + "\n"
        }
        let docs = (dir as NSString).appendingPathComponent("docs.jsonl")
        try lines.write(toFile: docs, atomically: true, encoding: .utf8)
        let recipe = try Fx.recipe("""
            seed: 7
            sources:
              - name: docs
                paths: [\(docs)]
                schema: document
                fraction: 1.0
                filters:
                  - {language: [en], min_confidence: 0.65}
            """, in: dir)
        #expect(recipe.sources.first?.language == LanguageFilter(languages: ["en"], minConfidence: 0.65))
        let (r, out) = try Fx.mix(recipe, dir: dir)
        #expect(out.count == 3)
        for l in out { #expect(try Fx.object(l)["text"]?.stringValue.map { LanguageID.identify($0)?.language } == "en") }
        let source = try #require(r.sources.first)
        #expect(source.filtered["language fr not in [en]"] == 2)
        #expect(source.filtered["language de not in [en]"] == 1)
        #expect(source.filtered["language undetermined"] == 1)
        let rep = r.report
        #expect(rep.recordsIn == texts.count)
        #expect(rep.recordsIn == rep.recordsOut + rep.droppedTotal)
        try rep.check()
    }

    @Test func lowConfidenceIsDropped() {
        let f = LanguageFilter(languages: ["en"], minConfidence: 0.99)
        #expect(f.failure("ok") != nil)
        #expect(f.failure("The committee approved the new budget after a long discussion on Tuesday evening.") == nil)
    }

    @Test func badLanguageFiltersAreRecipeErrors() throws {
        let dir = Fx.tempDir()
        let chat = Fx.mixer("chat.jsonl")
        let cases: [(String, String)] = [
            ("      - {language: [xx]}\n", "unknown language \"xx\""),
            ("      - {language: [en], min_confidence: 1.5}\n", "min_confidence should be in [0, 1]"),
            ("      - {min_confidence: 0.5}\n", "min_confidence needs a language list"),
            ("      - {language: [en], field: x}\n", "unknown key"),
        ]
        for (filter, message) in cases {
            let text = "seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    count: 3\n    filters:\n" + filter
            do {
                _ = try Fx.recipe(text, in: dir)
                Issue.record("should fail: \(message)")
            } catch let e as RecipeError {
                #expect(e.message.contains(message), "\(e)")
            }
        }
        // A single code needs no list; the default floor applies.
        let one = try Fx.recipe("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    count: 3\n    filters:\n      - {language: de}\n", in: dir)
        #expect(one.sources.first?.language == LanguageFilter(languages: ["de"], minConfidence: LanguageFilter.defaultMinConfidence))
    }
}
