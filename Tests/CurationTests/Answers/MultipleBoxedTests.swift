import Testing
import Curation

/// Several `\boxed{}` in one response: the final run of boxes is the answer, as a set.
struct MultipleBoxedTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }

    @Test func boxesJoinedByAndFormOneAnswer() throws {
        let e = try #require(AnswerExtractor.extract("The solutions are $\\boxed{-3}$ and $\\boxed{8}$.", dataset: .math))
        #expect(e.rule == .boxedAll)
        #expect(e.parts == ["-3", "8"])
        #expect(AnswerEquivalence.verdict(extracted: e, gold: "-3, 8", dataset: .math).equivalent)
        #expect(AnswerEquivalence.verdict(extracted: e, gold: "8, -3", dataset: .math).equivalent)
        #expect(!AnswerEquivalence.verdict(extracted: e, gold: "8", dataset: .math).equivalent)
        #expect(!AnswerEquivalence.verdict(extracted: e, gold: "-3, 9", dataset: .math).equivalent)
    }

    @Test func oneBoxKeepsTheOldRule() throws {
        let e = try #require(AnswerExtractor.extract("so $\\boxed{\\frac{2}{9}}$", dataset: .math))
        #expect(e.rule == .boxed)
        #expect(e.text == "\\frac{2}{9}")
    }

    @Test func repeatedBoxCountsOnce() {
        #expect(eq("$23$", "We get \\boxed{23}. Verify: yes, \\boxed{23}.\n\n**Final Answer**\n\\boxed{23}"))
        #expect(eq("$023$", "\\boxed{023} \\boxed{023}"))
    }

    @Test func aBoxFollowedByMoreReasoningWasADraft() {
        // The words between the boxes are reasoning, not a list: the last box stands.
        #expect(eq("$9$", "At first \\boxed{7}, but recounting the cases gives \\boxed{9}"))
        #expect(!eq("$7, 9$", "At first \\boxed{7}, but recounting the cases gives \\boxed{9}"))
        #expect(!eq("$4, 5$", "\\boxed{4} wrong wrong wrong wrong \\boxed{5}"))
    }

    @Test func boxesNamedByVariablesOrShortPhrases() {
        #expect(eq("$1, 6$", "Hence $m=\\boxed{1}$ or $m=\\boxed{6}$."))
        #expect(eq("$3, 12$", "\\boxed{3} apples and \\boxed{12} pears"))
        #expect(!eq("$3, 12$", "\\boxed{3} apples and \\boxed{13} pears"))
    }

    @Test func goldWithSeveralBoxes() {
        #expect(AnswerExtractor.gold("First $\\boxed{2}$ and then $\\boxed{10}$") == "2, 10")
        #expect(eq("\\boxed{2}, \\boxed{10}", "$10, 2$"))
        #expect(!eq("\\boxed{2}, \\boxed{10}", "$10$"))
    }

    @Test func eachBoxKeepsItsOwnUnits() {
        #expect(eq("\\boxed{40 cm} and \\boxed{7}", "$40, 7$"))
        #expect(eq("$\\boxed{40 cm} + \\boxed{7}$", "${40 cm,7}$"))
    }

    @Test func nestedBoxIsPartOfTheOuterOne() throws {
        let e = try #require(AnswerExtractor.extract("\\boxed{\\boxed{5}}", dataset: .math))
        #expect(e.parts.count == 1)
        #expect(AnswerEquivalence.equivalent(e.text, "5"))
    }
}
