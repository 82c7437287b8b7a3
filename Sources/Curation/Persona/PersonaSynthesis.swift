/// Drop reasons of persona synthesis (the report's names).
public enum PersonaDropReason: String, Sendable, CaseIterable {
    /// The task completion was empty after cleaning.
    case emptyTask = "empty-task"
    /// Math: no solution had an extractable final answer.
    case noAnswer = "no-answer"
    /// Math: the solutions' answers have no strict majority (the Tulu 3 persona-math filter).
    case noMajority = "no-majority"
    /// Code: no solution defines a Python function with a body.
    case noPythonFunction = "no-python-function"
    /// Instruction following: no response satisfies every constraint.
    case constraintsNotMet = "constraints-not-met"
}

/// Drop reasons of the preference pairs.
public enum PreferenceDropReason: String, Sendable, CaseIterable {
    /// A task with one constraint has nothing to remove.
    case fewerThanTwoConstraints = "fewer-than-2-constraints"
    /// The response to the rewritten prompt still meets every original constraint, so it is no worse.
    case rejectedMeetsAllConstraints = "rejected-meets-all-constraints"
}

/// What a run produced besides its records.
public struct PersonaSynthesisResult: Sendable {
    /// Instances: in = synthesis prompts written, out = records kept, dropped by reason.
    public var report: StageReport
    /// Instruction following with preferences: in = instances kept, out = pairs, dropped by reason.
    public var preferenceReport: StageReport?
    public var promptsWritten = 0
    public var tasksGenerated = 0
    public var solutionsGenerated = 0
    /// Instruction following: responses checked and those meeting every constraint.
    public var responsesChecked = 0
    public var responsesPassing = 0
    /// Math: instances voted on and those the vote removed.
    public var voted = 0
    public var voteRemoved = 0
    /// Generator requests made (each asks for one completion).
    public var requests = 0
}

/// Tulu 3's persona pipelines (DESIGN.md section 5), written against `Generator` only:
/// persona -> synthesis prompt -> task -> K solutions -> filter -> records in the persona prompt schema.
///
/// - math, grade-math: self-consistency over the K solutions (`SelfConsistency.vote`, the logic of
///   `curate-tool vote`); only majority-consistent instances are kept, with one majority solution.
///   Grade-math solutions count only when they end with a `#### N` line.
/// - code: kept when a solution defines a Python function with a real body.
/// - if: 1-3 sampled verifiable constraints are written into the prompt; kept with the first response
///   that satisfies all of them. With `preferences`, a prompt with one constraint removed is answered
///   too, and when that answer misses a constraint of the original, a DPO pair is written with both
///   sides under the original prompt.
///
/// Every request carries a seed derived from (seed, instance id, stage, sample index), so the output is
/// a function of the seed and the personas, and a re-run after a kill is answered from the generator's
/// cache (`HTTPGenerator` + `RequestCache`) without new backend calls.
public struct PersonaSynthesis {
    public let options: PersonaSynthesisOptions

    public init(options: PersonaSynthesisOptions) throws {
        try options.validate()
        self.options = options
    }

    /// The seed of one request, in 31 bits (some servers take only 32-bit seeds).
    public static func requestSeed(seed: UInt64, id: String, stage: String, index: Int) -> UInt64 {
        var g = SplitMix64(seed: seed, stream: XXH3.hash64("\(id)\u{1F}\(stage)\u{1F}\(index)"))
        return g.next() & 0x7FFF_FFFF
    }

    /// The instance id of a slot: skill, persona id, and the round when a persona is used again.
    public static func instanceID(skill: PersonaSkill, slot: PersonaSelection.Slot) -> String {
        "\(skill.rawValue)-\(slot.persona.id)" + (slot.round > 0 ? "-r\(slot.round)" : "")
    }

    /// One instance on its way through the stages.
    struct Instance {
        var id: String
        var persona: Persona
        var synthesisPrompt: String
        var constraints: ConstraintSampler.Sample?
        var task = ""
        /// The user turn of the record (the task, or for if the task with its constraints).
        var prompt = ""
        /// The prompt the solutions are generated for.
        var solutionPrompt = ""
    }

