import Curation
import Foundation

/// Answer extraction and equivalence: the input is a model response, scored against fixed golds for
/// each dataset kind, and also parsed as an answer itself (the verifier parses both sides).
enum AnswerTarget: FuzzTarget {
    static let name = "answer"

    static let golds: [(AnswerDataset, String)] = [
        (.math, "\\frac{1}{2}"), (.math, "x^2+2x+1"), (.math, "(1, \\sqrt{3}]"),
        (.gsm8k, "#### 18"), (.multipleChoice, "C"),
    ]

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let response = String(decoding: bytes, as: UTF8.self)
        for (dataset, goldText) in golds {
            let gold = AnswerExtractor.gold(goldText, dataset: dataset)
            if let extracted = AnswerExtractor.extract(response, dataset: dataset) {
                _ = AnswerEquivalence.matches(candidate: extracted.text, gold: gold, dataset: dataset)
            }
        }
        let parsed = ParsedAnswer(response)
        invariant(AnswerEquivalence.equivalent(parsed, parsed), "an answer is not equivalent to itself: \(parsed.key)")
        _ = AnswerEquivalence.equivalent(response, "\\frac{1}{2}")
        _ = AnswerExtractor.choiceLetter(response)
    }
}
