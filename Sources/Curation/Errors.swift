import Foundation

/// Where in an input a problem was found. `line` is 1-based; `offset` is the byte offset of the
/// start of that line in the uncompressed stream (0-based), so a user can `tail -c +OFFSET` to it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var offset: Int
    public init(file: String, line: Int, offset: Int) {
        self.file = file; self.line = line; self.offset = offset
    }
    public var description: String { "\(file):\(line) (byte \(offset))" }
}

/// Typed errors of the Curation library. Libraries throw these; the CLI renders them.
public enum CurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A record could not be read: malformed JSON, invalid UTF-8, a missing or mistyped field.
    case badRecord(SourceLocation, reason: String)
    /// A compressed stream is truncated or corrupt.
    case corruptStream(file: String, offset: Int, reason: String)
    /// A file could not be opened, read, written or renamed.
    case io(path: String, reason: String)
    /// An argument or setting is invalid.
    case invalidArgument(String)
    /// The stage's counts do not add up (in != out + dropped): a bug, never silently accepted.
    case accountingMismatch(stage: String, recordsIn: Int, out: Int, dropped: Int)
    /// A SQLite-backed store (run store, eval index, request cache) failed; `reason` says which.
    case store(path: String, reason: String)

    public var description: String {
        switch self {
        case .badRecord(let loc, let reason): return "\(loc): \(reason)"
        case .corruptStream(let file, let offset, let reason): return "\(file): corrupt compressed stream near compressed byte \(offset): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .invalidArgument(let s): return s
        case .accountingMismatch(let stage, let i, let o, let d):
            return "stage \(stage): counts do not add up: in \(i) != out \(o) + dropped \(d)"
        case .store(let path, let reason): return "\(path): \(reason)"
        }
    }

    /// The short reason, for counters and rejected files.
    public var reason: String {
        switch self {
        case .badRecord(_, let reason): return reason
        default: return description
        }
    }
}

/// What to do with a bad input line.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad line with an error naming file, line, offset and reason.
    case fail
    /// Write the line verbatim to the rejected file with its reason, count it, and go on.
    case skip
}
