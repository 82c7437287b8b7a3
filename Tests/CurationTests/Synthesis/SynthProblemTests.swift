import Curation
import Foundation
import Testing

/// The problems and their gold worked answers: arithmetic recomputed, answers accepted by the project's own
/// extractor and verifier, splits disjoint by construction.
@Suite struct SynthProblemTests {
    let difficulty = SynthDifficulty(minSteps: 1, maxSteps: 8, maxNumber: 5000)

    @Test func goldAnnotationsAndFinalLinesAreRight() throws {
        let set = try SynthProblemSource.generate(split: .train, count: 2000, difficulty: difficulty, seed: 7)
        #expect(set.problems.count == 2000)
        for p in set.problems {
            let w = SynthWording.choose(for: p, personas: SynthCheck.personas, seed: 7)
            let text = SynthTemplates.solution(SynthWork.gold(p), w)
            let notes = SynthCheck.annotations(text)
            #expect(notes.count == p.steps.count, "\(text)")
            var running = p.start
            for a in notes {
                #expect(SynthCheck.evaluate(a) == a.result, "\(text)")
                #expect(a.after == a.result, "\(text)")
                #expect(a.left == running, "each step starts from the last result: \(text)")
                running = a.result
            }
            #expect(SynthCheck.finalLine(text) == p.answer)
            #expect(running == p.answer)
            #expect(p.answer > 0)
            // The project's extractor and verifier accept the gold answer.
            let extracted = AnswerExtractor.extract(text, dataset: .gsm8k)
            #expect(extracted?.text == String(p.answer))
            #expect(AnswerEquivalence.matches(candidate: extracted?.text ?? "", gold: AnswerExtractor.gold(String(p.answer), dataset: .gsm8k), dataset: .gsm8k))
            // The statement holds every number the chain uses.
            let q = SynthTemplates.question(p, w)
            #expect(q.contains(String(p.start)))
            for s in p.steps { #expect(q.contains(String(s.operand))) }
        }
    }

    @Test func difficultyShapesStepsAndNumbers() throws {
        let d = SynthDifficulty(minSteps: 2, maxSteps: 6, maxNumber: 1000)
        let set = try SynthProblemSource.generate(split: .train, count: 1000, difficulty: d, seed: 1)
        #expect(set.problems.allSatisfy { (2...6).contains($0.steps.count) && $0.start <= 1000 })
        #expect(set.problems.allSatisfy { p in p.steps.allSatisfy { $0.op == .mul || $0.op == .div || $0.operand <= 1000 } })
        let easy = set.problems.filter { $0.latent < 0.2 }, hard = set.problems.filter { $0.latent >= 0.8 }
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(1, xs.count)) }
        #expect(mean(hard.map { Double($0.steps.count) }) > mean(easy.map { Double($0.steps.count) }) + 2)
        #expect(mean(hard.map { Double($0.maxOperand) }) > 3 * mean(easy.map { Double($0.maxOperand) }))
    }

    @Test func splitsAreDisjointForAnySeeds() throws {
        var keys: [SynthSplit: Set<String>] = [:]
        for (split, seed, count) in [(SynthSplit.eval, UInt64(1), 500), (.train, 2, 2000), (.pretrain, 3, 2000), (.eval, 4, 500), (.train, 1, 2000)] {
            let set = try SynthProblemSource.generate(split: split, count: count, difficulty: difficulty, seed: seed)
            #expect(set.problems.count == count)
            #expect(Set(set.problems.map(\.canonicalKey)).count == count, "no duplicate inside a split")
            #expect(set.problems.allSatisfy { SynthSplit.of($0) == split })
            #expect(set.candidates == set.problems.count + set.otherSplit + set.duplicates + set.invalid)
            keys[split, default: []].formUnion(set.problems.map(\.canonicalKey))
        }
        let e = keys[.eval] ?? [], t = keys[.train] ?? [], p = keys[.pretrain] ?? []
        #expect(e.isDisjoint(with: t) && e.isDisjoint(with: p) && t.isDisjoint(with: p))
        #expect(e.count >= 500)
        // A larger set extends a smaller one (candidate j has its own stream).
        let small = try SynthProblemSource.generate(split: .eval, count: 50, difficulty: difficulty, seed: 9)
        let large = try SynthProblemSource.generate(split: .eval, count: 500, difficulty: difficulty, seed: 9)
        #expect(Array(large.problems.prefix(50)) == small.problems)
    }

    @Test func narrowSpaceIsAnErrorNotAHang() {
        let tiny = SynthDifficulty(minSteps: 1, maxSteps: 1, maxNumber: 10)
        #expect(throws: SynthError.self) { try SynthProblemSource.generate(split: .eval, count: 5000, difficulty: tiny, seed: 0) }
    }

    @Test func absurdSettingsAreRefusedNamingTheParameter() {
        func message(_ o: SynthOptions) -> String? {
            do { try o.validate(); return nil } catch let e as SynthError { return e.message(naming: { $0.flag }) } catch { return "\(error)" }
        }
        var o = SynthOptions()
        o.difficulty.maxSteps = 20
        #expect(message(o)?.contains("--max-steps") == true)
        o = SynthOptions(); o.evalCount = 5_000_000
        #expect(message(o)?.contains("--eval-count") == true)
        o = SynthOptions(); o.teacher.samples = 0
        #expect(message(o)?.contains("--samples") == true)
        o = SynthOptions(); o.teacher.errorRate = 0.9
        #expect(message(o)?.contains("--error-rate") == true)
        o = SynthOptions(); o.plant = SynthPlantOptions(dose: 5000, items: 1)
        #expect(message(o)?.contains("--plant-dose") == true)
        o = SynthOptions(); o.plant = SynthPlantOptions(dose: 1, items: 400)
        #expect(message(o)?.contains("--plant-items") == true)
        o = SynthOptions(); o.difficulty.maxNumber = 5
        #expect(message(o)?.contains("--max-number") == true)
        #expect(message(SynthOptions()) == nil)
    }
}
