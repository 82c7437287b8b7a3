import Testing
import Curation

/// Decimals against exact values at a stated number of places (`AnswerOptions.floatRounding`).
struct PrecisionTests {
    func eq(_ gold: String, _ candidate: String, places: Int? = 6) -> Bool {
        AnswerEquivalence.equivalent(gold, candidate, options: AnswerOptions(floatRounding: places))
    }

    @Test func decimalsWrittenToThePrecision() {
        #expect(eq("\\frac{1}{12}", "0.0833333"))
        #expect(eq("\\frac{1}{12}", "0.083333333333"))
        #expect(eq("\\frac{5}{7}", "0.714286"))
        #expect(eq("\\frac{2}{3}", "0.666666"))   // truncated
        #expect(eq("\\frac{1}{3}", "0.3333333"))
        #expect(eq("\\sqrt{5}", "2.2360679775"))
        #expect(eq("\\pi", "3.14159265"))
    }

    @Test func decimalsStoppedShortAreNotTheAnswer() {
        #expect(!eq("\\frac{1}{12}", "0.0833"))
        #expect(!eq("\\frac{1}{3}", "0.333"))
        #expect(!eq("\\pi", "3.14"))
        #expect(!eq("\\frac{1}{12}", "0.0834333"))
    }

    @Test func precisionIsAnOption() {
        #expect(eq("\\frac{1}{3}", "0.333", places: 3))
        #expect(!eq("\\frac{1}{3}", "0.333", places: 4))
        #expect(eq("\\frac{4}{3}", "1.33", places: 2))
        #expect(!eq("\\frac{4}{3}", "1.34", places: 2))
        #expect(!eq("\\frac{1}{12}", "0.0833333", places: nil))
    }

    @Test func insideTuplesAndIntervals() {
        #expect(eq("$(\\frac{1}{6}, \\frac{5}{3}]$", "$(0.17, 1.67]$", places: 2))
        #expect(!eq("$(\\frac{1}{6}, \\frac{5}{3}]$", "$(0.17, 1.68]$", places: 2))
        #expect(eq("$(2, \\frac{1}{7})$", "$(2, 0.142857)$"))
    }
}
