/// The records the task family writes, in the ecosystem's schemas (DESIGN.md section 4). Every record
/// carries a `synth` object of labels (split, difficulty, canonical parameters, and per output the
/// teacher's, planting's or pool's labels) that downstream stages pass through untouched.
public enum SynthRecords {
    public static let dataset = "gsm8k"

    static func user(_ text: String) -> JSONValue {
        .object(JSONObject([.init(key: "role", value: .string("user")), .init(key: "content", value: .string(text))]))
    }
    static func assistant(_ text: String) -> JSONValue {
        .object(JSONObject([.init(key: "role", value: .string("assistant")), .init(key: "content", value: .string(text))]))
    }

    /// The labels every record of a problem has.
    public static func labels(_ p: SynthProblem, split: SynthSplit, wording: SynthWording) -> JSONObject {
        var o = JSONObject()
        o["split"] = .string(split.rawValue)
        o["canonical"] = .string(p.canonicalKey)
        o["difficulty"] = .double((p.latent * 1000).rounded() / 1000)
        o["steps"] = .int(p.steps.count)
        o["max_operand"] = .int(p.maxOperand)
        o["operations"] = .string(p.domain)
        o["item"] = .string(wording.item)
        o["persona_id"] = wording.persona.map { .string($0.id) } ?? .null
        return o
    }

    /// Eval split: a verifiable record `{"id", "messages": [user], "ground_truth", "dataset": "gsm8k", "source"}`,
    /// graded by `verify` and decontaminated against as an eval set. `plantedKind`: the kind the same settings
    /// plant this item into train with (`synth.planted_kind`); nil for an unplanted (clean) item.
    public static func eval(_ p: SynthProblem, question: String, wording: SynthWording, plantedKind: SynthPlantKind? = nil) -> JSONValue {
        var l = labels(p, split: .eval, wording: wording)
        if let k = plantedKind { l["planted_kind"] = .string(k.rawValue) }
        return .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "messages", value: .array([user(question)])),
            .init(key: "ground_truth", value: .string(String(p.answer))),
            .init(key: "dataset", value: .string(dataset)),
            .init(key: "source", value: .string("synth-eval")),
            .init(key: "synth", value: .object(l)),
        ]))
    }

    /// RL prompts: the training pool's problems as verifiable records (the eval layout, without the worked
    /// answer), what `rlvr` samples from. Drawn from the train split, so never an eval item.
    public static func prompt(_ p: SynthProblem, question: String, wording: SynthWording) -> JSONValue {
        .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "messages", value: .array([user(question)])),
            .init(key: "ground_truth", value: .string(String(p.answer))),
            .init(key: "dataset", value: .string(dataset)),
            .init(key: "source", value: .string("synth-prompts")),
            .init(key: "synth", value: .object(labels(p, split: .train, wording: wording))),
        ]))
    }

    /// Training pool: a chat record (Tulu 3 SFT layout) with the gold worked answer. The answer is a label
    /// (`synth.answer`), not `ground_truth`: with it the record would be detected as verifiable, not chat.
    public static func train(_ p: SynthProblem, question: String, answer: String, wording: SynthWording) -> JSONValue {
        var l = labels(p, split: .train, wording: wording)
        l["answer"] = .string(String(p.answer))
        return .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "messages", value: .array([user(question), assistant(answer)])),
            .init(key: "source", value: .string("synth-train")),
            .init(key: "synth", value: .object(l)),
        ]))
    }

    /// A planted copy: a chat record labelled `synth.planted: {kind, eval_id, copy, contamination}`.
    public static func planted(_ plant: SynthPlant) -> JSONValue {
        var planted = JSONObject()
        planted["kind"] = .string(plant.kind.rawValue)
        planted["eval_id"] = .string(plant.evalID)
        planted["copy"] = .int(plant.copy)
        planted["contamination"] = .bool(plant.kind.isContamination)
        if let k = plant.nearMissKey { planted["canonical"] = .string(k) }
        if let a = plant.nearMissAnswer { planted["answer"] = .string(String(a)) }
        var labels = JSONObject()
        labels["split"] = .string("train")
        labels["planted"] = .object(planted)
        var o = JSONObject()
        o["id"] = .string(plant.id)
        o["messages"] = .array([user(plant.user), assistant(plant.assistant)])
        o["source"] = .string("synth-train")
        o["synth"] = .object(labels)
        return .object(o)
    }

    /// Pretraining split: a document `{"id", "text", "source"}` holding the problem and its worked answer.
    public static func pretrain(_ p: SynthProblem, question: String, answer: String, wording: SynthWording) -> JSONValue {
        .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "text", value: .string("Question: " + question + "\nAnswer: " + answer)),
            .init(key: "source", value: .string("synth-pretrain")),
            .init(key: "synth", value: .object(labels(p, split: .pretrain, wording: wording))),
        ]))
    }

    /// Teacher samples: the samples layout `vote` reads, with the teacher's labels under `synth.teacher`.
    public static func samples(_ p: SynthProblem, question: String, teaching t: SynthTeaching, wording: SynthWording) -> JSONValue {
        var teacher = JSONObject()
        teacher["propensity"] = .double((t.propensity * 10000).rounded() / 10000)
        teacher["systematic"] = .bool(t.systematic)
        teacher["systematic_answer"] = t.systematicAnswer.map { .string(String($0)) } ?? .null
        teacher["systematic_mistake"] = t.systematicMistake.map { .string($0.rawValue) } ?? .null
        teacher["sample_mistakes"] = .array(t.samples.map { s in
            s.systematic ? .string("systematic") : s.mistake.map { .string($0.rawValue) } ?? .null
        })
        teacher["sample_answers"] = .array(t.samples.map { .string(String($0.answer)) })
        var labels = labels(p, split: .train, wording: wording)
        labels["teacher"] = .object(teacher)
        return .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "messages", value: .array([user(question)])),
            .init(key: "ground_truth", value: .string(String(p.answer))),
            .init(key: "dataset", value: .string(dataset)),
            .init(key: "source", value: .string("synth-teacher")),
            .init(key: "completions", value: .array(t.samples.map { .string($0.text) })),
            .init(key: "synth", value: .object(labels)),
        ]))
    }

    /// s1 pool item: the fields `select` reads, `solved_by` and `reference_answers` from the weak solver,
    /// `domain` the operation mix, and the defect label under `synth.defect`.
    public static func pool(_ p: SynthProblem, item: SynthPoolItem, wording: SynthWording) -> JSONValue {
        var labels = labels(p, split: .train, wording: wording)
        labels["defect"] = item.defect.map { .string($0.rawValue) } ?? .null
        labels["self_checks"] = .int(item.selfChecks)
        return .object(JSONObject([
            .init(key: "id", value: .string(p.id)),
            .init(key: "question", value: .string(item.question)),
            .init(key: "thinking", value: .string(item.thinking)),
            .init(key: "attempt", value: .string(item.attempt)),
            .init(key: "ground_truth", value: .string(String(p.answer))),
            .init(key: "domain", value: .string(p.domain)),
            .init(key: "source", value: .string("synth")),
            .init(key: "solved_by", value: .array(item.solvedByWeakSolver ? [.string(SynthPool.weakSolverName)] : [])),
            .init(key: "reference_answers", value: .object(JSONObject([.init(key: SynthPool.weakSolverName, value: .string(String(item.weakAnswer)))]))),
            .init(key: "synth", value: .object(labels)),
        ]))
    }
}
