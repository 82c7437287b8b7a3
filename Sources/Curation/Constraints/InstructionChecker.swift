/// A constraint bound to its kwargs: validated once, then checked against any number of responses.
public struct BoundInstruction: Sendable {
    public let id: String
    /// The instruction as a sentence for a prompt, e.g. "There should be 3 paragraphs. Paragraphs are
    /// separated with the markdown divider: ***".
    public let description: String
    let checkFn: @Sendable (String) -> ConstraintOutcome

    public func check(_ response: String) -> ConstraintOutcome { checkFn(response) }
}

/// State threaded through kwargs sampling: the seeded generator, the task prompt when one is known
/// (instructions that repeat or overlap the prompt need it), and the words already used by other
/// constraints of the same set (so that a keyword is never also a forbidden word).
public struct SamplingContext {
    public var rng: SplitMix64
    public var prompt: String?
    public var usedWords: Set<String> = []

    public init(rng: SplitMix64, prompt: String? = nil) {
        self.rng = rng
        self.prompt = prompt
    }

    /// A keyword from the built-in pool that no other constraint of the set uses yet.
    public mutating func freshWord() -> String {
        var pool = WordLists.keywordPool.filter { !usedWords.contains($0) }
        if pool.isEmpty { pool = WordLists.keywordPool }
        let w = rng.pick(pool) ?? "river"
        usedWords.insert(w)
        return w
    }

    mutating func int(_ r: ClosedRange<Int>) -> Int { rng.int(in: r) }
    mutating func relation() -> Relation { rng.below(2) == 0 ? .lessThan : .atLeast }
}

/// One instruction of the registry: its id, the kwargs it takes, how to bind and check them, and
/// (when it can be added to an arbitrary task) how to sample valid kwargs for persona synthesis.
public struct InstructionChecker: Sendable {
    public let id: String
    /// The kwarg names it accepts (all others, when non-null, are rejected).
    public let kwargNames: [String]
    let make: @Sendable (Kwargs) throws -> (description: String, check: @Sendable (String) -> ConstraintOutcome)
    let sampler: (@Sendable (inout SamplingContext) -> JSONObject?)?

    init(_ id: String, kwargs: [String] = [],
         sample: (@Sendable (inout SamplingContext) -> JSONObject?)? = nil,
         make: @escaping @Sendable (Kwargs) throws -> (description: String, check: @Sendable (String) -> ConstraintOutcome)) {
        self.id = id
        self.kwargNames = kwargs
        self.make = make
        self.sampler = sample
    }

    /// Shorthand for the common case of a yes/no check.
    init(_ id: String, kwargs: [String] = [],
         sample: (@Sendable (inout SamplingContext) -> JSONObject?)? = nil,
         bool: @escaping @Sendable (Kwargs) throws -> (String, @Sendable (String) -> Bool)) {
        self.init(id, kwargs: kwargs, sample: sample) { kw in
            let (text, f) = try bool(kw)
            return (text, { ConstraintOutcome(f($0)) })
        }
    }

    /// Validates `kwargs` and binds them; throws `ConstraintError.invalidKwargs` naming what is wrong.
    public func bind(_ kwargs: JSONObject) throws -> BoundInstruction {
        let kw = try Kwargs(id: id, object: kwargs, accepted: kwargNames)
        let made = try make(kw)
        return BoundInstruction(id: id, description: made.description, checkFn: made.check)
    }

    /// The instruction as a prompt sentence for these kwargs.
    public func describe(_ kwargs: JSONObject) throws -> String { try bind(kwargs).description }

    /// Whether kwargs can be sampled for an arbitrary task (task-replacing `custom:*` instructions and
    /// those that quote the prompt without one given cannot).
    public var isSampleable: Bool { sampler != nil }

    /// Valid kwargs drawn from the context's generator, or nil when this instruction cannot be sampled
    /// in this context (e.g. it repeats the prompt and none was given).
    public func sampleKwargs(_ context: inout SamplingContext) -> JSONObject? { sampler?(&context) }
}
