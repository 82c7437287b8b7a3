/// Errors raised while reading or binding a constraint set. They name the constraint (by position and
/// instruction id) and the kwarg at fault, so that a bad record's rejection reason says what to fix.
public enum ConstraintError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value is not a constraint set (`{"instruction_id_list": [...], "kwargs": [{...}]}`).
    case malformedSet(String)
    /// A constraint's kwargs are missing, mistyped or out of range.
    case invalidKwargs(id: String, reason: String)

    public var description: String {
        switch self {
        case .malformedSet(let reason): return "constraint set: \(reason)"
        case .invalidKwargs(let id, let reason): return "constraint \(id): \(reason)"
        }
    }
}
