import Curation
import Foundation
import Testing

/// A generator that answers from a script: prompt text -> completions.
final class ScriptedEvalGenerator: Generator {
    let name = "scripted"
    let script: (GenerationRequest) -> [String]
    private(set) var seen: [GenerationRequest] = []
    init(_ script: @escaping (GenerationRequest) -> [String]) { self.script = script }
    func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        seen += requests
        return requests.map { r in script(r).map { Completion(text: $0, tokens: $0.count, thinkingTokens: 3) } }
    }
}

@Suite struct EvaluatorTests {
    func record(_ json: String, line: Int) throws -> RawRecord {
        try RawRecord(bytes: Array(json.utf8), location: SourceLocation(file: "t.jsonl", line: line, offset: 0))
    }

    @Test func accuracyMajorityAndPassAtKOnKnownAnswers() throws {
        let items = [
            try EvalItem.from(record(##"{"question": "1+1?", "answer": "so 2\n#### 2"}"##, line: 1), id: "a", task: nil),
            try EvalItem.from(record(#"{"problem": "x?", "answer": "\\frac{1}{2}"}"#, line: 2), id: "b", task: nil),
            try EvalItem.from(record(#"{"prompt": "Write hi.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}"#, line: 3), id: "c", task: nil),
        ]
        #expect(items.map(\.task) == [.gsm8k, .math, .ifeval])
        let gen = ScriptedEvalGenerator { r in
            let q = r.messages?.last?.content ?? ""
            if q.hasPrefix("1+1?") { return ["#### 3", "#### 2", "#### 2"] }     // first wrong, majority right
            if q.hasPrefix("x?") { return ["\\boxed{0.5}", "\\boxed{1}", "\\boxed{1}"] }  // first right, majority wrong
            return ["hi there", "hi, there", "hi, you"]                          // first passes
        }
        let results = try Evaluator.run(items, generator: gen, prompts: EvalPromptProtocol(),
                                        settings: EvalSettings(samples: 3, temperature: 0.7, chunk: 2))
        #expect(gen.seen.count == 3 && gen.seen.allSatisfy { $0.samples == 3 })
        // The protocol's instructions: gsm8k and math get one, ifeval is sent as it is.
        #expect(gen.seen[0].messages?.last?.content.contains("####") == true)
        #expect(gen.seen[1].messages?.last?.content.contains("\\boxed{}") == true)
        #expect(gen.seen[2].messages?.last?.content == "Write hi.")
        #expect(results.map { $0.correct } == [[false, true, true], [true, false, false], [true, false, false]])
        #expect(results.map(\.majorityCorrect) == [true, false, true])
        let s = Evaluator.summarize(results)
        #expect(abs(s.accuracy - 2.0 / 3) < 1e-12)
        #expect(abs(s.majorityAtK - 2.0 / 3) < 1e-12)
        #expect(s.passAtK == 1)
        #expect(abs(s.meanAccuracy - (2.0 / 3 + 1.0 / 3 + 1.0 / 3) / 3) < 1e-12)
        #expect(s.avgThinkingTokens == 3 && s.samples == 9)
    }

    @Test func answerMarkerGradesOnlyTheAnswer() throws {
        let item = try EvalItem.from(record("{\"question\": \"q\", \"answer\": \"#### 7\"}", line: 1), id: "x", task: .gsm8k)
        let text = "thinking #### 7 no wait<|im_start|>answer\nFinal Answer: #### 8"
        #expect(Evaluator.grade(text, item: item, answerMarker: "<|im_start|>answer").1 == false)
        #expect(Evaluator.grade("x<|im_start|>answer\n#### 7", item: item, answerMarker: "<|im_start|>answer").1 == true)
    }

    @Test func badItemsAreReported() throws {
        #expect(throws: CurationError.self) { try EvalItem.from(self.record(#"{"answer": "1"}"#, line: 4), id: "z", task: nil) }
        #expect(throws: CurationError.self) { try EvalItem.from(self.record(#"{"prompt": "p"}"#, line: 5), id: "z", task: .ifeval) }
    }
}
