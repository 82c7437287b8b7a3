/// Errors of the tokenizer: loading, saving and training. Every case names the file (or argument) and
/// the reason, so a malformed `tokenizer.json` is reported rather than crashing the caller.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a valid tokenizer: bad JSON, a missing or mistyped field, an inconsistent vocabulary.
    case malformed(file: String, reason: String)
    /// The file is valid but uses a feature this implementation does not have (e.g. a normalizer).
    case unsupported(file: String, feature: String)
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// An argument is invalid (a vocabulary size too small, an unknown template name, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .malformed(let file, let reason): return "\(file): malformed tokenizer: \(reason)"
        case .unsupported(let file, let feature): return "\(file): unsupported tokenizer feature: \(feature)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .invalidArgument(let s): return s
        }
    }
}
