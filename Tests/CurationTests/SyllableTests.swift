import Foundation
import Testing
import Curation

/// Syllable counts as IFBench's `words:odd_even_syllables` gets them (syllapy), and the instruction.
@Suite struct SyllableTests {
    @Test func dictionaryAndRuleCounts() {
        #expect(SyllableCounter.count("cat") == 1)
        #expect(SyllableCounter.count("happy") == 2)
        #expect(SyllableCounter.count("Enjoy") == 2)
        #expect(SyllableCounter.count("table") == 2)   // consonant + "le"
        #expect(SyllableCounter.count("strengths") == 1)
        #expect(SyllableCounter.count("rhythm") == 1)  // "y" is a vowel, but no run before it
    }

    @Test func emptyPunctuationAndDigitsCountZero() {
        #expect(SyllableCounter.count("") == 0)
        #expect(SyllableCounter.count("...") == 0)
        #expect(SyllableCounter.count("3d") == 0)
        #expect(SyllableCounter.count("\"quoted\"") == SyllableCounter.count("quoted"))
    }

    @Test func hyphenatedWordsAddTheirParts() {
        #expect(SyllableCounter.count("ab-ab-ab") == 3)  // not in the table: 1 + 1 + 1 by the rule
        #expect(SyllableCounter.count("well-known") == 1)  // in syllapy's table (as 1), which wins over the parts
        #expect(SyllableCounter.count("x-123") == 0)  // a part counting 0 makes the whole 0
        // A long run of hyphens is walked in a loop, not by recursion.
        let long = String(repeating: "ab-", count: 20_000) + "ab"
        #expect(SyllableCounter.count(long) == 20_001)
    }

    /// Every word of Fixtures/wordlists/syllable_checks.tsv (CMU dictionary words, syllapy's own
    /// table words and odd shapes) with the count syllapy gives it.
    @Test func agreesWithSyllapyOnTheCheckList() throws {
        let path = IFBenchFixtureTests.packageRoot().appendingPathComponent("Fixtures/wordlists/syllable_checks.tsv")
        let text = try String(contentsOf: path, encoding: .utf8)
        var total = 0
        var wrong: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, let want = Int(fields[1]) else { Issue.record("bad line \(line)"); continue }
            total += 1
            let got = SyllableCounter.count(fields[0])
            if got != want { wrong.append("\(fields[0]): syllapy \(want), ours \(got)") }
        }
        #expect(total > 3000)
        #expect(wrong.isEmpty, "\(wrong.count) of \(total) differ:\n\(wrong.prefix(40).joined(separator: "\n"))")
    }

    func check(_ response: String) throws -> ConstraintOutcome {
        let c = try #require(ConstraintRegistry.standard.checker("words:odd_even_syllables"))
        return try c.bind(JSONObject()).check(response)
    }

    @Test func alternatingParity() throws {
        #expect(try check("Happy cats enjoy sun") == .pass)          // 2 1 2 1
        #expect(try check("Yellow birds, yellow birds!") == .pass)   // punctuation is dropped
        #expect(try check("Happy cats enjoy the sun") == .fail)      // ... 1 1
        #expect(try check("Sing") == .pass)                          // one word alternates trivially
        #expect(try check("   ") == .fail)                           // no words: nothing was written
    }

    @Test func hyphensAndApostrophesJoinWords() throws {
        // Punctuation is removed before splitting: "sun-lit" is one word "sunlit" (2), "can't" is "cant" (1).
        #expect(try check("Sun-lit cats") == .pass)
        #expect(try check("Can't enjoy") == .pass)
    }
}
