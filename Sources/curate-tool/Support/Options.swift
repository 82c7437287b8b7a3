import ArgumentParser
import Curation
import Foundation

/// Options every long-running subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "No progress or tables on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Print the summary as JSON on stdout.")
    var json = false

    @Option(name: .long, help: "Worker threads (default: all cores). Output is identical for any value.")
    var threads: Int?

    var threadCount: Int { max(1, threads ?? defaultThreadCount) }

    /// Checks `--threads` and clamps it to `ThreadLimit.maximum()`, showing the library's warning.
    mutating func validate() throws { try Self.clampThreads(&threads) }

    /// Checks a `--threads` value and clamps it to `ThreadLimit.maximum()`, showing the library's warning
    /// (shared by every option group with a `--threads`).
    static func clampThreads(_ threads: inout Int?) throws {
        guard threads != nil else { return }
        do {
            let choice = try ThreadLimit.resolve(threads)
            if let warning = choice.warning { Console.warn(warning) }
            threads = choice.threads
        } catch let e as CurationError {
            throw ValidationError(e.description)
        }
    }
}

/// How bad input lines are handled.
struct ErrorOptions: ParsableArguments {
    @Option(name: .customLong("on-error"), help: "fail: stop at the first bad line; skip: write it verbatim to the rejected file and go on.")
    var onError: ErrorPolicy = .fail

    @Option(name: .long, help: "Directory for rejected.jsonl and rejected.reasons.jsonl (default: the output directory).")
    var rejectedDir: String?

    @Option(name: .long, help: "A longer line is a bad line (rejected:line-too-long), read past in bounded memory (default 64MiB).")
    var maxLineBytes: ByteSize?

    @Flag(name: .long, help: "Read an output directory still marked PREFIX.incomplete (its writer did not finish).")
    var allowIncomplete = false

    @Option(name: .long, help: "For a directory of Parquet files in the Hugging Face hub's layout (data/train-00000-of-00003.parquet): the split to read. Required when the directory holds several (train, test, ...), so test data never enters a mix unasked.")
    var split: String?

    /// What the record readers of the command apply.
    var readOptions: ReadOptions {
        ReadOptions(maxLineBytes: maxLineBytes?.bytes ?? ReadOptions.defaultMaxLineBytes, allowIncomplete: allowIncomplete)
    }
}

extension ErrorPolicy: ExpressibleByArgument {}

/// A sharded output.
struct ShardOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @Option(name: .long, help: "Shard name prefix: PREFIX-00000.jsonl.zst.")
    var prefix = "part"

    @Option(name: .long, help: "Roll over to a new shard after this many records.")
    var maxRecords: Int?

    @Option(name: .long, help: "Roll over before a shard passes this many uncompressed bytes (e.g. 256MB).", transform: ByteSize.parse)
    var maxBytes: ByteSize?

    @Option(name: .long, help: "Compression of the shards: zstd, gzip or none.")
    var compression: Compression = .zstd

    @Option(name: .long, help: "Compression level (zstd 1-22, gzip 1-9; Parquet's zstd pages too).")
    var level = 3

    @Option(name: .long, help: "zstd shards: end a frame after this many uncompressed bytes (at a line end), so a later sharded run can share a shard by frames (default 8MB).", transform: ByteSize.parse)
    var zstdFrameBytes: ByteSize?

    @OptionGroup var parquet: ParquetFormatOptions

    func shardOptions(threads: Int, prefix override: String? = nil) -> ShardOptions {
        var o = ShardOptions(prefix: override ?? prefix, compression: compression, level: level, maxRecords: maxRecords,
                             maxBytes: maxBytes?.bytes, workers: threads, format: parquet.format, parquet: parquet.options(level: level))
        if let f = zstdFrameBytes { o.frameBytes = f.bytes }
        return o
    }

    func validate() throws {
        if let m = maxRecords, m < 1 { throw ValidationError("--max-records must be at least 1") }
        if let f = zstdFrameBytes, f.bytes < 1 { throw ValidationError("--zstd-frame-bytes must be at least 1") }
        if let f = zstdFrameBytes, f.bytes > ShardOptions.maxFrameBytes {
            throw ValidationError("--zstd-frame-bytes must be at most 256MB (up to threads + 1 frames are held in memory while they compress)")
        }
        if parquet.format == .parquet {
            if let problem = parquet.options(level: level).problem { throw ValidationError(problem) }
        } else if let problem = compression.levelProblem(level) {
            throw ValidationError("--level: \(problem)")
        }
    }
}

