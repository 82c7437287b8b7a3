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

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
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

    @Option(name: .long, help: "Roll over before a shard passes this many uncompressed bytes (e.g. 256MB).")
    var maxBytes: ByteSize?

    @Option(name: .long, help: "Compression of the shards: zstd, gzip or none.")
    var compression: Compression = .zstd

    @Option(name: .long, help: "Compression level (zstd 1-22, gzip 1-9).")
    var level = 3

    func shardOptions(threads: Int, prefix override: String? = nil) -> ShardOptions {
        ShardOptions(prefix: override ?? prefix, compression: compression, level: level, maxRecords: maxRecords,
                     maxBytes: maxBytes?.bytes, workers: threads)
    }

    func validate() throws {
        if let m = maxRecords, m < 1 { throw ValidationError("--max-records must be at least 1") }
        if compression == .gzip, !(1...9).contains(level) { throw ValidationError("gzip --level must be 1-9") }
        if compression == .zstd, !(1...22).contains(level) { throw ValidationError("zstd --level must be 1-22") }
    }
}

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
        let s = argument.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "_", with: "")
        let units: [(String, Int)] = [("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
                                      ("GB", 1_000_000_000), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("B", 1)]
        for (u, m) in units where s.hasSuffix(u) {
            guard let v = Double(s.dropLast(u.count).trimmingCharacters(in: .whitespaces)), v > 0 else { return nil }
            bytes = Int(v * Double(m)); return
        }
        guard let v = Int(s), v > 0 else { return nil }
        bytes = v
    }
}
