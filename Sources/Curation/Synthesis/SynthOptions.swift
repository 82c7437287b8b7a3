/// The outputs the task family can write; each is a separate record stream (a directory of shards).
public enum SynthOutput: String, Sendable, CaseIterable, Hashable {
    /// Eval split, verifiable records.
    case eval
    /// Training pool, chat records with gold worked answers, plus planted copies when asked.
    case train
    /// Pretraining split, documents.
    case pretrain
    /// Teacher samples over the training pool's problems (the samples layout `vote` reads).
    case samples
    /// s1 pool items over the training pool's problems (what `select` reads).
    case pool
    /// The training pool's problems as verifiable prompts with their gold answers (what `rlvr` reads).
    case prompts
}

/// Every setting of a synthesis run, with its bounds. `validate()` rejects absurd sizes before anything
/// is generated, naming the parameter (`SynthError.outOfRange`).
public struct SynthOptions: Sendable, Hashable {
    public var seed: UInt64
    public var difficulty: SynthDifficulty
    public var evalCount: Int
    public var trainCount: Int
    public var pretrainCount: Int
    public var teacher: SynthTeacherOptions
    public var plant: SynthPlantOptions
    public var pool: SynthPoolOptions
    public var outputs: [SynthOutput]

    public static let countLimit = 1_000_000

    public init(seed: UInt64 = 0, difficulty: SynthDifficulty = SynthDifficulty(), evalCount: Int = 500, trainCount: Int = 2000,
                pretrainCount: Int = 2000, teacher: SynthTeacherOptions = SynthTeacherOptions(), plant: SynthPlantOptions = SynthPlantOptions(),
                pool: SynthPoolOptions = SynthPoolOptions(), outputs: [SynthOutput] = SynthOutput.allCases) {
        self.seed = seed
        self.difficulty = difficulty
        self.evalCount = evalCount
        self.trainCount = trainCount
        self.pretrainCount = pretrainCount
        self.teacher = teacher
        self.plant = plant
        self.pool = pool
        self.outputs = outputs
    }

    public func validate() throws {
        try difficulty.validate()
        for (p, n) in [(SynthParameter.evalCount, evalCount), (.trainCount, trainCount), (.pretrainCount, pretrainCount)] {
            guard (0...Self.countLimit).contains(n) else { throw SynthError.outOfRange(p, "should be in 0...\(Self.countLimit), got \(n)") }
        }
        try teacher.validate()
        try plant.validate(evalCount: evalCount)
        try pool.validate()
    }

    /// The settings as the report and the run store record them.
    public var json: JSONValue {
        var o = JSONObject()
        o["seed"] = .number(String(seed))
        o["min_steps"] = .int(difficulty.minSteps)
        o["max_steps"] = .int(difficulty.maxSteps)
        o["max_number"] = .int(difficulty.maxNumber)
        o["eval_count"] = .int(evalCount)
        o["train_count"] = .int(trainCount)
        o["pretrain_count"] = .int(pretrainCount)
        o["samples"] = .int(teacher.samples)
        o["error_rate"] = .double(teacher.errorRate)
        o["systematic_share"] = .double(teacher.systematicShare)
        o["systematic_agreement"] = .double(teacher.systematicAgreement)
        o["plant_dose"] = .int(plant.dose)
        o["plant_items"] = .int(plant.items)
        o["plant_kinds"] = .array(plant.kinds.map { .string($0.rawValue) })
        o["defect_share"] = .double(pool.defectShare)
        o["weak_solver_threshold"] = .double(pool.weakSolverThreshold)
        if pool.selfCheckWords != SynthPoolOptions.defaultSelfCheckWords {
            o["self_check_words"] = .array(pool.selfCheckWords.map { .string($0) })
        }
        o["outputs"] = .array(outputs.map { .string($0.rawValue) })
        return .object(o)
    }
}
