import Curation
import Foundation

/// How a mix runs (what it computes is the recipe's business; none of these change the output bytes
/// except the shard layout).
public struct MixOptions: Sendable {
    /// The memory budget of the stage. Half goes to the shuffle buffer, the rest is left for the
    /// per-record bookkeeping (about 30 bytes a record) and I/O buffers.
    public var memoryLimit: Int
    /// Worker threads for parsing, filtering and hashing. Output is identical for any value.
    public var threads: Int
    public var shard: ShardOptions
    public var onError: ErrorPolicy
    /// Overrides the recipe's seed.
    public var seed: UInt64?
    /// Where spilled runs go (default: a hidden directory in the output directory, removed at the end).
    public var tempDirectory: String?
    /// Where rejected lines go under `onError = .skip` (default: the output directory).
    public var rejectedDirectory: String?
    /// Bytes of input per unit of parallel work.
    public var batchBytes: Int
    /// Line limit and incomplete-directory check of the source readers.
    public var read = ReadOptions()
    /// A sharded mix (`MixShares`) cuts plain JSONL sources into units of about this many bytes (every
    /// task of one mix must use the same value).
    public var plainUnitBytes = SharePlan.plainUnitBytes

    public init(memoryLimit: Int = 256_000_000, threads: Int = 1, shard: ShardOptions = ShardOptions(),
                onError: ErrorPolicy = .fail, seed: UInt64? = nil, tempDirectory: String? = nil,
                rejectedDirectory: String? = nil, batchBytes: Int = 1 << 20) {
        self.memoryLimit = memoryLimit; self.threads = threads; self.shard = shard; self.onError = onError
        self.seed = seed; self.tempDirectory = tempDirectory; self.rejectedDirectory = rejectedDirectory
        self.batchBytes = batchBytes
    }
}

/// Progress of a mix, reported through a callback (libraries never print).
public struct MixProgress: Sendable {
    public enum Phase: String, Sendable { case scan, gather, write }
    public var phase: Phase
    public var source: String
    /// Records read in this phase so far (all sources), or written in the write phase.
    public var records: Int
    /// Uncompressed bytes read in this phase so far.
    public var bytes: Int
}

/// What one source contributed (the report's per-source table).
public struct SourceSummary: Sendable {
    public var name: String
    public var files: [String]
    public var amount: Amount
    public var recordsRead = 0
    public var rejected = 0
    public var filtered: [String: Int] = [:]
    public var duplicates = 0
    public var availableRecords = 0
    public var availableTokens = 0
    /// What the amount asks for in its own unit (records, or tokens for tokens/share).
    public var target = 0.0
    /// Records written, copies included.
    public var takenRecords = 0
    /// Distinct input records written at least once.
    public var takenDistinct = 0
    public var takenTokens = 0
    /// Full copies every record got, and how many records got one more.
    public var fullCopies = 0
    public var extraRecords = 0

    public var repeated: Int { takenRecords - takenDistinct }
    public var filteredTotal: Int { filtered.values.reduce(0, +) }
    public var notSampled: Int { availableRecords - takenDistinct }

    /// The tokens the amount asks for, to compare proportions: fraction and repeat of the available
    /// tokens, count at the source's mean tokens per record, tokens and share as given.
    public var askedTokens: Double {
        switch amount {
        case .fraction(let f): return f * Double(availableTokens)
        case .repeats(let r): return r * Double(availableTokens)
        case .count(let c): return availableRecords == 0 ? 0 : Double(c) * Double(availableTokens) / Double(availableRecords)
        case .tokens, .share: return target
        }
    }
}
