/// The mistakes the simulated teacher makes. Each gives a final answer other than the gold one.
public enum SynthMistake: String, Sendable, CaseIterable, Hashable {
    /// A step's result written off by a few units (or tens); later steps carry the wrong amount.
    case arithmeticSlip = "arithmetic-slip"
    /// One step left out; later steps start from the amount before it.
    case skippedStep = "skipped-step"
    /// A step computed with a number copied wrong (digits swapped, off by a little, or another number of the problem).
    case copiedWrongNumber = "copied-wrong-number"
    /// Every step right, but the `#### N` line gives another number (an intermediate amount, or a typo).
    case wrongFinalLine = "wrong-final-line"
}

/// The teacher's settings. The overall share of wrong single samples is `errorRate`; `systematicShare`
/// of the problems have one wrong answer that each sample gives with probability `systematicAgreement`,
/// so most samples agree on it and a majority vote without a gold check keeps a wrong answer.
public struct SynthTeacherOptions: Sendable, Hashable {
    /// Sampled solutions per problem (k).
    public var samples: Int
    public var errorRate: Double
    public var systematicShare: Double
    public var systematicAgreement: Double

    public init(samples: Int = 8, errorRate: Double = 0.40, systematicShare: Double = 0.10, systematicAgreement: Double = 0.8) {
        self.samples = samples
        self.errorRate = errorRate
        self.systematicShare = systematicShare
        self.systematicAgreement = systematicAgreement
    }

    public func validate() throws {
        guard (1...64).contains(samples) else { throw SynthError.outOfRange(.samples, "should be in 1...64, got \(samples)") }
        guard systematicShare.isFinite, (0...0.5).contains(systematicShare) else {
            throw SynthError.outOfRange(.systematicShare, "should be in [0, 0.5], got \(systematicShare)")
        }
        guard systematicAgreement.isFinite, (0.5...1).contains(systematicAgreement) else {
            throw SynthError.outOfRange(.systematicAgreement, "should be in [0.5, 1], got \(systematicAgreement)")
        }
        let floor = systematicShare * systematicAgreement
        guard errorRate.isFinite, errorRate >= floor, errorRate <= 0.55 else {
            throw SynthError.outOfRange(.errorRate, "should be in [\(floor), 0.55] (at least systematic share x agreement), got \(errorRate)")
        }
    }

    /// The mean error propensity of a problem outside the systematic ones, chosen so that the overall
    /// share of wrong samples is `errorRate`: s*a + s*(1-a)*r + (1-s)*r = e gives r = (e - s*a) / (1 - s*a).
    public var baseRate: Double {
        let sa = systematicShare * systematicAgreement
        return sa >= 1 ? 0 : max(0, (errorRate - sa) / (1 - sa))
    }

    /// A problem's own chance that a sample goes wrong, rising linearly with its latent difficulty:
    /// 0.4x the base rate for the easiest, 1.6x for the hardest when the problems' mean latent is 0.5.
    /// Dividing by the factor at the mean latent keeps the realised rate at the target when the problem set
    /// is not uniform in difficulty (deduplication removes more easy problems, whose space is small).
    public func propensity(latent u: Double, meanLatent m: Double = 0.5) -> Double {
        min(0.95, baseRate * (0.4 + 1.2 * u) / (0.4 + 1.2 * min(1, max(0, m))))
    }
}

/// One sampled solution.
public struct SynthSample: Sendable, Hashable {
    /// Nil for a correct sample.
    public var mistake: SynthMistake?
    /// Whether the sample follows the problem's systematic wrong answer.
    public var systematic: Bool
    public var text: String
    public var answer: Int
}

/// A problem's k samples and the labels a lab needs to grade the filter that reads them.
public struct SynthTeaching: Sendable, Hashable {
    public var propensity: Double
    public var systematic: Bool
    public var systematicAnswer: Int?
    public var systematicMistake: SynthMistake?
    public var samples: [SynthSample]
}

/// The simulated teacher: writes k sampled solutions per problem. Every draw comes from a stream keyed by
/// (seed, problem, sample index), so a problem's samples do not depend on which other problems are in the
/// run or on the thread count.
public struct SynthTeacher: Sendable {
    public var options: SynthTeacherOptions
    public var seed: UInt64
    /// The mean latent difficulty of the problems taught in this run (see `SynthTeacherOptions.propensity`).
    public var meanLatent: Double

    public init(options: SynthTeacherOptions, seed: UInt64, meanLatent: Double = 0.5) {
        self.options = options
        self.seed = seed
        self.meanLatent = meanLatent
    }

    /// The mean latent of `problems` (0.5 for none), to pass as `meanLatent`.
    public static func meanLatent(_ problems: [SynthProblem]) -> Double {
        problems.isEmpty ? 0.5 : problems.reduce(0) { $0 + $1.latent } / Double(problems.count)
    }

