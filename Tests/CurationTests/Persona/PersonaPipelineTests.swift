import Curation
import Foundation
import Testing

@Suite struct PersonaConstraintTests {
    @Test func sampledConstraintsRespectEachCheckersKwargs() throws {
        let registry = ConstraintRegistry.standard
        let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .instructionFollowing, count: 1, seed: 3))
        var sizes = Set<Int>()
        for persona in try personaFixture() {
            let s = try synthesis.synthesisPrompt(for: .init(persona: persona, round: 0))
            let c = try #require(s.constraints)
            sizes.insert(c.set.constraints.count)
            #expect((1...3).contains(c.set.constraints.count))
            for (i, constraint) in c.set.constraints.enumerated() {
                let checker = try #require(registry.checker(constraint.id))
                // Only kwargs the checker takes, and they bind (validate) without error.
                for e in constraint.kwargs.entries where !e.value.isNull { #expect(checker.kwargNames.contains(e.key), "\(constraint.id): \(e.key)") }
                #expect(try checker.bind(constraint.kwargs).description == c.descriptions[i])
                for other in c.set.constraints[(i + 1)...] { #expect(!ConstraintSampler.conflicts(constraint.id, other.id)) }
            }
            // Same id, same constraints (seeded by (seed, instance id)).
            #expect(synthesis.constraints(for: s.id) == c)
        }
        #expect(sizes == [1, 2, 3])
    }

    @Test func rewriteRemovesExactlyOneConstraint() throws {
        let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .instructionFollowing, count: 1, seed: 11))
        var removedPositions = Set<Int>()
        var checked = 0
        for persona in try personaFixture().prefix(150) {
            let s = try synthesis.synthesisPrompt(for: .init(persona: persona, round: 0))
            let c = try #require(s.constraints)
            let task = "Describe your week."
            let original = try synthesis.instructionPrompt(task: task, descriptions: c.descriptions, persona: persona.text)
            guard let rw = try synthesis.rewrite(id: s.id, task: task, sample: c, persona: persona.text) else {
                #expect(c.set.constraints.count == 1)
                continue
            }
            checked += 1
            removedPositions.insert(rw.removed)
            var expected = c.set.constraints
            let removed = expected.remove(at: rw.removed)
            #expect(rw.remaining.constraints == expected)
            #expect(rw.remaining.constraints.count == c.set.constraints.count - 1)
            #expect(rw.prompt != original)
            #expect(rw.prompt.hasPrefix(task))
            for (i, d) in c.descriptions.enumerated() where i != rw.removed { #expect(rw.prompt.contains(d)) }
            let removedText = c.descriptions[rw.removed]
            if !c.descriptions.enumerated().contains(where: { $0.offset != rw.removed && $0.element.contains(removedText) }) {
                #expect(!rw.prompt.contains(removedText), "\(removed.id) still in the rewritten prompt")
            }
            // Deterministic.
            #expect(try synthesis.rewrite(id: s.id, task: task, sample: c, persona: persona.text)?.removed == rw.removed)
        }
        #expect(checked > 50)
        #expect(removedPositions == [0, 1, 2])
    }
}

@Suite struct PersonaPipelineTests {
    static let passBoth = "a calm answer in lowercase without any commas at all."
    static let hasComma = "a calm answer, in lowercase, with commas."
    static let hasCapitals = "A Calm Answer In Title Case Without Commas."

    /// An oracle independent of the registry: which of the texts meets a set of these two constraints.
    static func meets(_ text: String, _ ids: [String]) -> Bool {
        (!ids.contains("punctuation:no_comma") || !text.contains(",")) && (!ids.contains("change_case:english_lowercase") || text == text.lowercased())
    }

    func ifOptions(seed: UInt64 = 5, samples: Int = 3, preferences: Bool = true, batchSize: Int = 64) -> PersonaSynthesisOptions {
        PersonaSynthesisOptions(skill: .instructionFollowing, count: 60, samples: samples, seed: seed, preferences: preferences,
                                batchSize: batchSize, constraintCount: 1...2,
                                sampler: ConstraintSampler(ids: ["punctuation:no_comma", "change_case:english_lowercase"]))
    }