    /// The constraints of an instruction-following instance: a count drawn from `constraintCount`,
    /// then the set, from a stream of (seed, instance id).
    public func constraints(for id: String) -> ConstraintSampler.Sample {
        var rng = SplitMix64(seed: options.seed, stream: XXH3.hash64("\(id)\u{1F}constraints"))
        let r = options.constraintCount
        let n = r.lowerBound + Int(rng.below(UInt64(r.upperBound - r.lowerBound + 1)))
        return options.sampler.sample(count: n, rng: &rng)
    }

    /// The synthesis prompt of a slot (and its constraints for if).
    public func synthesisPrompt(for slot: PersonaSelection.Slot) throws -> (id: String, prompt: String, constraints: ConstraintSampler.Sample?) {
        let id = Self.instanceID(skill: options.skill, slot: slot)
        var values = ["persona": slot.persona.text]
        var sample: ConstraintSampler.Sample? = nil
        if options.skill == .instructionFollowing {
            let s = constraints(for: id)
            values["constraints"] = s.descriptions.map { "- " + $0 }.joined(separator: "\n")
            sample = s
        }
        return (id, try options.templates[options.skill.taskTemplate].render(values), sample)
    }

    /// The instruction-following prompt: the task with the constraint sentences.
    public func instructionPrompt(task: String, descriptions: [String], template: TemplateName = .instructionPrompt, persona: String) throws -> String {
        try options.templates[template].render(["task": task, "constraints": descriptions.joined(separator: " "), "persona": persona])
    }

    /// The rewrite for the "rejected" side: which constraint is removed (seeded by the instance id), the
    /// remaining set, and the rewritten prompt. Nil when the set has fewer than 2 constraints.
    public func rewrite(id: String, task: String, sample: ConstraintSampler.Sample, persona: String)
        throws -> (removed: Int, remaining: ConstraintSet, prompt: String)? {
        let n = sample.set.constraints.count
        guard n >= 2 else { return nil }
        var rng = SplitMix64(seed: options.seed, stream: XXH3.hash64("\(id)\u{1F}rewrite"))
        let index = Int(rng.below(UInt64(n)))
        guard let remaining = ConstraintSampler.dropping(index, from: sample.set) else { return nil }
        var descriptions = sample.descriptions
        descriptions.remove(at: index)
        let prompt = try instructionPrompt(task: task, descriptions: descriptions, template: .instructionRewrite, persona: persona)
        return (index, remaining, prompt)
    }

    /// Runs the pipeline over `slots` (from `PersonaSelection.sample`). Synthesis prompts, kept records
    /// and preference pairs are handed to the callbacks in slot order.
    public func run(slots: [PersonaSelection.Slot], generator: Generator,
                    prompt emitPrompt: (JSONValue) throws -> Void,
                    record emitRecord: (JSONValue) throws -> Void,
                    preference emitPreference: (JSONValue) throws -> Void = { _ in }) throws -> PersonaSynthesisResult {
        var result = PersonaSynthesisResult(report: StageReport(stage: "persona-\(options.skill.rawValue)"))
        result.report.settings = options.json
        result.report.settings["backend"] = .string(generator.name)
        if options.preferences { result.preferenceReport = StageReport(stage: "persona-\(options.skill.rawValue)-preferences") }
        var start = 0
        while start < slots.count {
            let end = min(slots.count, start + options.batchSize)
            try runBatch(Array(slots[start..<end]), generator: generator, result: &result,
                         emitPrompt: emitPrompt, emitRecord: emitRecord, emitPreference: emitPreference)
            start = end
        }
        result.report.extra["persona"] = summary(result)
        try result.report.check()
        try result.preferenceReport?.check()
        return result
    }

    func summary(_ r: PersonaSynthesisResult) -> JSONValue {
        var o = JSONObject()
        o["prompts_written"] = .int(r.promptsWritten)
        o["tasks_generated"] = .int(r.tasksGenerated)
        o["solutions_generated"] = .int(r.solutionsGenerated)
        o["kept"] = .int(r.report.recordsOut)
        o["requests"] = .int(r.requests)
        if options.skill.answerDataset != nil {
            o["voted"] = .int(r.voted)
            o["vote_removed"] = .int(r.voteRemoved)
            o["vote_removed_share"] = .double(r.voted == 0 ? 0 : (Double(r.voteRemoved) / Double(r.voted) * 10000).rounded() / 10000)
        }
        if options.skill == .instructionFollowing {
            o["responses_checked"] = .int(r.responsesChecked)
            o["responses_passing"] = .int(r.responsesPassing)
        }
        if let p = r.preferenceReport { o["preference_pairs"] = .int(p.recordsOut) }
        return .object(o)
    }

