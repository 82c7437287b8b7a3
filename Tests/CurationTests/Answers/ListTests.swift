import Testing
import Curation

/// Bare lists written with other separators, and repeats.
struct ListTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }

    @Test func separators() {
        #expect(eq("$-1, 3$", "$-1; 3$"))
        #expect(eq("$-1, 3$", "$-1 \\text{ or } 3$"))
        #expect(eq("$-1, 3$", "$3 \\text{ and } -1$"))
        #expect(eq("$p = -2 \\text{ and } p = \\frac{3}{5}$", "$p=-2, p=\\frac{3}{5}$"))
    }

    @Test func repeatsCountOnce() {
        #expect(eq("$-1, 3$", "$-1, 3, 3$"))
        #expect(!eq("$-1, 3$", "$-1, 3, 4$"))
    }

    @Test func aListIsNotOneOfItsItems() {
        #expect(!eq("$20$", "$20 \\text{ or } 21$"))
        #expect(!eq("$20$", "$20, 21$"))
        #expect(!eq("$20, 21$", "$20$"))
    }

    @Test func plusMinus() {
        #expect(eq("$2 \\pm \\sqrt{7}$", "$2-\\sqrt7, 2+\\sqrt7$"))
        #expect(!eq("$2 \\pm \\sqrt{7}$", "$2+\\sqrt7$"))
    }

    @Test func solutionsSeparatedBySemicolons() {
        #expect(eq("$a=1,b=4;a=3,b=2$", "$(1,4),(3,2)$"))
        #expect(!eq("$a=1,b=4;a=3,b=2$", "$(1,4),(2,3)$"))
    }
}
