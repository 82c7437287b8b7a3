import Foundation
import Curation

/// What a scan does with a contaminated record.
public enum DecontamAction: String, Sendable, CaseIterable {
    /// Clean records go to the output; contaminated ones to a separate `removed` output, with what they matched.
    case drop
    /// Every record is kept; contaminated ones carry a `contamination` field.
    case tag
    /// Documents only: cut each matched span plus context, keep the pieces (NeMo Curator's rule).
    case mask
}

/// What a scan does with a record in which it finds no text to scan (no recognised text field, or only
/// empty ones): such a record cannot be shown clean, so it is never passed silently.
public enum NoTextPolicy: String, Sendable, CaseIterable {
    /// Kept in the output, counted as `no_text` and warned about.
    case keep
    /// Left out of the output, counted as dropped under `no-text`.
    case drop
    /// Stops the scan with an error naming the record's file and line.
    case fail
}

/// Settings of a scan.
public struct ScanOptions: Sendable {
    /// A record is contaminated when its largest overlap with an eval instance is at least this.
    public var threshold: Double = 0.5
    /// One shared n-gram is enough (s1, datatrove); `threshold` is then not used.
    public var any = false
    public var action: DecontamAction = .drop
    /// Fields whose text is scanned; nil: by schema (`RecordTextReader`).
    public var fields: [String]?
    /// The train record id field; nil: `id` or another recognised field, else `FILE:LINE`.
    public var idField: String?
    public var threads = 1
    public var errorPolicy: ErrorPolicy = .fail
    public var onNoText: NoTextPolicy = .keep
    /// Output directory and shard layout of kept records (`prefix`) and removed ones (`removed`).
    public var output: String
    public var shardOptions = ShardOptions()
    /// Where to write one line per matching (train record, eval instance) pair; nil: not written.
    public var matchesPath: String?
    public var shard: ShardSpec?
    /// Plain JSONL is cut into share units of about this many bytes (every share of a scan must use the same).
    public var plainUnitBytes = SharePlan.plainUnitBytes
    /// Example matches kept per eval set for the report.
    public var examplesPerSet = 3
    /// Masking (NeMo Curator): context cut on each side of a match, shortest piece kept, most cuts allowed.
    public var maskContext = 200
    public var maskMinPiece = 200
    public var maskMaxCuts = 10
    /// Lines per parallel batch, in bytes.
    public var batchBytes = 1 << 20
    /// Line limit and incomplete-directory check of the input reader.
    public var read = ReadOptions()

    public init(output: String) { self.output = output }

    public func validate() throws {
        guard threshold > 0, threshold <= 1 else { throw CurationError.invalidArgument("--threshold must be in (0, 1], got \(threshold)") }
        if let f = fields, f.isEmpty { throw CurationError.invalidArgument("--fields needs at least one field") }
        if action == .mask, let f = fields, f != ["text"] {
            throw CurationError.invalidArgument("--action mask cuts the \"text\" field of documents; --fields cannot change that")
        }
        guard threads >= 1 else { throw CurationError.invalidArgument("--threads must be at least 1") }
    }

    /// The rule in words, for reports.
    public var ruleDescription: String {
        any ? "any shared n-gram (s1 / datatrove rule)" : "overlap >= \(threshold) of the eval instance's distinct n-grams in one train record"
    }
}
