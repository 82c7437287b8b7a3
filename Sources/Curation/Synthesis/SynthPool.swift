/// Defects planted into the s1 pool, one per defective item, each the kind of damage s1's quality filter
/// exists for; `qualityReason` is the reason `select` reports when it drops the item.
public enum SynthDefect: String, Sendable, CaseIterable, Hashable {
    case emptyThinking = "empty-thinking"
    case apiError = "api-error"
    case truncatedThinking = "truncated-thinking"
    case imageReference = "image-reference"
    case garbageText = "garbage-text"

    public var qualityReason: String {
        switch self {
        case .emptyThinking: return "empty-reasoning"
        case .apiError: return "api-error"
        case .truncatedThinking: return "truncated-reasoning"
        case .imageReference: return "image-reference"
        case .garbageText: return "garbage-text"
        }
    }
}

/// Settings of the s1 pool fields.
public struct SynthPoolOptions: Sendable, Hashable {
    /// Share of pool items given a defect (labelled `synth.defect`).
    public var defectShare: Double
    /// The weak reference solver solves an item when its latent difficulty (plus a little noise) is
    /// below this: it fails on the hard items, as s1's reference models do.
    public var weakSolverThreshold: Double
    /// The words a trace's self-checks open with ("Wait, that is not right: ..."), one drawn uniformly per
    /// self-check. s1 found "Wait" the best string to force more thinking with; a lab comparing strings trains
    /// on traces that use each in equal shares, or "Wait does best" would hold by construction.
    public var selfCheckWords: [String]
    public static let defaultSelfCheckWords = ["Wait"]

    public init(defectShare: Double = 0.05, weakSolverThreshold: Double = 0.5, selfCheckWords: [String] = defaultSelfCheckWords) {
        self.defectShare = defectShare
        self.weakSolverThreshold = weakSolverThreshold
        self.selfCheckWords = selfCheckWords
    }

    public func validate() throws {
        guard defectShare.isFinite, (0...0.5).contains(defectShare) else {
            throw SynthError.outOfRange(.defectShare, "should be in [0, 0.5], got \(defectShare)")
        }
        guard weakSolverThreshold.isFinite, (0...1).contains(weakSolverThreshold) else {
            throw SynthError.outOfRange(.weakSolverThreshold, "should be in [0, 1], got \(weakSolverThreshold)")
        }
        guard (1...8).contains(selfCheckWords.count) else {
            throw SynthError.outOfRange(.selfCheckWords, "should list 1 to 8 words, got \(selfCheckWords.count)")
        }
        for w in selfCheckWords where w.isEmpty || w.utf8.count > 32 || w.contains(where: { $0.isNewline || $0 == "," }) {
            throw SynthError.outOfRange(.selfCheckWords, "each should be 1-32 bytes without commas or line breaks, got \"\(w.prefix(40))\"")
        }
    }
}

/// One s1 pool item's fields before they become a record.
public struct SynthPoolItem: Sendable, Hashable {
    public var question: String
    public var thinking: String
    public var attempt: String
    public var solvedByWeakSolver: Bool
    /// The weak solver's answer (the gold answer when it solved the item).
    public var weakAnswer: Int
    public var defect: SynthDefect?
    public var selfChecks: Int
}

/// The s1 pool view of a problem: a thinking trace whose length grows with difficulty (more self-checks
/// on harder problems, as long traces in s1K are on hard questions), the weak solver's verdict, and
/// sometimes a labelled defect.
public enum SynthPool {
    public static let weakSolverName = "synth-weak-solver"

