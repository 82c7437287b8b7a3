/// Which extraction rule found an answer. The raw values are stable names written into records
/// (`rule`) and reports; do not rename them.
public enum AnswerRule: String, Sendable, CaseIterable, Codable {
    /// `\boxed{...}` or `\fbox{...}` (MATH), nested braces matched; the last one.
    case boxed
    /// `#### N` (GSM8K).
    case gsm8k
    /// `Final Answer: The final answer is $...$` (Tulu 3 persona math), or a bare `Final Answer: ...`.
    case finalAnswer = "final_answer"
    /// `The answer is ...` / `The final answer is ...`.
    case theAnswerIs = "the_answer_is"
    /// `Answer: ...`.
    case answerColon = "answer_colon"
    /// A multiple-choice letter standing alone on the last line (`B`, `(B)`, `**B**`).
    case choice
    /// The last number in the text: the fallback, used only when no marker appears.
    case lastNumber = "last_number"
    /// Several `\boxed{...}` (all of them, as a set; see `MultipleBoxed.swift`).
    case boxedAll = "boxed_all"
    /// No marker: the last complete math span (`$...$`, `$$...$$`, `\(...\)`, `\[...\]`).
    case lastMath = "last_math"
    /// A sentence after a marker (`Final Answer: The largest $n$ is 34.`): the value it ends with.
    case sentence
}

/// Which verifier family an answer belongs to; picks extraction post-processing and the gold parse.
public enum AnswerDataset: String, Sendable, CaseIterable, Codable {
    /// Grade-school math: answers are numbers (`#### 18`).
    case gsm8k
    /// Competition math: LaTeX answers (`\boxed{\frac{1}{2}}`).
    case math
    /// A letter A-J.
    case multipleChoice = "multiple_choice"

    /// Accepts the names records use (`gsm8k`, `math`, `MATH500`, `multiple_choice`, `mc`, ...).
    /// Names of other verifiers (`ifeval`) give nil.
    public init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if n.hasPrefix("gsm") { self = .gsm8k; return }
        switch n {
        case "math", "math500", "math_500", "aime", "amc", "competition_math", "minerva_math", "mmath", "olympiad":
            self = .math
        case "multiple_choice", "mc", "mcq", "choice", "gpqa", "mmlu":
            self = .multipleChoice
        default:
            if n.hasPrefix("math") || n.hasPrefix("aime") { self = .math; return }
            return nil
        }
    }
}

/// An answer found in a completion, and the rule that found it.
public struct ExtractedAnswer: Sendable, Hashable {
    /// The answer text as written (for math, the LaTeX inside the marker; for gsm8k, a number; for
    /// multiple choice, the letter). Several boxes: their contents joined by `, `.
    public var text: String
    public var rule: AnswerRule
    /// Each part when the answer came in several boxes (`boxed_all`); else `[text]`.
    public var parts: [String]
    public init(text: String, rule: AnswerRule, parts: [String]? = nil) {
        self.text = text
        self.rule = rule
        self.parts = parts ?? [text]
    }

    /// The answer parsed for comparison (several parts: a set of each parsed on its own).
    public var parsed: ParsedAnswer { parts.count > 1 ? ParsedAnswer(parts: parts) : ParsedAnswer(text) }
}
