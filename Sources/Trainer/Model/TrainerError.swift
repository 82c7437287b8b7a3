/// Errors of the Trainer library. Bad files and bad settings are reported, never trapped on.
public enum TrainerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A model configuration is inconsistent or unsupported.
    case invalidConfig(String)
    /// A batch does not fit the model (token id out of range, bad positions or segments).
    case invalidBatch(String)
    /// A checkpoint or model file is malformed, truncated or hostile; `offset` is a byte offset when known.
    case badFile(path: String, offset: Int?, reason: String)
    /// A required tensor is missing from a checkpoint, or has the wrong shape.
    case tensorMismatch(path: String, name: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// An operation was called out of order (e.g. backward before forward).
    case invalidState(String)

    public var description: String {
        switch self {
        case .invalidConfig(let s): return "invalid model config: \(s)"
        case .invalidBatch(let s): return "invalid batch: \(s)"
        case .badFile(let path, let offset, let reason):
            if let offset { return "\(path): at byte \(offset): \(reason)" }
            return "\(path): \(reason)"
        case .tensorMismatch(let path, let name, let reason): return "\(path): tensor \(name): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .invalidState(let s): return s
        }
    }
}
