import Testing
import Curation

struct ExtractionTests {
    func ex(_ s: String, _ d: AnswerDataset = .math) -> ExtractedAnswer? { AnswerExtractor.extract(s, dataset: d) }

    @Test func boxedWithNestedBracesTakesTheLast() {
        let a = ex("First try \\boxed{3}. Wait, recompute: so the answer is $\\boxed{\\frac{\\sqrt{3}}{2}}$ indeed")
        #expect(a == ExtractedAnswer(text: "\\frac{\\sqrt{3}}{2}", rule: .boxed))
        #expect(ex("\\fbox{42}") == ExtractedAnswer(text: "42", rule: .boxed))
        #expect(ex("so $\\boxed 7$.") == ExtractedAnswer(text: "7", rule: .boxed))
        // An unbalanced box is not an answer; the fallback takes over.
        #expect(ex("\\boxed{12 and then 5") == ExtractedAnswer(text: "5", rule: .lastNumber))
    }

    @Test func gsm8kHashes() {
        let a = ex("She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18", .gsm8k)
        #expect(a == ExtractedAnswer(text: "18", rule: .gsm8k))
        #expect(ex("#### 1,450,000", .gsm8k) == ExtractedAnswer(text: "1450000", rule: .gsm8k))
        #expect(ex("#### $-10.", .gsm8k) == ExtractedAnswer(text: "-10", rule: .gsm8k))
    }

    @Test func tuluFinalAnswerFormat() {
        let a = ex("Reasoning...\nFinal Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.")
        #expect(a == ExtractedAnswer(text: "\\frac{1}{2}", rule: .finalAnswer))
        #expect(ex("Final Answer: 12 apples") == ExtractedAnswer(text: "12 apples", rule: .finalAnswer))
    }

    @Test func theAnswerIs() {
        #expect(ex("So the answer is 3.5. Done") == ExtractedAnswer(text: "3.5", rule: .theAnswerIs))
        #expect(ex("The final answer is: $x = 4$") == ExtractedAnswer(text: "x = 4", rule: .theAnswerIs))
        #expect(ex("The answer is 18 dollars.", .gsm8k) == ExtractedAnswer(text: "18", rule: .theAnswerIs))
    }

    @Test func answerColon() {
        #expect(ex("work...\n**Answer:** 27\n") == ExtractedAnswer(text: "27", rule: .answerColon))
        #expect(ex("Answer:\n$$ \\frac{3}{4} $$") == ExtractedAnswer(text: "\\frac{3}{4}", rule: .answerColon))
        // "Answer:" inside "Final Answer:" is part of that marker.
        #expect(ex("Final Answer: 9")?.rule == .finalAnswer)
        // A word ending in "answer" is not the marker.
        #expect(ex("Reanswer: 5 then 6")?.rule == .lastNumber)
    }

    @Test func lastMarkerWins() {
        #expect(ex("\\boxed{4}\nActually, the answer is 5.") == ExtractedAnswer(text: "5", rule: .theAnswerIs))
        #expect(ex("The answer is 5. Final check: \\boxed{6}") == ExtractedAnswer(text: "6", rule: .boxed))
        #expect(ex("#### 10\nAnswer: 11", .gsm8k) == ExtractedAnswer(text: "11", rule: .answerColon))
    }

    @Test func lastNumberOnlyWithoutMarker() {
        #expect(ex("We get 3 apples and then 1,250.5 more.") == ExtractedAnswer(text: "1,250.5", rule: .lastNumber))
        #expect(ex("costs $1,200 in total", .gsm8k) == ExtractedAnswer(text: "1200", rule: .lastNumber))
        #expect(ex("temperature is -7 now.") == ExtractedAnswer(text: "-7", rule: .lastNumber))
        #expect(ex("pages 3-5") == ExtractedAnswer(text: "5", rule: .lastNumber))
        #expect(ex("that leaves 3/4 of it.") == ExtractedAnswer(text: "3/4", rule: .lastNumber))
        #expect(ex("no numbers here") == nil)
        // A marker with a non-numeric answer still beats a later number? No: the marker is the last *marker*,
        // and numbers are only a fallback, so a number after the marker does not count.
        #expect(ex("The answer is x. Check with 5 and 6.")?.text == "x")
    }

    @Test func multipleChoice() {
        #expect(ex("The answer is (C).", .multipleChoice) == ExtractedAnswer(text: "C", rule: .theAnswerIs))
        #expect(ex("So \\boxed{\\text{(B)}}", .multipleChoice) == ExtractedAnswer(text: "B", rule: .boxed))
        #expect(ex("Answer: D) 42", .multipleChoice) == ExtractedAnswer(text: "D", rule: .answerColon))
        #expect(ex("Thinking about it...\n**B**", .multipleChoice) == ExtractedAnswer(text: "B", rule: .choice))
        #expect(ex("Options: (A) 1 (B) 2", .multipleChoice) == nil)
    }

    @Test func ruleNamesAreStable() {
        #expect(AnswerRule.allCases.map(\.rawValue) == ["boxed", "gsm8k", "final_answer", "the_answer_is", "answer_colon", "choice", "last_number",
                                                         "boxed_all", "last_math", "sentence"])
        #expect(AnswerDataset(name: "GSM8K") == .gsm8k)
        #expect(AnswerDataset(name: "multiple-choice") == .multipleChoice)
        #expect(AnswerDataset(name: "ifeval") == nil)
    }

    @Test func goldFromSolutions() {
        #expect(AnswerExtractor.gold("It takes 2/2=1 bolt\n#### 3", dataset: .gsm8k) == "3")
        #expect(AnswerExtractor.gold("so $\\boxed{\\frac12}$", dataset: .math) == "\\frac12")
        #expect(AnswerExtractor.gold("$\\frac{3}{4}$", dataset: .math) == "$\\frac{3}{4}$")
        #expect(AnswerExtractor.gold("(B)", dataset: .multipleChoice) == "B")
    }
}