    static func ifScript(_ r: GenerationRequest) -> String {
        let texts = [passBoth, hasComma, hasCapitals]
        switch r.stage {
        case "task": return "User instruction: Write about the sea for \(r.instance)."
        case "solution": return texts[bucket("\(r.instance)/\(r.sampleIndex)", 3)]
        default: return texts[bucket("\(r.instance)/rejected", 3)]
        }
    }

    @Test func ifPipelineKeepsExactlyThePassingResponsesAndMakesPairs() throws {
        let synthesis = try PersonaSynthesis(options: ifOptions())
        let slots = PersonaSelection.sample(try personaFixture(), count: 60, seed: 5)
        let gen = ScriptedGenerator(Self.ifScript)
        let run = try SynthesisRun(synthesis, slots: slots, generator: gen)

        var expectedKept: [String: String] = [:]
        var expectedOrder: [String] = []
        var passing = 0
        var expectedPairs: [String] = []
        for slot in slots {
            let id = PersonaSynthesis.instanceID(skill: .instructionFollowing, slot: slot)
            let ids = synthesis.constraints(for: id).set.ids
            let responses = (0..<3).map { Self.ifScript(GenerationRequest(id: "\(id)/solution/\($0)")) }
            passing += responses.filter { Self.meets($0, ids) }.count
            if let first = responses.first(where: { Self.meets($0, ids) }) {
                expectedKept[id] = first
                expectedOrder.append(id)
                let rejected = Self.ifScript(GenerationRequest(id: "\(id)/rejected/0"))
                if ids.count >= 2 && !Self.meets(rejected, ids) { expectedPairs.append(id) }
            }
        }
        #expect(expectedOrder.count > 10 && expectedOrder.count < 60, "the script should both keep and drop")
        #expect(run.recordIDs == expectedOrder)
        for r in run.records {
            let id = try #require(r["id"]?.stringValue)
            let messages = try #require(r["messages"]?.arrayValue)
            #expect(messages.count == 2)
            #expect(messages[0]["content"] == r["prompt"])
            #expect(messages[1]["content"]?.stringValue == expectedKept[id])
            let set = try ConstraintSet(json: try #require(r["constraints"]))
            #expect(set == synthesis.constraints(for: id).set)
            #expect(r["ground_truth"] == set.json && r["dataset"] == .string("ifeval"))
            #expect(try ConstraintRegistry.standard.evaluate(set, response: expectedKept[id] ?? "").allPassed)
            let prompt = try #require(r["prompt"]?.stringValue)
            #expect(prompt.hasPrefix("Write about the sea for \(id)."), "the task label is cleaned off")
            for d in synthesis.constraints(for: id).descriptions { #expect(prompt.contains(d)) }
            #expect(r["input_persona"]?.stringValue != nil && r["source"] == .string("persona-if"))
        }
        let rep = run.result.report
        #expect(rep.recordsIn == 60)
        #expect(rep.dropped == ["constraints-not-met": 60 - expectedOrder.count])
        #expect(run.result.responsesChecked == 180)
        #expect(run.result.responsesPassing == passing)
        #expect(run.prompts.count == 60)

        // Preference pairs: both sides under the original prompt; rejected misses an original constraint.
        #expect(run.preferences.compactMap { $0["id"]?.stringValue } == expectedPairs)
        #expect(!expectedPairs.isEmpty)
        for p in run.preferences {
            let chosen = try #require(p["chosen"]?.arrayValue), rejected = try #require(p["rejected"]?.arrayValue)
            #expect(chosen[0] == rejected[0])
            #expect(chosen[0]["content"] == p["prompt"])
            #expect(chosen[1]["content"]?.stringValue == Self.passBoth)
            let set = try ConstraintSet(json: try #require(p["constraints"]))
            #expect(set.constraints.count == 2)
            #expect(!(try ConstraintRegistry.standard.evaluate(set, response: rejected[1]["content"]?.stringValue ?? "").allPassed))
            #expect(set.ids.contains(p["removed_constraint"]?.stringValue ?? ""))
            #expect(p["rewritten_prompt"] != p["prompt"])
        }
        let pr = try #require(run.result.preferenceReport)
        #expect(pr.recordsIn == expectedOrder.count)
        #expect(pr.recordsOut == expectedPairs.count)
        try pr.check()
        #expect(pr.dropped["fewer-than-2-constraints", default: 0] > 0)

        // The rejected side was generated for the rewritten prompt, not the original.
        for r in gen.requests where r.stage == "rejected" {
            let pair = run.preferences.first { $0["id"]?.stringValue == r.instance }
            if let pair { #expect(pair["rewritten_prompt"]?.stringValue == r.userText) }
            #expect(!(run.records.first { $0["id"]?.stringValue == r.instance }?["prompt"]?.stringValue == r.userText))
        }
    }

    static func mathSolution(_ answer: String) -> String {
        "Let us work it out step by step.\nFinal Answer: The final answer is $\(answer)$. I hope it is correct."
    }

    /// Five answer patterns: clear majority, majority through equivalent forms, all different, 2-2-1, none.
    static func mathScript(_ r: GenerationRequest) -> String {
        if r.stage == "task" { return "Problem: Compute something about \(r.instance)." }
        let patterns: [[String?]] = [["7", "7", "7", "2", "3"], ["\\frac{1}{2}", "0.5", "3", "1/2", "4"],
                                     ["1", "2", "3", "4", "5"], ["7", "8", "7", "8", "9"], [nil, nil, nil, nil, nil]]
        let p = patterns[bucket(r.instance, 5)]
        return p[r.sampleIndex].map(mathSolution) ?? "I am not sure how to solve this."
    }

    @Test func mathPipelineDropsNonMajorityInstances() throws {
        let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .math, count: 50, samples: 5, seed: 2))
        let slots = PersonaSelection.sample(try personaFixture(), count: 50, seed: 2)
        let run = try SynthesisRun(synthesis, slots: slots, generator: ScriptedGenerator(Self.mathScript))
        var expected: [String] = [], reasons: [String: Int] = [:]
        for slot in slots {
            let id = PersonaSynthesis.instanceID(skill: .math, slot: slot)
            switch bucket(id, 5) {
            case 0, 1: expected.append(id)
            case 2, 3: reasons["no-majority", default: 0] += 1
            default: reasons["no-answer", default: 0] += 1
            }
        }
        #expect(run.recordIDs == expected)
        #expect(run.result.report.dropped == reasons)
        #expect(run.result.voted == 50 && run.result.voteRemoved == 50 - expected.count)
        #expect(run.result.solutionsGenerated == 250)
        for r in run.records {
            let id = try #require(r["id"]?.stringValue)
            let majority = bucket(id, 5) == 0 ? "7" : "\\frac{1}{2}"
            #expect(r["ground_truth"] == .string(majority))
            #expect(r["dataset"] == .string("math"))
            #expect(r["messages"]?.arrayValue?.last?["content"]?.stringValue == Self.mathSolution(majority), "the first majority solution")
            #expect(r["prompt"]?.stringValue == "Compute something about \(id).")
            #expect(r["vote"]?["votes"] == .int(3))
        }
        guard case .object(let summary)? = run.result.report.extra["persona"] else { Issue.record("no summary"); return }
        let share = Double(50 - expected.count) / 50
        #expect(abs((summary["vote_removed_share"]?.doubleValue ?? -1) - share) < 1e-3)
    }

    @Test func gradeMathCountsOnlySolutionsEndingWithTheAnswerLine() throws {
        let script: (GenerationRequest) -> String = { r in
            if r.stage == "task" { return "Sam has 5 apples for \(r.instance)..." }
            let patterns = [["So 12.\n#### 12", "Thus\n#### 12  \n", "#### 13"],
                            ["The answer is 12.", "The answer is 12.", "Total: 12\n#### 12"],
                            ["The answer is 12.", "12 apples", "It is 12."]]
            return patterns[bucket(r.instance, 3)][r.sampleIndex]
        }
        let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .gradeMath, count: 30, samples: 3, seed: 4))
        let slots = PersonaSelection.sample(try personaFixture(), count: 30, seed: 4)
        let run = try SynthesisRun(synthesis, slots: slots, generator: ScriptedGenerator(script))
        let ids = slots.map { PersonaSynthesis.instanceID(skill: .gradeMath, slot: $0) }
        #expect(run.recordIDs == ids.filter { bucket($0, 3) == 0 })
        #expect(run.result.report.dropped["no-majority"] == ids.filter { bucket($0, 3) == 1 }.count)
        #expect(run.result.report.dropped["no-answer"] == ids.filter { bucket($0, 3) == 2 }.count)
        for r in run.records {
            #expect(r["ground_truth"] == .string("12") && r["dataset"] == .string("gsm8k"))
            #expect(r["messages"]?.arrayValue?.last?["content"]?.stringValue == "So 12.\n#### 12")
        }
    }

