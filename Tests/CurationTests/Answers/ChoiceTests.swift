import Testing
import Curation

/// Multiple-choice phrasing in math responses.
struct ChoiceTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }

    @Test func finalAnswerIsWithoutAColon() throws {
        let e = try #require(AnswerExtractor.extract("Comparing all four, the final answer is D", dataset: .multipleChoice))
        #expect(e.text == "D")
        #expect(eq("$D$", "Final answer is D"))
        #expect(!eq("$D$", "Final answer is A"))
    }

    @Test func letterLeadingAnExplanation() {
        #expect(eq("(C)", "C. Because only it keeps the product positive."))
        #expect(eq("(C)", "(C) since the others overflow"))
        #expect(!eq("(C)", "A. Because the sum is odd."))
        // A sentence that merely starts with a capital A is not a choice.
        #expect(!eq("A", "A triangle has three sides"))
    }

    @Test func boxedLetters() {
        #expect(eq("$B$", "$\\boxed{\\text{B}}$"))
        #expect(eq("$B$", "\\(\\boxed{\\text{(B)}}\\)."))
        #expect(!eq("$B$", "$\\boxed{E}$"))
    }
}
