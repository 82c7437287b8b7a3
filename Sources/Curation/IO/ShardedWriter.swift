import Foundation

/// Options of a sharded output (shared by every stage that writes records).
public struct ShardOptions: Sendable {
    /// Shards are named `PREFIX-00000.jsonl.zst` and the manifest `PREFIX.manifest.json`.
    public var prefix: String
    public var compression: Compression
    /// zstd level (1-19; 3 by default) or gzip level (1-9).
    public var level: Int
    /// Roll over to a new shard after this many records.
    public var maxRecords: Int?
    /// Roll over before a shard's uncompressed size would pass this many bytes.
    public var maxBytes: Int?
    /// zstd worker threads (output bytes are the same for any value >= 1).
    public var workers: Int

    public init(prefix: String = "part", compression: Compression = .zstd, level: Int = 3,
                maxRecords: Int? = nil, maxBytes: Int? = nil, workers: Int = 1) {
        self.prefix = prefix; self.compression = compression; self.level = level
        self.maxRecords = maxRecords; self.maxBytes = maxBytes; self.workers = workers
    }
}

/// Writes records as numbered shards, each under a temporary name until it is complete, then renamed;
/// finishes with the manifest. Follows `ShardedOutput`'s protocol: the directory is marked
/// `PREFIX.incomplete` from `init` until the manifest is in place. Memory is one buffer per open shard, whatever the output size.
public final class ShardedWriter {
    public let directory: String
    public let options: ShardOptions
    public private(set) var shards: [Manifest.Shard] = []

    private var file: AtomicFileWriter?
    private var encoder: StreamEncoder?
    private var hash = XXH128Stream()
    private var shardRecords = 0
    private var shardBytes = 0
    private var finished = false
    /// Lines not yet hashed and compressed: one call into zstd (and the hash) per ~256 KB instead of two
    /// per line. The compressed bytes do not depend on how the input is chunked.
    private var pending: [UInt8] = []
    private static let pendingLimit = 1 << 18

    public init(directory: String, options: ShardOptions = ShardOptions()) throws {
        guard !options.prefix.isEmpty, !options.prefix.contains("/") else {
            throw CurationError.invalidArgument("shard prefix must be a plain name, got \"\(options.prefix)\"")
        }
        if let m = options.maxRecords, m < 1 { throw CurationError.invalidArgument("--max-records must be at least 1") }
        if let m = options.maxBytes, m < 1 { throw CurationError.invalidArgument("--max-bytes must be at least 1") }
        if let problem = options.compression.levelProblem(options.level) { throw CurationError.invalidArgument(problem) }
        self.directory = directory
        self.options = options
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: directory, reason: "cannot create output directory: \(error.localizedDescription)")
        }
        try ShardedOutput.begin(directory: directory, prefix: options.prefix)
    }

    public var recordsWritten: Int { shards.reduce(0) { $0 + $1.records } + shardRecords }
    public var bytesWritten: Int { shards.reduce(0) { $0 + $1.bytes } + shardBytes }

    public func shardName(_ index: Int) -> String {
        let n = String(index)
        return "\(options.prefix)-\(String(repeating: "0", count: max(0, 5 - n.count)))\(n).\(options.compression.fileExtension)"
    }

    private func openShard() throws {
        let path = (directory as NSString).appendingPathComponent(shardName(shards.count))
        let f = try AtomicFileWriter(path: path)
        switch options.compression {
        case .none: encoder = PlainEncoder()
        case .zstd: encoder = try ZstdEncoder(level: options.level, workers: options.workers, path: path)
        case .gzip: encoder = try GzipEncoder(level: options.level, path: path)
        }
        file = f
        hash = XXH128Stream()
        shardRecords = 0
        shardBytes = 0
    }

    /// Hashes and compresses the pending lines of the open shard.
    private func flushPending() throws {
        guard !pending.isEmpty, let f = file, encoder != nil else { return }
        try pending.withUnsafeBytes { b in
            hash.update(b)
            try encoder!.encode(b) { try f.write($0) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func closeShard() throws {
        guard let f = file, encoder != nil else { return }
        try flushPending()
        try encoder!.finish { try f.write($0) }
        try f.commit()
        shards.append(.init(file: (f.path as NSString).lastPathComponent, records: shardRecords, bytes: shardBytes,
                            compressedBytes: f.bytesWritten, xxh3_128: hash.hexDigest()))
        file = nil
        encoder = nil
    }

    /// Writes one line (its bytes, without newline). The newline is added.
    public func write(line: UnsafeRawBufferPointer) throws {
        let size = line.count + 1
        if file != nil {
            if let m = options.maxRecords, shardRecords >= m { try closeShard() }
            else if let m = options.maxBytes, shardRecords > 0, shardBytes + size > m { try closeShard() }
        }
        if file == nil { try openShard() }
        guard file != nil else { return }
        if pending.count + size > Self.pendingLimit { try flushPending() }
        if size > Self.pendingLimit {
            hash.update(line)
            try encoder!.encode(line) { try file!.write($0) }
            pending.append(0x0A)
        } else {
            if pending.capacity < Self.pendingLimit { pending.reserveCapacity(Self.pendingLimit) }
            pending.append(contentsOf: line)
            pending.append(0x0A)
        }
        shardRecords += 1
        shardBytes += size
    }

    public func write(_ record: RawRecord) throws {
        try record.bytes.withUnsafeBytes { try write(line: $0) }
    }

    /// Closes the last shard, removes stale shards of this prefix from an earlier run, and writes the
    /// manifest. Returns it.
    @discardableResult
    public func finish() throws -> Manifest {
        guard !finished else { return Manifest(prefix: options.prefix, compression: options.compression, shards: shards) }
        try closeShard()
        finished = true
        let keep = Set(shards.map(\.file))
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names where name.hasPrefix(options.prefix + "-") && !keep.contains(name) {
                let rest = name.dropFirst(options.prefix.count + 1)
                if rest.count > 6, rest.prefix(5).allSatisfy(\.isNumber), rest.dropFirst(5).hasPrefix(".json") {
                    try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
                }
            }
        }
        let manifest = Manifest(prefix: options.prefix, compression: options.compression, shards: shards)
        try ShardedOutput.complete(manifest, directory: directory)
        return manifest
    }
}
