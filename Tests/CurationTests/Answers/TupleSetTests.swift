import Testing
import Curation

/// Tuples against sets and bare lists: order matters only where the gold's form says so.
struct TupleSetTests {
    func eq(_ gold: String, _ candidate: String, _ o: AnswerOptions = .default) -> Bool { AnswerEquivalence.equivalent(gold, candidate, options: o) }

    @Test func tupleGoldAgainstABareList() {
        #expect(eq("$(4,7)$", "${4,7}$"))
        #expect(eq("$(4,7)$", "$4, 7$"))
        #expect(!eq("$(7,4)$", "${4,7}$"))
    }

    @Test func tupleGoldAgainstAnExplicitSet() {
        #expect(!eq("$(4,7)$", "$\\{4,7\\}$"))
        #expect(eq("$(4,7)$", "$\\{4,7\\}$", AnswerOptions(strict: false)))
        #expect(eq("$(4,7)$", "$\\{7,4\\}$", AnswerOptions(strict: false)))
    }

    @Test func setGoldAgainstATuple() {
        #expect(eq("$\\{4,7\\}$", "$(7,4)$"))
        #expect(eq("$\\{4,7\\}$", "$\\{7,4\\}$"))
        #expect(!eq("$\\{4,7\\}$", "$(7,5)$"))
    }

    @Test func tuplesWithNamesAndFractions() {
        #expect(eq("$(p,q) = (2, -5)$", "so $(p,q)=\\boxed{(2,-5)}$."))
        #expect(eq("$(2, \\frac{5}{4})$", "$(2, 1.25)$"))
        #expect(!eq("$(2, \\frac{5}{4})$", "$(1.25, 2)$"))
        #expect(eq("$(1;-1;2)$", "$(1, -1, 2)$"))
    }

    @Test func intervalsKeepTheirBrackets() {
        #expect(eq("$[1,5)$", "$[1, 5)$"))
        #expect(!eq("$[1,5)$", "$[1,5]$"))
        #expect(eq("$(-\\infty, -2) \\cup (3, \\infty)$", "$(3, \\infty) \\cup (-\\infty, -2)$"))
        #expect(eq("$\\{0\\} \\cup [2,5)$", "$y \\in \\boxed{\\{0\\} \\cup [2,5)}$"))
    }
}
