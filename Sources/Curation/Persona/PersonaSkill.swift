/// The skills persona synthesis writes data for (Tulu 3's persona sets).
public enum PersonaSkill: String, Sendable, CaseIterable, Codable {
    /// Competition-style math, at most two sub-problems; filtered by self-consistency.
    case math
    /// Grade-school word problems whose solutions end with `#### N`; filtered by self-consistency.
    case gradeMath = "grade-math"
    /// A StackOverflow-style question answered with a Python function.
    case code
    /// Precise instruction following: a task with 1-3 verifiable constraints.
    case instructionFollowing = "if"

    /// The template that turns a persona into a task request.
    public var taskTemplate: TemplateName {
        switch self {
        case .math: return .math
        case .gradeMath: return .gradeMath
        case .code: return .code
        case .instructionFollowing: return .instructionFollowing
        }
    }

    /// The template that turns a task into the prompt the solutions are generated for.
    public var solutionTemplate: TemplateName {
        switch self {
        case .math: return .mathSolution
        case .gradeMath: return .gradeMathSolution
        case .code: return .codeSolution
        case .instructionFollowing: return .instructionPrompt
        }
    }

    /// Solutions per task when `--samples` is not given: an odd count for the math votes (no ties among
    /// two answers), one for code, two tries at meeting the constraints for instruction following.
    public var defaultSamples: Int {
        switch self {
        case .math, .gradeMath: return 5
        case .code: return 1
        case .instructionFollowing: return 2
        }
    }

    /// The answer extractor of the self-consistency vote (nil: this skill is not voted on).
    public var answerDataset: AnswerDataset? {
        switch self {
        case .math: return .math
        case .gradeMath: return .gsm8k
        case .code, .instructionFollowing: return nil
        }
    }

    /// The `source` written into records.
    public var source: String { "persona-\(rawValue)" }
}
