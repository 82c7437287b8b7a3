import Foundation
import Testing
import Curation

/// Issue 13 item 1: answers nested hundreds of thousands of levels deep overflowed the stack in the
/// expression parser (and in evaluating, hashing or freeing the tree it built). Each shape must now give
/// a verdict, `too-deep`, and never crash.
struct AnswerDepthTests {
    static let levels = 200_000

    /// The hostile shapes from the issue, each `levels` deep.
    static let shapes: [(name: String, text: String)] = {
        let n = levels
        return [
            ("sqrt", String(repeating: "\\sqrt", count: n) + "2"),
            ("frac-unbraced", String(repeating: "\\frac1", count: n) + "2"),
            ("frac-braced", String(repeating: "\\frac{1}{", count: n) + "2" + String(repeating: "}", count: n)),
            ("sin", String(repeating: "\\sin", count: n) + "x"),
            ("factorial", "3" + String(repeating: "!", count: n)),
            ("minus", String(repeating: "-", count: n) + "5"),
            ("parentheses", String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)),
            ("sum-chain", String(repeating: "1+", count: n) + "1"),
            ("power-tower", String(repeating: "2^{", count: n) + "2" + String(repeating: "}", count: n)),
        ]
    }()

    @Test func deepExpressionsAreRefusedNotCrashed() {
        for (name, text) in Self.shapes {
            // (Booleans only in expectations: a failure must not print a 200k-level expression.)
            let refused = MathExpr.parseChecked(text) == .tooDeep
            #expect(refused, "\(name)")
        }
    }

    /// Each shape through extraction, normalisation and equivalence (the path `verify` takes). Kept to one
    /// pass per shape: normalising a 1 MB answer is slow in a debug build.
    @Test func deepBoxedAnswersGetATooDeepVerdict() {
        for (name, text) in Self.shapes {
            let response = "Working... so the answer is $\\boxed{\(text)}$."
            guard let found = AnswerExtractor.extract(response, dataset: .math) else {
                Issue.record("\(name): no answer extracted"); continue
            }
            let boxed = found.rule == .boxed
            #expect(boxed, "\(name)")
            let v = AnswerEquivalence.verdict(candidate: found.text, gold: "2", dataset: .math)
            #expect(!v.equivalent, "\(name)")
            #expect(v.reason == AnswerVerdict.tooDeep, "\(name)")
        }
        // A deep gold answer alike.
        let g = AnswerEquivalence.verdict(candidate: "2", gold: "\\boxed{\(Self.shapes[0].text)}", dataset: .math)
        #expect(!g.equivalent && g.reason == AnswerVerdict.tooDeep)
    }

    @Test func votingOverDeepCompletionsDoesNotCrash() {
        let text = Self.shapes[0].text
        let completions = ["\\boxed{\(text)}", "\\boxed{\(text)}", "\\boxed{4}"]
        let t = SelfConsistency.vote(completions: completions, groundTruth: "4", dataset: .math, options: VoteOptions())
        #expect(t.total == 3)
    }

    /// The limits leave ordinary answers alone: nesting a few dozen levels deep still parses and evaluates.
    @Test func ordinaryNestingStillParses() {
        let nested = String(repeating: "\\sqrt{", count: 20) + "4" + String(repeating: "}", count: 20)
        guard case .parsed(let e) = MathExpr.parseChecked(nested) else { Issue.record("20 nested roots refused"); return }
        #expect(e.evaluate() != nil)
        #expect(AnswerEquivalence.equivalent("\\frac{\\frac{1}{2}}{\\frac{3}{4}}", "\\frac23"))
        #expect(AnswerEquivalence.equivalent(String(repeating: "1+", count: 99) + "1", "100"))
        #expect(AnswerEquivalence.equivalent("5!", "120"))
        // Near the step limit (about three steps per term) the tree is 300 deep: evaluating it must fit a
        // worker thread's stack.
        let sum = AnswerEquivalence.equivalent(String(repeating: "1+", count: 300) + "1", "301")
        #expect(sum)
        #expect(!ParsedAnswer("\\sqrt{2}").tooDeep)
    }
}
