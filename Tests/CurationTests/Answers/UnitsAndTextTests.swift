import Testing
import Curation

/// Units and text inside the answer, and thousands written with a negative thin space.
struct UnitsAndTextTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }

    @Test func textCommandsAroundUnitsAreDropped() {
        #expect(eq("$72$", "\\boxed{72\\textnormal{ km}}"))
        #expect(eq("72", "72\\textnormal{ miles}"))
        #expect(eq("72", "72 \\text{ cm}"))
        #expect(eq("72", "72\\mbox{ cm}^2"))
        #expect(eq("72", "72 \\textsf{ kg}"))
        #expect(!eq("72", "27\\textnormal{ miles}"))
    }

    @Test func negativeThinSpaceThousands() {
        #expect(eq("54321", "54,\\! 321"))
        #expect(eq("7654321", "7,\\!654,\\!321"))
        #expect(!eq("54321", "54,\\! 320"))
    }

    @Test func aWrongUnitIsWrongWhenTheGoldNamesOne() {
        #expect(!eq("9 \\text{ cm}", "9 \\text{ km}"))
        #expect(!eq("30 \\text{ minutes}", "30 \\text{ hours}"))
        #expect(eq("30 \\text{ minutes}", "30 \\text{ min}"))
        #expect(eq("9 \\text{ cm}", "9"))
        #expect(eq("9", "9 \\text{ cm}"))
    }

    @Test func percentSpellings() {
        #expect(eq("$64\\%$", "64 percent"))
        #expect(eq("$64\\%$", "$\\boxed{64 pct}$"))
        #expect(eq("$64\\%$", "$64$ %"))
        #expect(!eq("$64\\%$", "46 percent"))
    }

    @Test func wordsStayText() {
        #expect(eq("\\text{Friday}", "The day is $\\boxed{\\text{Friday}}$."))
        #expect(!eq("\\text{Friday}", "$\\boxed{\\text{Sunday}}$"))
        #expect(eq("$\\text{21}$", "21"))
    }

    @Test func decimalComma() {
        #expect(eq("3.75", "3,75"))
        #expect(eq("0.125", "0,125"))
        #expect(eq("1500", "1,500"))
        #expect(!eq("3.75", "3,76"))
    }
}
