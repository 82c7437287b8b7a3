/// The registry of instruction checkers keyed by `instruction_id`: IFEval's 25 and IFBench's own, plus
/// the ids this project knows but cannot decide (each with its reason). Checking never passes silently:
/// an id that is unsupported or unknown yields an explicit `.unsupported` result.
public struct ConstraintRegistry: Sendable {
    public let checkers: [String: InstructionChecker]
    /// Ids that are recognised but not checked, with why.
    public let unsupported: [String: String]

    public init(checkers: [InstructionChecker], unsupported: [String: String]) {
        var map: [String: InstructionChecker] = [:]
        for c in checkers { map[c.id] = c }
        self.checkers = map
        self.unsupported = unsupported
    }

    /// IFEval + IFBench.
    public static let standard = ConstraintRegistry(
        checkers: IFEvalInstructions.all + IFBenchInstructions.all + IFBenchFormatInstructions.all + IFBenchLexiconInstructions.all,
        unsupported: [:])

    /// IFEval's 25 instruction ids.
    public static let ifevalIDs: [String] = IFEvalInstructions.all.map(\.id)
    /// IFBench's own instruction ids known to the registry (checked or unsupported).
    public static let ifbenchIDs: [String] = (IFBenchInstructions.all + IFBenchFormatInstructions.all + IFBenchLexiconInstructions.all).map(\.id)

    public enum Support: Sendable, Equatable {
        case supported
        case unsupported(reason: String)
        case unknown
    }

    public func support(_ id: String) -> Support {
        if checkers[id] != nil { return .supported }
        if let reason = unsupported[id] { return .unsupported(reason: reason) }
        return .unknown
    }

    public func checker(_ id: String) -> InstructionChecker? { checkers[id] }

    /// Binds every constraint of a set (validating all kwargs). Unsupported and unknown ids bind to an
    /// instruction that always answers `.unsupported`.
    public func bind(_ set: ConstraintSet) throws -> [BoundInstruction] {
        try set.constraints.map { c in
            if let checker = checkers[c.id] { return try checker.bind(c.kwargs) }
            let reason = unsupported[c.id] ?? "unknown instruction id (not an IFEval or IFBench instruction)"
            return BoundInstruction(id: c.id, description: c.id, checkFn: { _ in .unsupported(reason: reason) })
        }
    }

    /// Checks a response against a set: per-constraint results and the reward (fraction satisfied).
    /// Throws `ConstraintError.invalidKwargs` when a constraint's kwargs are invalid.
    public func evaluate(_ set: ConstraintSet, response: String) throws -> ConstraintReport {
        let bound = try bind(set)
        return ConstraintReport(results: bound.map { ConstraintResult(id: $0.id, outcome: $0.check(response)) })
    }
}
