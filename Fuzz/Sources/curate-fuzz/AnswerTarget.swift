import Curation
import Foundation

/// Answer extraction and equivalence: the input is a model response, scored against fixed golds for
/// each dataset kind, and also parsed as an answer itself (the verifier parses both sides).
enum AnswerTarget: FuzzTarget {
    static let name = "answer"

    /// One gold per dataset kind (each extra gold costs a whole extraction per input, and debug builds
    /// are slow enough already); the parsed response is also compared with a symbolic gold.
    static let golds: [(AnswerDataset, String)] = [(.math, "\\frac{1}{2}"), (.gsm8k, "#### 18"), (.multipleChoice, "C")]
    static let symbolicGold = ParsedAnswer("(x+1)^2 \\cdot \\sqrt{3}")
    /// Golds of the forms issue 15 added: a relation chain, a matrix, an identity, a labelled list.
    static let responseGolds = ["$-2 \\le x \\le 7$", "$\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}$", "$\\tan^2 y + 1$", "$AB=4, CD=5$"]
    static let relaxed = AnswerOptions(floatRounding: 2, allowSetRelation: true, strict: false)

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let response = String(decoding: bytes, as: UTF8.self)
        for (dataset, goldText) in golds {
            let gold = AnswerExtractor.gold(goldText, dataset: dataset)
            if let extracted = AnswerExtractor.extract(response, dataset: dataset) {
                _ = AnswerEquivalence.matches(candidate: extracted.text, gold: gold, dataset: dataset)
            }
        }
        // Both sides as whole texts (math-verify style), against golds of the issue 15 forms, with
        // relaxed options too; and the response as the gold.
        for gold in responseGolds {
            _ = AnswerEquivalence.compare(gold: gold, candidate: response)
            _ = AnswerEquivalence.compare(gold: gold, candidate: response, options: relaxed)
        }
        _ = AnswerEquivalence.compare(gold: response, candidate: "$x \\geq 2$")
        if let extracted = AnswerExtractor.extract(response, dataset: .math) {
            _ = AnswerEquivalence.verdict(extracted: extracted, gold: "\\boxed{1}, \\boxed{2}", dataset: .math)
        }
        let parsed = ParsedAnswer(response)
        invariant(AnswerEquivalence.equivalent(parsed, parsed), "an answer is not equivalent to itself: \(parsed.key)")
        _ = AnswerEquivalence.equivalent(parsed, symbolicGold)
        _ = AnswerExtractor.choiceLetter(response)
    }
}
