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
        _ = AnswerEquivalence.equivalent(parsed, symbolicGold)
        _ = AnswerExtractor.choiceLetter(response)
    }
}
