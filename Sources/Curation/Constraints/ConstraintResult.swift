/// The verdict on one constraint. `unsupported` is explicit: an instruction this project cannot decide
/// (unknown id, or one that needs a model or linguistic resources) is never counted as met.
public enum ConstraintOutcome: Sendable, Hashable, CustomStringConvertible {
    case pass
    case fail
    case unsupported(reason: String)

    public var isPass: Bool { self == .pass }
    public var description: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .unsupported: return "unsupported"
        }
    }
    init(_ ok: Bool) { self = ok ? .pass : .fail }
}

/// One constraint's result, in the order of the set.
public struct ConstraintResult: Sendable, Hashable {
    public var id: String
    public var outcome: ConstraintOutcome
}

/// The results of checking one response against a constraint set.
public struct ConstraintReport: Sendable, Hashable {
    public var results: [ConstraintResult]

    public var passed: Int { results.filter { $0.outcome == .pass }.count }
    public var failed: Int { results.filter { $0.outcome == .fail }.count }
    public var unsupported: Int { results.count - passed - failed }

    /// Fraction of the constraints satisfied (Tulu 3 RLVR's reward for IFEval-style data). Unsupported
    /// constraints count as not satisfied, so an undecidable set can never earn a full reward; callers
    /// that want to drop such records can test `unsupported > 0`.
    public var reward: Double { results.isEmpty ? 0 : Double(passed) / Double(results.count) }
    /// Every constraint passed.
    public var allPassed: Bool { !results.isEmpty && passed == results.count }

    /// `[{"id", "result": "pass"|"fail"|"unsupported", "reason"?}]`, for writing next to a reward.
    public var json: JSONValue {
        .array(results.map { r in
            var o = JSONObject()
            o["id"] = .string(r.id)
            o["result"] = .string(r.outcome.description)
            if case .unsupported(let reason) = r.outcome { o["reason"] = .string(reason) }
            return .object(o)
        })
    }
}
