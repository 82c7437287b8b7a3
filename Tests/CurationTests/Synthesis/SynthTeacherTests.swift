import Curation
import Foundation
import Testing

/// The simulated teacher: error rates near their targets, error propensity rising with difficulty,
/// systematic problems giving wrong majorities, and samples the vote logic reads as written.
@Suite struct SynthTeacherTests {
    static let problems: [SynthProblem] = (try? SynthProblemSource.generate(split: .train, count: 3000, difficulty: SynthDifficulty(), seed: 11).problems) ?? []

    func teach(_ options: SynthTeacherOptions = SynthTeacherOptions()) -> [(SynthProblem, SynthWording, SynthTeaching)] {
        let teacher = SynthTeacher(options: options, seed: 11, meanLatent: SynthTeacher.meanLatent(Self.problems))
        return Self.problems.map { p in
            let w = SynthWording.choose(for: p, personas: [], seed: 11)
            return (p, w, teacher.teach(p, wording: w))
        }
    }

    @Test func errorRatesAreNearTheTargets() throws {
        #expect(Self.problems.count == 3000)
        for (rate, share) in [(0.40, 0.10), (0.25, 0.05)] {
            var stats = SynthTeacherStatistics()
            let taught = teach(SynthTeacherOptions(samples: 8, errorRate: rate, systematicShare: share))
            for (p, _, t) in taught {
                stats.add(t, gold: p.answer)
                stats.addMajority(t, gold: p.answer)
            }
            #expect(abs(stats.sampleErrorRate - rate) < 0.03, "sample error rate \(stats.sampleErrorRate) for target \(rate)")
            #expect(abs(stats.systematicShare - share) < 0.025, "systematic share \(stats.systematicShare) for target \(share)")
            // Every mistake kind occurs.
            for m in SynthMistake.allCases { #expect((stats.mistakes[m.rawValue] ?? 0) > 0, "\(m)") }
        }
    }

    @Test func labelsMatchTheTextAndCorrectSamplesAreRight() throws {
        var wrongByLabel = 0, wrongByText = 0
        for (p, _, t) in teach() {
            for s in t.samples {
                let extracted = AnswerExtractor.extract(s.text, dataset: .gsm8k)?.text
                #expect(extracted == String(s.answer), "\(s.text)")
                let labelledWrong = s.mistake != nil || s.systematic
                #expect(labelledWrong == (s.answer != p.answer))
                if labelledWrong { wrongByLabel += 1 }
                if !AnswerEquivalence.matches(candidate: extracted ?? "", gold: String(p.answer), dataset: .gsm8k) { wrongByText += 1 }
                if !labelledWrong {
                    for a in SynthCheck.annotations(s.text) { #expect(SynthCheck.evaluate(a) == a.result) }
                }
                if s.mistake == .arithmeticSlip && !s.systematic {
                    #expect(SynthCheck.annotations(s.text).contains { SynthCheck.evaluate($0) != $0.result }, "a slip shows in an annotation")
                }
            }
        }
        #expect(wrongByLabel == wrongByText)
    }

    /// A large set at small numbers loses many easy problems to deduplication; the rate stays on target.
    @Test func errorRateStaysOnTargetWhenDeduplicationSkewsDifficulty() throws {
        let problems = try SynthProblemSource.generate(split: .train, count: 6000, difficulty: SynthDifficulty(minSteps: 1, maxSteps: 4, maxNumber: 30), seed: 2).problems
        let mean = SynthTeacher.meanLatent(problems)
        #expect(mean > 0.53, "the set is skewed towards harder problems: \(mean)")
        let teacher = SynthTeacher(options: SynthTeacherOptions(samples: 4), seed: 2, meanLatent: mean)
        var stats = SynthTeacherStatistics()
        for p in problems { stats.add(teacher.teach(p, wording: SynthWording.choose(for: p, personas: [], seed: 2)), gold: p.answer) }
        #expect(abs(stats.sampleErrorRate - 0.40) < 0.03, "\(stats.sampleErrorRate)")
    }

    @Test func harderProblemsGoWrongMoreOften() {
        var easy = (wrong: 0, all: 0), hard = (wrong: 0, all: 0)
        for (p, _, t) in teach() where !t.systematic {
            let wrong = t.samples.filter { $0.answer != p.answer }.count
            if p.latent < 0.33 { easy.wrong += wrong; easy.all += t.samples.count }
            if p.latent >= 0.67 { hard.wrong += wrong; hard.all += t.samples.count }
        }
        let e = Double(easy.wrong) / Double(max(1, easy.all)), h = Double(hard.wrong) / Double(max(1, hard.all))
        #expect(h > 1.8 * e, "easy \(e), hard \(h)")
    }

    @Test func systematicProblemsHaveWrongMajoritiesThatTheGoldCheckCatches() {
        var systematic = 0, wrongMajority = 0, keptWithoutGold = 0, droppedWithGold = 0
        for (p, _, t) in teach() where t.systematic {
            systematic += 1
            let texts = t.samples.map(\.text)
            let blind = SelfConsistency.vote(completions: texts, groundTruth: nil, dataset: .gsm8k, options: VoteOptions(threads: 1))
            if blind.majorityAnswer?.text == t.systematicAnswer.map(String.init) && blind.agreement > 0.5 {
                wrongMajority += 1
                if blind.dropReason == nil { keptWithoutGold += 1 }
                let graded = SelfConsistency.vote(completions: texts, groundTruth: String(p.answer), dataset: .gsm8k, options: VoteOptions(threads: 1))
                if graded.dropReason == .disagreesWithGold { droppedWithGold += 1 }
            }
        }
        #expect(systematic > 200)
        #expect(Double(wrongMajority) / Double(systematic) > 0.85, "\(wrongMajority) of \(systematic)")
        #expect(keptWithoutGold == wrongMajority)
        #expect(droppedWithGold == wrongMajority)
    }
}