/// The shard format and, for Parquet, how the files are laid out (part of `ShardOutputOptions`; `select`
/// takes it on its own).
struct ParquetFormatOptions: ParsableArguments {
    @Option(name: .long, help: "Shard format: jsonl, or parquet (PREFIX-00000.parquet, one union schema over all records).")
    var format: OutputFormat = .jsonl

    @Option(name: .long, help: "Parquet: rows per row group (a row group also ends past 128MB of column data).")
    var rowGroupSize = ParquetWriteOptions.defaultRowGroupRows

    @Option(name: .long, help: "Parquet: page codec, zstd (level from --level), snappy or none.")
    var parquetCompression: ParquetWriteOptions.Codec = .zstd

    @Option(name: .long, help: "Parquet: fields written as JSON text (a string column) instead of typed columns, e.g. metadata,ground_truth.",
            transform: { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var jsonColumns: [String] = []

    func options(level: Int) -> ParquetWriteOptions {
        ParquetWriteOptions(codec: parquetCompression, level: level, rowGroupRows: rowGroupSize, jsonColumns: jsonColumns)
    }

    func validate() throws {
        if format == .jsonl, !jsonColumns.isEmpty { throw ValidationError("--json-columns applies to --format parquet only") }
        if rowGroupSize < 1 { throw ValidationError("--row-group-size must be at least 1") }
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ParquetWriteOptions.Codec: ExpressibleByArgument {}

extension Compression: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "zstd", "zst": self = .zstd
        case "gzip", "gz": self = .gzip
        case "none", "plain", "jsonl": self = .none
        default: return nil
        }
    }
}

/// A byte count written as `1000`, `64KB`, `256MB`, `2GB` (powers of 1000) or `1MiB`-style (powers of 1024).
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
    var bytes: Int
    var description: String {
        for (u, m) in [("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000)] where bytes % m == 0 { return "\(bytes / m)\(u)" }
        return "\(bytes)"
    }
    var defaultValueDescription: String { description }
    init?(argument: String) {
        guard let parsed = try? ByteSize.parse(argument) else { return nil }
        self = parsed
    }
    init(bytes: Int) { self.bytes = bytes }

    /// The largest size accepted: 1 EB, far above any disk and far below where `Int` overflows.
    static let maxBytes = 1_000_000_000_000_000_000

    /// Parses a size, saying what is wrong with a bad one (not a number, not positive, too large):
    /// `1e300GB` used to overflow the conversion and be reported as "must be at least 1".
    static func parse(_ argument: String) throws -> ByteSize {
        let s = argument.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "_", with: "")
        let units: [(String, Int)] = [("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
                                      ("GB", 1_000_000_000), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("B", 1)]
        let unit = units.first { s.hasSuffix($0.0) }
        let number = unit.map { String(s.dropLast($0.0.count)).trimmingCharacters(in: .whitespaces) } ?? s
        guard let v = Double(number), !v.isNaN else {
            throw ValidationError("\"\(argument)\" is not a size (write e.g. 1000, 64KB, 256MB, 2GB or 1MiB)")
        }
        let total = v * Double(unit?.1 ?? 1)
        guard total >= 1 else { throw ValidationError("\"\(argument)\" is less than 1 byte: a size must be at least 1") }
        guard total <= Double(maxBytes) else { throw ValidationError("\"\(argument)\" is too large (at most 1000000000000000000 bytes, 1 EB)") }
        guard unit != nil || v == v.rounded() else { throw ValidationError("\"\(argument)\" is not a whole number of bytes") }
        return ByteSize(bytes: Int(total))
    }
}
