import Foundation

/// Where in an input a problem was found. `line` is 1-based; `offset` is the byte offset of the
/// start of that line in the uncompressed stream (0-based), so a user can `tail -c +OFFSET` to it.
/// A Parquet row has no byte offset: its `line` is the 1-based row number in the file and `offset` is -1.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var offset: Int
    public init(file: String, line: Int, offset: Int) {
        self.file = file; self.line = line; self.offset = offset
    }
    public var description: String { offset >= 0 ? "\(file):\(line) (byte \(offset))" : "\(file): row \(line)" }
}

/// Typed errors of the Curation library. Libraries throw these; the CLI renders them.
public enum CurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A record could not be read: malformed JSON, invalid UTF-8, a missing or mistyped field, a line
    /// past `--max-line-bytes`. `kind` is the counted reason (`rejected:KIND`); `reason` the message.
    case badRecord(SourceLocation, reason: String, kind: RejectionReason = .malformedJSON)
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
        case .badRecord(let loc, let reason, _): return "\(loc): \(reason)"
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
        case .badRecord(_, let reason, _): return reason
        default: return description
        }
    }
}

/// Why a line was rejected, as counted in reports (`rejected:KEY`). Carried by the error that rejected
/// it (`CurationError.badRecord`, `JSONSyntaxError`), so counts never depend on the wording of a message.
public enum RejectionReason: String, Sendable, CaseIterable, Codable {
    case malformedJSON = "malformed-json"
    case invalidUTF8 = "invalid-utf8"
    case missingField = "missing-field"
    case wrongType = "wrong-type"
    /// Longer than the reader's line limit (`--max-line-bytes`); read past without being buffered.
    case lineTooLong = "line-too-long"
    // `vote`'s own reasons: a samples record it cannot vote on.
    case missingID = "missing-id"
    case completionsNotAList = "completions-not-a-list"
    case unknownDataset = "unknown-dataset"
    case notSamples = "not-samples"
}

extension CurationError {
    /// The counted reason of a bad line: the carried kind for `badRecord`, `malformed-json` otherwise.
    public var rejectionReason: RejectionReason {
        if case .badRecord(_, _, let kind) = self { return kind }
        return .malformedJSON
    }
}

/// What to do with a bad input line.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Stop at the first bad line with an error naming file, line, offset and reason.
    case fail
    /// Write the line verbatim to the rejected file with its reason, count it, and go on.
    case skip
}
