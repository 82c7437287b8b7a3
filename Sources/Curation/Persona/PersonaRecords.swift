/// The records persona synthesis writes (DESIGN.md section 4).
public enum PersonaRecords {
    /// A synthesis prompt: `{"id", "prompt", "input_persona", "skill", "constraints"?}`.
    public static func synthesisPrompt(id: String, skill: PersonaSkill, persona: Persona, prompt: String,
                                       constraints: ConstraintSampler.Sample?) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["prompt"] = .string(prompt)
        o["input_persona"] = .string(persona.text)
        o["persona_id"] = .string(persona.id)
        o["skill"] = .string(skill.rawValue)
        if let c = constraints { o["constraints"] = c.set.json }
        return .object(o)
    }

    /// A kept instance in the persona prompt schema, ready for SFT (`messages`) and for mix:
    /// `{"id", "prompt", "input_persona", "constraints"?, "messages", "ground_truth"?, "dataset"?, "source"}`.
    /// Math records carry the majority answer as `ground_truth`; instruction-following records their
    /// constraint set (with `dataset: "ifeval"`), so they can be verified again or used for RLVR.
    public static func record(id: String, skill: PersonaSkill, persona: Persona, prompt: String, response: String,
                              constraints: ConstraintSet?, groundTruth: JSONValue?, vote: (votes: Int, total: Int)?) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["prompt"] = .string(prompt)
        o["input_persona"] = .string(persona.text)
        if let c = constraints { o["constraints"] = c.json }
        o["messages"] = Message.encodeList([Message(role: "user", content: prompt), Message(role: "assistant", content: response)])
        if let g = groundTruth {
            o["ground_truth"] = g
            o["dataset"] = .string(skill == .instructionFollowing ? "ifeval" : (skill.answerDataset?.rawValue ?? skill.rawValue))
        }
        if let v = vote {
            var vo = JSONObject()
            vo["votes"] = .int(v.votes)
            vo["samples"] = .int(v.total)
            o["vote"] = .object(vo)
        }
        o["source"] = .string(skill.source)
        return .object(o)
    }

    /// A DPO pair in the Tulu 3 layout: both sides are whole conversations under the original prompt.
    public static func preference(id: String, skill: PersonaSkill, persona: Persona, prompt: String, chosen: String, rejected: String,
                                  constraints: ConstraintSet, rewrittenPrompt: String, removed: String) -> JSONValue {
        let user = Message(role: "user", content: prompt)
        var o = JSONObject()
        o["id"] = .string(id)
        o["prompt"] = .string(prompt)
        o["chosen"] = Message.encodeList([user, Message(role: "assistant", content: chosen)])
        o["rejected"] = Message.encodeList([user, Message(role: "assistant", content: rejected)])
        o["input_persona"] = .string(persona.text)
        o["constraints"] = constraints.json
        o["rewritten_prompt"] = .string(rewrittenPrompt)
        o["removed_constraint"] = .string(removed)
        o["source"] = .string(skill.source + "-preferences")
        return .object(o)
    }
}
