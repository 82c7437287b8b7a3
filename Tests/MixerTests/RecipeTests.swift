import Curation
import Foundation
import Mixer
import Testing

@Suite struct RecipeTests {
    @Test func weightedRecipeReadsEveryAmountKind() throws {
        let r = try MixRecipe.load(path: Fx.mixer("weighted.yaml"))
        #expect(r.seed == 17)
        #expect(r.dedupe)
        #expect(r.totalTokens == 4000)
        #expect(r.sources.map(\.amount) == [.fraction(0.5), .repeats(2.5), .count(10), .tokens(20_000), .share(0.25)])
        #expect(r.sources[1].predicates.map(\.description) == ["metadata.score >= 0.2"])
        #expect(r.sources[1].length?.maxTokens == 200)
        #expect(r.sources[2].predicates.first?.test == .oneOf([.string("en")]))
        guard case .files(let f) = r.sources[3].origin else { Issue.record("bulk should be files"); return }
        #expect(f.count == 1 && f[0].hasSuffix("bulk.jsonl"))
    }

    /// Each bad recipe names its entry and the line of the problem.
    @Test(arguments: [
        ("unit_missing.yaml", 6, "sources[1] \"web\"", "no amount"),
        ("two_units.yaml", 7, "sources[0] \"chat\"", "two amounts given (fraction and count)"),
        ("negative.yaml", 8, "sources[1] \"web\"", "repeat should not be negative"),
        ("not_found.yaml", 6, "sources[0] \"chat\"", "file not found"),
    ])
    func badRecipesNameEntryAndLine(file: String, line: Int, entry: String, message: String) throws {
        do {
            _ = try MixRecipe.load(path: Fx.mixer("bad/\(file)"))
            Issue.record("\(file) should not load")
        } catch let e as RecipeError {
            #expect(e.line == line, "\(e)")
            #expect(e.entry == entry, "\(e)")
            #expect(e.message.contains(message), "\(e)")
            #expect(e.description.contains("\(file):\(line):"), "\(e)")
        }
    }

    @Test func misspeltKeysAndBadValuesAreErrors() throws {
        let dir = Fx.tempDir()
        let chat = Fx.mixer("chat.jsonl")
        let cases: [(String, Int, String)] = [
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    fracton: 0.5\n", 5, "unknown key \"fracton\""),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    amount: {fraction: 1.5}\n", 5, "fraction should be at most 1"),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    amount: {count: 2.5}\n", 5, "whole number"),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    amount: {share: 0.5}\n", 3, "needs total_tokens"),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    amount: {count: \"10\"}\n", 5, "should be a number"),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    count: 3\n  - name: a\n    paths: [\(chat)]\n    count: 3\n", 6, "two sources are named"),
            ("seed: 1\nsources:\n  - name: a\n    paths: [\(chat)]\n    count: 3\n    filters:\n      - field: x\n        min: 3\n        in: [1]\n", 7, "one test per filter"),
            ("seed: 1\nsources: [\n", 3, "YAML syntax"),
        ]
        for (text, line, message) in cases {
            do {
                _ = try Fx.recipe(text, in: dir)
                Issue.record("should fail: \(message)")
            } catch let e as RecipeError {
                #expect(e.line == line, "\(e)")
                #expect(e.message.contains(message), "\(e)")
            }
        }
    }
}