    /// One generator call; checks the shape of the answer.
    func generate(_ requests: [GenerationRequest], with generator: Generator, result: inout PersonaSynthesisResult) throws -> [String] {
        guard !requests.isEmpty else { return [] }
        let out = try generator.generate(requests)
        guard out.count == requests.count else {
            throw PersonaError.generatorMismatch(expected: requests.count, got: out.count, generator: generator.name)
        }
        result.requests += requests.count
        return out.map { $0.first?.text ?? "" }
    }

    func request(id: String, stage: String, index: Int, prompt: String, maxTokens: Int, temperature: Double) -> GenerationRequest {
        GenerationRequest(id: "\(id)/\(stage)/\(index)", messages: [Message(role: "user", content: prompt)], samples: 1,
                          maxTokens: maxTokens, temperature: temperature,
                          seed: Self.requestSeed(seed: options.seed, id: id, stage: stage, index: index))
    }

    func runBatch(_ slots: [PersonaSelection.Slot], generator: Generator, result: inout PersonaSynthesisResult,
                  emitPrompt: (JSONValue) throws -> Void, emitRecord: (JSONValue) throws -> Void,
                  emitPreference: (JSONValue) throws -> Void) throws {
        let skill = options.skill
        // 1. Synthesis prompts.
        var instances: [Instance] = []
        for slot in slots {
            let s = try synthesisPrompt(for: slot)
            instances.append(Instance(id: s.id, persona: slot.persona, synthesisPrompt: s.prompt, constraints: s.constraints))
            try emitPrompt(PersonaRecords.synthesisPrompt(id: s.id, skill: skill, persona: slot.persona, prompt: s.prompt, constraints: s.constraints))
        }
        result.promptsWritten += instances.count
        result.report.recordsIn += instances.count

        // 2. Tasks.
        let taskTexts = try generate(instances.map {
            request(id: $0.id, stage: "task", index: 0, prompt: $0.synthesisPrompt, maxTokens: options.taskMaxTokens, temperature: options.taskTemperature)
        }, with: generator, result: &result)
        var live: [Instance] = []
        for (var inst, text) in zip(instances, taskTexts) {
            inst.task = TaskText.clean(text)
            if inst.task.isEmpty { result.report.drop(PersonaDropReason.emptyTask.rawValue); continue }
            if let c = inst.constraints {
                inst.prompt = try instructionPrompt(task: inst.task, descriptions: c.descriptions, persona: inst.persona.text)
                inst.solutionPrompt = inst.prompt
            } else {
                inst.prompt = inst.task
                inst.solutionPrompt = try options.templates[skill.solutionTemplate].render(["task": inst.task, "persona": inst.persona.text])
            }
            live.append(inst)
        }
        result.tasksGenerated += live.count

        // 3. K solutions per task.
        let k = options.samples
        var solutionRequests: [GenerationRequest] = []
        solutionRequests.reserveCapacity(live.count * k)
        for inst in live {
            for j in 0..<k {
                solutionRequests.append(request(id: inst.id, stage: "solution", index: j, prompt: inst.solutionPrompt,
                                                maxTokens: options.solutionMaxTokens, temperature: options.solutionTemperature))
            }
        }
        let solutions = try generate(solutionRequests, with: generator, result: &result)
        result.solutionsGenerated += solutions.count

        // 4. Filter.
        var chosen: [(Instance, String)] = []
        for (n, inst) in live.enumerated() {
            let mine = Array(solutions[(n * k)..<((n + 1) * k)])
            switch skill {
            case .math, .gradeMath:
                let dataset = skill.answerDataset ?? .math
                // Grade-school solutions must end with `#### N` to count (the GSM8K format the data is for).
                let voting = skill == .gradeMath ? mine.map { GradeMath.endsWithAnswerLine($0) ? $0 : "" } : mine
                let tally = SelfConsistency.vote(completions: voting, groundTruth: nil, dataset: dataset, options: options.vote)
                result.voted += 1
                if let reason = tally.dropReason {
                    result.voteRemoved += 1
                    result.report.drop(reason == .noAnswer ? PersonaDropReason.noAnswer.rawValue : PersonaDropReason.noMajority.rawValue)
                    continue
                }
                guard let pick = tally.selected.first else {
                    result.voteRemoved += 1
                    result.report.drop(PersonaDropReason.noMajority.rawValue); continue
                }
                try emitRecord(PersonaRecords.record(id: inst.id, skill: skill, persona: inst.persona, prompt: inst.prompt, response: mine[pick],
                                                     constraints: nil, groundTruth: tally.majorityAnswer.map { .string($0.text) },
                                                     vote: (tally.votes, tally.total)))
                result.report.recordsOut += 1
            case .code:
                guard let pick = mine.firstIndex(where: { PythonFunction.first(in: $0) != nil }) else {
                    result.report.drop(PersonaDropReason.noPythonFunction.rawValue); continue
                }
                try emitRecord(PersonaRecords.record(id: inst.id, skill: skill, persona: inst.persona, prompt: inst.prompt, response: mine[pick],
                                                     constraints: nil, groundTruth: nil, vote: nil))
                result.report.recordsOut += 1
            case .instructionFollowing:
                guard let c = inst.constraints else { result.report.drop(PersonaDropReason.constraintsNotMet.rawValue); continue }
                var pick: Int? = nil
                for (j, response) in mine.enumerated() {
                    result.responsesChecked += 1
                    if try options.registry.evaluate(c.set, response: response).allPassed {
                        result.responsesPassing += 1
                        if pick == nil { pick = j }
                    }
                }
                guard let p = pick else { result.report.drop(PersonaDropReason.constraintsNotMet.rawValue); continue }
                try emitRecord(PersonaRecords.record(id: inst.id, skill: skill, persona: inst.persona, prompt: inst.prompt, response: mine[p],
                                                     constraints: c.set, groundTruth: c.set.json, vote: nil))
                result.report.recordsOut += 1
                chosen.append((inst, mine[p]))
            }
        }

        // 5. Preference pairs (instruction following).
        guard options.preferences, skill == .instructionFollowing, !chosen.isEmpty else { return }
        var pending: [(inst: Instance, chosen: String, rewrite: (removed: Int, remaining: ConstraintSet, prompt: String))] = []
        for (inst, response) in chosen {
            result.preferenceReport?.recordsIn += 1
            guard let c = inst.constraints, let rw = try rewrite(id: inst.id, task: inst.task, sample: c, persona: inst.persona.text) else {
                result.preferenceReport?.drop(PreferenceDropReason.fewerThanTwoConstraints.rawValue); continue
            }
            pending.append((inst, response, rw))
        }
        let rejected = try generate(pending.map {
            request(id: $0.inst.id, stage: "rejected", index: 0, prompt: $0.rewrite.prompt,
                    maxTokens: options.solutionMaxTokens, temperature: options.solutionTemperature)
        }, with: generator, result: &result)
        for (p, response) in zip(pending, rejected) {
            guard let c = p.inst.constraints else { continue }
            if try options.registry.evaluate(c.set, response: response).allPassed {
                result.preferenceReport?.drop(PreferenceDropReason.rejectedMeetsAllConstraints.rawValue); continue
            }
            try emitPreference(PersonaRecords.preference(id: p.inst.id, skill: skill, persona: p.inst.persona, prompt: p.inst.prompt,
                                                         chosen: p.chosen, rejected: response, constraints: c.set,
                                                         rewrittenPrompt: p.rewrite.prompt, removed: c.set.constraints[p.rewrite.removed].id))
            result.preferenceReport?.recordsOut += 1
        }
    }
}

/// The GSM8K answer line.
enum GradeMath {
    /// Whether the last non-blank line is `#### N` with a number N.
    static func endsWithAnswerLine(_ text: String) -> Bool {
        guard let last = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return false }
        let t = last.drop { $0 == " " || $0 == "\t" }
        guard t.hasPrefix("####") else { return false }
        let n = t.dropFirst(4).filter { !$0.isWhitespace && $0 != "," && $0 != "$" }
        guard let f = n.first, f.isNumber || f == "-" else { return false }
        return n.dropFirst().allSatisfy { $0.isNumber || $0 == "." || $0 == "/" } && n.contains(where: \.isNumber)
    }
}