    @Test func codePipelineKeepsTasksWithAPythonFunction() throws {
        let good = "Try this:\n```python\ndef mean_temp(readings):\n    return sum(readings) / len(readings)\n```"
        let script: (GenerationRequest) -> String = { r in
            switch r.stage {
            case "task": return bucket(r.instance, 4) == 3 ? "   " : "How do I average sensor readings? (\(r.instance))"
            default: return bucket(r.instance, 4) == 0 && r.sampleIndex == 1 ? good
                : (bucket(r.instance, 4) == 1 ? "```python\ndef mean_temp(readings):\n    pass\n```" : "Just use a loop.")
            }
        }
        let synthesis = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .code, count: 40, samples: 2, seed: 9))
        let slots = PersonaSelection.sample(try personaFixture(), count: 40, seed: 9)
        let gen = ScriptedGenerator(script)
        let run = try SynthesisRun(synthesis, slots: slots, generator: gen)
        let ids = slots.map { PersonaSynthesis.instanceID(skill: .code, slot: $0) }
        #expect(run.recordIDs == ids.filter { bucket($0, 4) == 0 })
        #expect(run.result.report.dropped == ["no-python-function": ids.filter { [1, 2].contains(bucket($0, 4)) }.count,
                                              "empty-task": ids.filter { bucket($0, 4) == 3 }.count])
        #expect(run.result.tasksGenerated == ids.filter { bucket($0, 4) != 3 }.count)
        // No solution is requested for an empty task.
        #expect(gen.requests.filter { $0.stage == "solution" }.count == 2 * run.result.tasksGenerated)
        for r in run.records { #expect(r["messages"]?.arrayValue?.last?["content"]?.stringValue == good) }
        // The solution prompt is the code-solution template around the task.
        let solution = try #require(gen.requests.first { $0.stage == "solution" })
        #expect(solution.userText.contains("```python code block"))
    }

    @Test func deterministicForASeedWhateverTheBatching() throws {
        let slots = PersonaSelection.sample(try personaFixture(), count: 60, seed: 5)
        func go(seed: UInt64, batch: Int) throws -> (String, [GenerationRequest]) {
            let gen = ScriptedGenerator(Self.ifScript)
            let run = try SynthesisRun(try PersonaSynthesis(options: ifOptions(seed: seed, batchSize: batch)), slots: slots, generator: gen)
            let text = (run.prompts + run.records + run.preferences).map { JSONWriter.string($0) }.joined(separator: "\n")
            return (text, gen.requests.sorted { $0.id < $1.id })
        }
        let (a, ra) = try go(seed: 5, batch: 64)
        let (b, rb) = try go(seed: 5, batch: 7)
        #expect(a == b)
        #expect(ra == rb)
        for r in ra {
            #expect(r.seed == PersonaSynthesis.requestSeed(seed: 5, id: r.instance, stage: r.stage, index: r.sampleIndex))
            #expect(r.seed < 1 << 31)
        }
        #expect(Set(ra.map(\.seed)).count == ra.count, "every request has its own seed")
        let (_, rc) = try go(seed: 6, batch: 64)
        #expect(Set(rc.map(\.seed)).isDisjoint(with: Set(ra.map(\.seed))))
    }

    @Test func optionsAreValidated() {
        #expect(throws: CurationError.self) { _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .math, count: 0)) }
        #expect(throws: CurationError.self) { _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .math, count: 1, preferences: true)) }
        #expect(throws: CurationError.self) { _ = try PersonaSynthesis(options: PersonaSynthesisOptions(skill: .code, count: 1, samples: 0)) }
        #expect(PersonaSynthesisOptions(skill: .math, count: 1).samples == 5)
    }
}