    public static func item(_ problem: SynthProblem, wording: SynthWording, question: String, options: SynthPoolOptions, seed: UInt64) -> SynthPoolItem {
        var rng = SplitMix64(seed: seed ^ 0x504F_4F4C, stream: problem.canonicalHash)
        let solved = problem.latent + 0.2 * (rng.unitDouble() - 0.5) < options.weakSolverThreshold
        let weak = solved ? problem.answer : problem.answer + Int(rng.below(20) + 1)
        let defect: SynthDefect? = rng.unitDouble() < options.defectShare
            ? SynthDefect.allCases[Int(rng.below(UInt64(SynthDefect.allCases.count)))] : nil
        let (lines, checks) = thinkingLines(problem, wording: wording, words: options.selfCheckWords, seed: seed, rng: &rng)
        var thinking = lines.joined(separator: "\n")
        var q = question
        switch defect {
        case .emptyThinking?: thinking = ""
        case .apiError?: thinking = "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', 'type': 'requests'}}"
        case .truncatedThinking?:
            let kept = lines.prefix(max(1, lines.count / 2)).joined(separator: "\n")
            thinking = kept + "\nSo the running amount is now \(problem.values.first ?? 0) +"
        case .imageReference?: q += " Use the amounts shown in the figure below."
        case .garbageText?:
            let half = max(1, lines.count / 2)
            thinking = (lines.prefix(half) + ["\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"] + lines.dropFirst(half)).joined(separator: "\n")
        case nil: break
        }
        return SynthPoolItem(question: q, thinking: thinking, attempt: "The answer is \(problem.answer).\n#### \(problem.answer)",
                             solvedByWeakSolver: solved, weakAnswer: weak, defect: defect, selfChecks: checks)
    }

    /// The trace: a restatement, one line per step, self-checks that undo a step (more often on harder
    /// problems), sometimes a re-reading of the whole problem, and a conclusion. Every line ends with a
    /// full stop, so no clean trace looks cut off to the quality filter.
    static func thinkingLines(_ problem: SynthProblem, wording: SynthWording, words: [String] = SynthPoolOptions.defaultSelfCheckWords,
                              seed: UInt64 = 0, rng: inout SplitMix64) -> ([String], Int) {
        let u = problem.latent
        // The self-check word comes from its own stream, so the trace's other draws (and with the default
        // single word, its bytes) are those of a pool made without the setting.
        var wordRNG = SplitMix64(seed: seed ^ 0x574F_5244, stream: problem.canonicalHash)
        func word() -> String { words.count > 1 ? words[Int(wordRNG.below(UInt64(words.count)))] : words.first ?? "Wait" }
        var lines = ["Let me work through this carefully. I start with \(problem.start) \(wording.item)."]
        var checks = 0
        for (i, s) in problem.steps.enumerated() {
            let a = problem.values[i], r = problem.values[i + 1]
            // On harder problems the trace sometimes slips and catches itself, as long s1 traces do ("Wait").
            if rng.unitDouble() < 0.3 * u, s.op != .div {
                let wrong = r + Int(rng.below(9) + 1)
                checks += 1
                lines.append("Step \(i + 1): \(a) \(s.op.symbol) \(s.operand) = \(wrong).")
                lines.append("\(word()), that is not right: \(a) \(s.op.symbol) \(s.operand) is \(r), not \(wrong), so I have \(r) \(wording.item).")
                continue
            }
            lines.append("Step \(i + 1): \(a) \(s.op.symbol) \(s.operand) = \(r), so I have \(r) \(wording.item).")
            if rng.unitDouble() < 0.25 + 0.6 * u {
                checks += 1
                switch s.op {
                case .add: lines.append("Let me check that: \(r) - \(s.operand) = \(a), which matches.")
                case .sub: lines.append("Let me check that: \(r) + \(s.operand) = \(a), which matches.")
                case .mul: lines.append("Let me check that: \(r) / \(s.operand) = \(a), which matches.")
                case .div: lines.append("Let me check that: \(r) * \(s.operand) = \(a), which matches.")
                }
            }
        }
        if rng.unitDouble() < 0.15 + 0.5 * u {
            checks += 1
            lines.append("\(word()), let me re-read the problem to make sure I used every number.")
            let used = ([problem.start] + problem.steps.map(\.operand)).map(String.init).joined(separator: ", ")
            lines.append("The numbers in the problem are \(used), and each step used one of them in order.")
        }
        lines.append("So the final amount is \(problem.answer).")
        return (lines, checks)
    }
}
