import Testing
import Curation

/// Responses without a marker, with broken or escaped math delimiters, or with a sentence after the marker.
struct ResponseExtractionTests {
    func eq(_ gold: String, _ candidate: String) -> Bool { AnswerEquivalence.equivalent(gold, candidate) }

    @Test func spaceGroupedThousandsAreOneNumber() {
        #expect(eq("5000", "5 000"))
        #expect(eq("1234567", "1 234 567"))
        #expect(!eq("000", "1 000"))
        #expect(eq("3200", "in all we collect 3 200 stamps"))
    }

    @Test func aDigitInsideAWordIsNotAnAnswer() {
        #expect(!eq("5", "XKQ5R"))
        #expect(AnswerExtractor.finalAnswer(in: "the code XKQ5R is what they printed") == nil)
    }

    @Test func lastNumberOfProse() {
        #expect(eq("48", "we first try 40, then the correct total is 48"))
        #expect(eq("2.5", "the price is 2.5"))
        #expect(eq("1000.99", "it is not 10 but 1,000.99m"))
    }

    @Test func lastCompleteMathSpanWins() throws {
        let e = try #require(AnswerExtractor.extract("We need $a$ first; the ratio is $\\frac{4}{9}$ here", dataset: .math))
        #expect(e.rule == .lastMath)
        #expect(e.text == "\\frac{4}{9}")
        #expect(eq("$6$", "Answer \\( 6 \\)"))
        #expect(eq("$6$", "Answer $$ 6 $$"))
        #expect(eq("$6$", "Answer \\[ (4+2) \\]"))
    }

    /// Working with a math span, then a closing sentence in prose that states the number: the number.
    @Test func aClosingSentenceAfterTheWorkingStatesTheAnswer() throws {
        let e = try #require(AnswerExtractor.extract("Check the constraint $y \\le 9$. So the result is 16.00", dataset: .math))
        #expect(e.rule == .sentence && e.text == "16.00")
        #expect(eq("16", "Substituting $x = 2$ gives $4 + 2 = 6$.\nSo the result is 16.00"))
        #expect(eq("7", "We check $y \\le 9$. so the result is \\text{7}"))
        #expect(!eq("9", "Check the constraint $y \\le 9$. So the result is 16.00"))
        // A number in the span's own sentence does not displace the span.
        let kept = try #require(AnswerExtractor.extract("The root $x = 5$ is found in 2 steps", dataset: .math))
        #expect(kept.rule == .lastMath && kept.text == "x = 5")
        // A broken delimiter after the span: no guess from the tail.
        let broken = try #require(AnswerExtractor.extract("We get $x$. Then $ 12", dataset: .math))
        #expect(broken.rule == .lastMath)
    }

    @Test func inlineMathDoesNotCrossALine() {
        #expect(!eq("$6$", "Answer $ \n 6 \n $"))
        #expect(!eq("$6$", "Answer \\( \n 6 \n \\)"))
        #expect(eq("$6$", "Answer \\[ \n 6 \n \\]"))
        #expect(eq("$6$", "Answer $$ \n 6 \n $$"))
    }

    @Test func brokenInlineMathGivesNoAnswerRatherThanAStrayNumber() {
        #expect(AnswerExtractor.extract("so the value is $ 12 and then", dataset: .math) == nil)
    }

    @Test func escapedDollarInsideMath() {
        #expect(eq("$\\frac{3}{2}$", "Answer $ 4 \\$ = \\frac{3}{2} $"))
        #expect(!eq("$\\frac{3}{2}$", "Answer $ 4 \\$ = \\frac{5}{2} $"))
        #expect(eq("$15$", "Each costs \\$3, so in total $y = 15$"))
    }

    @Test func loneDollarIsCurrency() {
        #expect(eq("250.5", "$250.5"))
        #expect(eq("250.5", "250.5$"))
    }

    @Test func spansJoinedByAndAreOneAnswer() {
        #expect(eq("$1, 4, 9$", "$1$, $4$ and $9$"))
        #expect(eq("$2, 5$ or $8$", "$2, 5, 8$"))
    }

    @Test func sentenceAfterAMarker() throws {
        let e = try #require(AnswerExtractor.extract("Final Answer: The smallest $k$ is 19.", dataset: .math))
        #expect(e.rule == .sentence)
        #expect(e.text == "19")
        #expect(eq("$19$", "Final Answer: The smallest $k$ is 19."))
        #expect(!eq("$19$", "Final Answer: The smallest $k$ is 91."))
        #expect(eq("$\\frac{1}{6}$", "Final Answer: The chance that $B$ happens is $\\frac{1}{6}$."))
        #expect(eq("$7$", "Final Answer: The final answer is $7$. I hope it is correct."))
    }

    @Test func doubledBackslashesReadAsOne() {
        #expect(eq("$\\\\frac{1}{4}$", "$\\frac{1}{4}$"))
        #expect(eq("$\\\\left(2, \\\\frac{\\\\pi}{3}\\\\right)$", "\\boxed{\\left(2, \\frac{\\pi}{3}\\right)}"))
    }
}
