import Testing
import Curation

/// The options reach the verifier through `VerifyOptions`, and the record says which rule found the answer.
struct AnswerOptionsTests {
    @Test func defaultsMatchMathVerify() {
        let o = AnswerOptions()
        #expect(o.floatRounding == 6 && o.strict && !o.allowSetRelation)
        #expect(AnswerOptions(floatRounding: 99).floatRounding == 15)
    }

    @Test func verifierUsesTheOptions() throws {
        let line = #"{"id":"a","response":"So the answer is $0.333$.","ground_truth":"\\frac{1}{3}","dataset":"math"}"#
        let rec = try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: "t.jsonl", line: 1, offset: 0))
        let strictScore = try Verifier.score(rec, defaultDataset: "math")
        #expect(strictScore.reward == 0)
        let loose = try Verifier.score(rec, defaultDataset: "math", answers: AnswerOptions(floatRounding: 3))
        #expect(loose.reward == 1)
    }

    @Test func severalBoxesAreScoredAsASet() throws {
        let line = #"{"id":"b","response":"Roots: $\\boxed{2}$ and $\\boxed{-5}$.","ground_truth":"-5, 2","dataset":"math"}"#
        let s = try Verifier.score(try RawRecord(bytes: Array(line.utf8), location: SourceLocation(file: "t.jsonl", line: 1, offset: 0)), defaultDataset: "math")
        #expect(s.reward == 1)
        #expect(s.rule == "boxed_all")
    }

    @Test func newRuleNamesAreStable() {
        #expect(AnswerRule.boxedAll.rawValue == "boxed_all")
        #expect(AnswerRule.lastMath.rawValue == "last_math")
        #expect(AnswerRule.sentence.rawValue == "sentence")
    }
}