    /// Whether `problem` has a systematic wrong answer.
    public func isSystematic(_ problem: SynthProblem) -> Bool {
        var rng = SplitMix64(seed: seed ^ 0x5359_5354, stream: problem.canonicalHash)
        return rng.unitDouble() < options.systematicShare
    }

    public func teach(_ problem: SynthProblem, wording: SynthWording) -> SynthTeaching {
        let gold = SynthWork.gold(problem)
        let p = options.propensity(latent: problem.latent, meanLatent: meanLatent)
        var systematicWork: SynthWork?
        var systematicMistake: SynthMistake?
        if isSystematic(problem) {
            var rng = SplitMix64(seed: seed ^ 0x5359_5357, stream: problem.canonicalHash)
            let kind = SynthMistake.allCases[Int(rng.below(UInt64(SynthMistake.allCases.count)))]
            let made = Self.mistake(kind, problem: problem, gold: gold, rng: &rng)
            systematicWork = made.work
            systematicMistake = made.kind
        }
        var samples: [SynthSample] = []
        samples.reserveCapacity(options.samples)
        for s in 0..<options.samples {
            var rng = SplitMix64(seed: seed ^ 0x5445_4143, stream: problem.canonicalHash &+ UInt64(s) &* 0x9E37_79B9_7F4A_7C15)
            var work = gold
            var mistake: SynthMistake?
            var systematic = false
            if let sw = systematicWork, rng.unitDouble() < options.systematicAgreement {
                work = sw; mistake = systematicMistake; systematic = true
            } else if rng.unitDouble() < p {
                let made = Self.mistake(Self.drawKind(&rng), problem: problem, gold: gold, rng: &rng)
                work = made.work; mistake = made.kind
            }
            let styles = work.lines.map { _ in Int(rng.below(UInt64(SynthTemplates.lineVariants))) }
            samples.append(SynthSample(mistake: mistake, systematic: systematic,
                                       text: SynthTemplates.solution(work, wording, styles: styles), answer: work.final))
        }
        return SynthTeaching(propensity: p, systematic: systematicWork != nil, systematicAnswer: systematicWork?.final,
                             systematicMistake: systematicMistake, samples: samples)
    }

    /// Slips are the commonest mistake, as in sampled chains of thought; a wrong last line the rarest.
    static func drawKind(_ rng: inout SplitMix64) -> SynthMistake {
        let u = rng.unitDouble()
        if u < 0.35 { return .arithmeticSlip }
        if u < 0.60 { return .copiedWrongNumber }
        if u < 0.80 { return .skippedStep }
        return .wrongFinalLine
    }

    /// A wrong work of kind `kind` when the problem allows one (a one-step problem has no step to skip;
    /// a slip may be impossible before an exact division), else the next kind that does; a wrong final
    /// line always can. The result's final answer always differs from the gold answer.
    static func mistake(_ kind: SynthMistake, problem: SynthProblem, gold: SynthWork, rng: inout SplitMix64) -> (work: SynthWork, kind: SynthMistake) {
        let order = [kind] + SynthMistake.allCases.filter { $0 != kind }
        for k in order {
            for _ in 0..<6 {
                if let w = attempt(k, problem: problem, gold: gold, rng: &rng), w.final != problem.answer { return (w, k) }
            }
        }
        var w = gold
        w.final = problem.answer + 1
        return (w, .wrongFinalLine)
    }

    static func attempt(_ kind: SynthMistake, problem: SynthProblem, gold: SynthWork, rng: inout SplitMix64) -> SynthWork? {
        let n = problem.steps.count
        guard n > 0 else { return nil }
        let i = Int(rng.below(UInt64(n)))
        switch kind {
        case .arithmeticSlip:
            let size = rng.below(3) == 0 ? 10 : 1
            let delta = Int(rng.below(9) + 1) * size * (rng.below(2) == 0 ? 1 : -1)
            return SynthWork.derive(problem, slip: (i, delta))
        case .skippedStep:
            guard n >= 2 else { return nil }
            return SynthWork.derive(problem, skip: i)
        case .copiedWrongNumber:
            let b = problem.steps[i].operand
            var options: [Int] = []
            let swapped = Int(String(String(b).reversed())) ?? b
            if swapped != b, swapped > 0 { options.append(swapped) }
            let off = Int(rng.below(3) + 1)
            options.append(b + off)
            if b - off > 0 { options.append(b - off) }
            for other in [problem.start] + problem.steps.map(\.operand) where other != b { options.append(other) }
            guard let wrong = rng.pick(options) else { return nil }
            return SynthWork.derive(problem, replacing: (i, wrong))
        case .wrongFinalLine:
            var w = gold
            var options: [Int] = []
            if let before = problem.values.dropLast().last, before != problem.answer { options.append(before) }
            options.append(problem.answer + Int(rng.below(9) + 1))
            if problem.answer > 10 { options.append(problem.answer - Int(rng.below(9) + 1)) }
            options.append(problem.answer * 10)
            guard let f = rng.pick(options) else { return nil }
            w.final = f
            return w
        }
    }
}
