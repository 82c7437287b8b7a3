/// Settings of a persona synthesis run.
public struct PersonaSynthesisOptions: Sendable {
    public var skill: PersonaSkill
    /// Tasks to synthesise (synthesis prompts written). Personas are reused in further rounds when
    /// there are fewer personas than this.
    public var count: Int
    /// Solutions generated per task (K).
    public var samples: Int
    public var seed: UInt64
    /// Instruction following only: also make DPO pairs from a prompt with one constraint removed.
    public var preferences: Bool
    public var templates: PersonaTemplates
    public var taskMaxTokens: Int
    public var solutionMaxTokens: Int
    /// Task writing is sampled hot (varied tasks); solutions cooler.
    public var taskTemperature: Double
    public var solutionTemperature: Double
    /// Tasks taken through all stages at a time (bounds memory; each stage of a batch is one generator call).
    public var batchSize: Int
    /// Self-consistency settings for math and grade-math (the `vote` command's logic).
    public var vote: VoteOptions
    /// How many constraints an instruction-following task gets (drawn uniformly per task).
    public var constraintCount: ClosedRange<Int>
    public var sampler: ConstraintSampler
    /// The registry responses are checked with.
    public var registry: ConstraintRegistry

    public init(skill: PersonaSkill, count: Int, samples: Int? = nil, seed: UInt64 = 0, preferences: Bool = false,
                templates: PersonaTemplates = .defaults, taskMaxTokens: Int = 512, solutionMaxTokens: Int = 1024,
                taskTemperature: Double = 1.0, solutionTemperature: Double = 0.7, batchSize: Int = 64,
                vote: VoteOptions = VoteOptions(), constraintCount: ClosedRange<Int> = 1...3,
                sampler: ConstraintSampler = ConstraintSampler(), registry: ConstraintRegistry = .standard) {
        self.skill = skill
        self.count = count
        self.samples = samples ?? skill.defaultSamples
        self.seed = seed
        self.preferences = preferences
        self.templates = templates
        self.taskMaxTokens = taskMaxTokens
        self.solutionMaxTokens = solutionMaxTokens
        self.taskTemperature = taskTemperature
        self.solutionTemperature = solutionTemperature
        self.batchSize = batchSize
        self.vote = vote
        self.constraintCount = constraintCount
        self.sampler = sampler
        self.registry = registry
    }

    /// Throws `CurationError.invalidArgument` for settings that cannot work.
    public func validate() throws {
        guard count >= 1 else { throw CurationError.invalidArgument("--count must be at least 1, got \(count)") }
        guard samples >= 1 else { throw CurationError.invalidArgument("--samples must be at least 1, got \(samples)") }
        guard batchSize >= 1 else { throw CurationError.invalidArgument("batch size must be at least 1") }
        guard taskMaxTokens >= 1, solutionMaxTokens >= 1 else { throw CurationError.invalidArgument("max tokens must be at least 1") }
        guard constraintCount.lowerBound >= 1 else { throw CurationError.invalidArgument("constraint count must be at least 1") }
        if preferences && skill != .instructionFollowing {
            throw CurationError.invalidArgument("--preferences is for --skill if (pairs come from a prompt with one constraint removed)")
        }
        if preferences && constraintCount.upperBound < 2 {
            throw CurationError.invalidArgument("--preferences needs tasks with at least 2 constraints")
        }
        try vote.validate()
    }

    /// The settings for the report.
    public var json: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "skill": .string(skill.rawValue), "count": .int(count), "samples": .int(samples),
            "seed": .number(String(seed)), "task_max_tokens": .int(taskMaxTokens),
            "solution_max_tokens": .int(solutionMaxTokens), "task_temperature": .double(taskTemperature),
            "solution_temperature": .double(solutionTemperature),
        ]
        if skill.answerDataset != nil { o["min_agreement"] = .double(vote.minAgreement) }
        if skill == .instructionFollowing {
            o["constraints_per_task"] = .string("\(constraintCount.lowerBound)-\(constraintCount.upperBound)")
            o["preferences"] = .bool(preferences)
        }
        return o
    }
}
