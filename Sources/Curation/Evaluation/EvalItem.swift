/// The tasks `eval` scores, each with its verifier.
public enum EvalTask: String, Sendable, CaseIterable, Codable {
    /// Final number after `####` (GSM8K), graded by answer equivalence.
    case gsm8k
    /// Final answer in `\boxed{}`, graded by answer equivalence (math-verify style).
    case math
    /// IFEval/IFBench constraints; an item is correct when every constraint is satisfied.
    case ifeval

    public var answerDataset: AnswerDataset { self == .gsm8k ? .gsm8k : .math }
}

/// One evaluation item: the user prompt, and the gold answer or the constraints.
public struct EvalItem: Sendable, Hashable {
    public var id: String
    public var task: EvalTask
    /// The conversation to answer (the last turn is the user's question, instruction not yet added).
    public var messages: [Message]
    /// Gold answer (gsm8k/math): a bare answer or a full solution whose marked answer is used.
    public var gold: String?
    /// Constraint set (ifeval).
    public var constraints: ConstraintSet?

    public init(id: String, task: EvalTask, messages: [Message], gold: String? = nil, constraints: ConstraintSet? = nil) {
        self.id = id; self.task = task; self.messages = messages; self.gold = gold; self.constraints = constraints
    }

    /// Reads an item from an eval record: GSM8K/MATH (`question`/`problem`/`prompt` + `answer`/`solution`/
    /// `ground_truth`), IFEval (`prompt` + `instruction_id_list` + `kwargs`), or the verifiable layout
    /// (`messages`/`prompt` + `ground_truth` + `dataset`). `task` nil means auto: the record's `dataset`,
    /// else constraints mean ifeval, a `####` in the answer gsm8k, otherwise math.
    public static func from(_ r: RawRecord, id: String, task: EvalTask?) throws -> EvalItem {
        let obj = try r.object()
        var messages: [Message]
        if let m = obj["messages"] {
            messages = try Message.decodeList(m, field: "messages", at: r.location)
            if messages.last?.role == "assistant" { messages.removeLast() }
            guard !messages.isEmpty else { throw r.typeError("messages", expected: "at least one non-assistant turn") }
        } else if let q = ["prompt", "question", "problem", "instruction"].lazy.compactMap({ obj[$0]?.stringValue }).first {
            messages = [Message(role: "user", content: q)]
        } else {
            throw r.missing("prompt")
        }
        let gold = ["ground_truth", "answer", "solution", "final_answer"].lazy.compactMap { k -> String? in
            guard let v = obj[k] else { return nil }
            if let s = v.stringValue { return s }
            if let n = v.intValue { return String(n) }
            if case .number(let raw) = v { return raw }
            return nil
        }.first
        var constraints: ConstraintSet?
        if obj["instruction_id_list"] != nil {
            do { constraints = try ConstraintSet(json: .object(obj)) } catch {
                throw CurationError.badRecord(r.location, reason: "constraints: \(error)")
            }
        } else if let gt = obj["ground_truth"], gt.objectValue?["instruction_id_list"] != nil
                    || (gt.stringValue?.contains("instruction_id_list") ?? false) {
            constraints = try? ConstraintSet(json: gt)
        }
        var resolved = task
        if resolved == nil, let d = obj["dataset"]?.stringValue?.lowercased() {
            if d.contains("ifeval") || d.contains("ifbench") { resolved = .ifeval }
            else if let a = AnswerDataset(name: d) { resolved = a == .gsm8k ? .gsm8k : .math }
        }
        if resolved == nil {
            if constraints != nil { resolved = .ifeval } else if gold?.contains("####") == true { resolved = .gsm8k } else { resolved = .math }
        }
        let t = resolved ?? .math
        if t == .ifeval && constraints == nil { throw CurationError.badRecord(r.location, reason: "ifeval item without instruction_id_list") }
        if t != .ifeval && gold == nil { throw r.missing("answer") }
        return EvalItem(id: id, task: t, messages: messages, gold: t == .ifeval ? nil : gold, constraints: constraints)
    }
}

/// How an item becomes a prompt (DESIGN.md / issue: zero-shot, the model's chat template, an answer
/// instruction per task). Every part is overridable from the command line.
public struct EvalPromptProtocol: Sendable, Hashable {
    /// Appended (after a blank line) to the last user turn.
    public var instructions: [EvalTask: String]

    public init(instructions: [EvalTask: String] = EvalPromptProtocol.defaultInstructions) { self.instructions = instructions }

    public static let defaultInstructions: [EvalTask: String] = [
        .gsm8k: "Solve the problem step by step. End your response with a line of the form \"#### N\", where N is the final numerical answer.",
        .math: "Solve the problem step by step. Put your final answer within \\boxed{}.",
        .ifeval: "",
    ]

    /// The conversation sent to the model for `item`.
    public func messages(for item: EvalItem) -> [Message] {
        var m = item.messages
        let ins = instructions[item.task] ?? ""
        if !ins.isEmpty, let last = m.indices.last {
            m[last].content += "\n\n" + ins
        }
        return m
    }
}
