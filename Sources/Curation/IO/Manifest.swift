import Foundation

/// What a sharded output holds: written beside the shards as `PREFIX.manifest.json`, so a later stage
/// or a re-run can check the shards without trusting their names.
public struct Manifest: Codable, Sendable, Equatable {
    public struct Shard: Codable, Sendable, Equatable {
        /// File name, relative to the manifest's directory.
        public var file: String
        public var records: Int
        /// Uncompressed bytes (the JSONL text).
        public var bytes: Int
        /// Bytes on disk.
        public var compressedBytes: Int
        /// XXH3-128 of the uncompressed content, as xxhsum's hex.
        public var xxh3_128: String
        /// The zstd frames of a zstd JSONL shard, in file order: each holds whole lines, so a reader
        /// can decode any run of consecutive frames alone (a share finer than a file). nil for plain,
        /// gzip and Parquet shards, and in manifests written before frames were listed.
        public var frames: [Frame]?

        enum CodingKeys: String, CodingKey {
            case file, records, bytes, compressedBytes = "compressed_bytes", xxh3_128, frames
        }

        public init(file: String, records: Int, bytes: Int, compressedBytes: Int, xxh3_128: String, frames: [Frame]? = nil) {
            self.file = file; self.records = records; self.bytes = bytes
            self.compressedBytes = compressedBytes; self.xxh3_128 = xxh3_128; self.frames = frames
        }
    }

    /// One zstd frame of a shard: `[offset, offset + compressedBytes)` on disk decodes to `bytes` bytes
    /// holding exactly `records` whole lines.
    public struct Frame: Codable, Sendable, Equatable {
        /// Byte offset of the frame in the file (compressed).
        public var offset: Int
        public var compressedBytes: Int
        /// Uncompressed bytes (whole lines, newlines included).
        public var bytes: Int
        public var records: Int

        enum CodingKeys: String, CodingKey {
            case offset, compressedBytes = "compressed_bytes", bytes, records
        }

        public init(offset: Int, compressedBytes: Int, bytes: Int, records: Int) {
            self.offset = offset; self.compressedBytes = compressedBytes; self.bytes = bytes; self.records = records
        }
    }
    public var version = 1
    public var prefix: String
    /// The JSONL shards' compression (`none` for Parquet shards, whose codec is `parquetCodec`).
    public var compression: Compression
    /// What the shards are: JSONL (manifests written before Parquet output have no `format`: JSONL) or
    /// Parquet. For Parquet, `bytes` and `xxh3_128` are those of the records' JSON lines, as a JSONL
    /// output of the same records would have them.
    public var format: OutputFormat = .jsonl
    /// The Parquet shards' page codec.
    public var parquetCodec: ParquetWriteOptions.Codec?
    public var shards: [Shard]
    public var records: Int { shards.reduce(0) { $0 + $1.records } }
    public var bytes: Int { shards.reduce(0) { $0 + $1.bytes } }
    public var compressedBytes: Int { shards.reduce(0) { $0 + $1.compressedBytes } }

    enum CodingKeys: String, CodingKey {
        case version, prefix, compression, format, parquetCodec = "parquet_codec", shards, records, bytes, compressedBytes = "compressed_bytes"
    }

    public init(prefix: String, compression: Compression, shards: [Shard]) {
        self.prefix = prefix; self.compression = compression; self.shards = shards
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        prefix = try c.decode(String.self, forKey: .prefix)
        compression = try c.decode(Compression.self, forKey: .compression)
        format = try c.decodeIfPresent(OutputFormat.self, forKey: .format) ?? .jsonl
        parquetCodec = try c.decodeIfPresent(ParquetWriteOptions.Codec.self, forKey: .parquetCodec)
        shards = try c.decode([Shard].self, forKey: .shards)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(compression, forKey: .compression)
        try c.encode(format, forKey: .format)
        try c.encodeIfPresent(parquetCodec, forKey: .parquetCodec)
        try c.encode(records, forKey: .records)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(compressedBytes, forKey: .compressedBytes)
        try c.encode(shards, forKey: .shards)
    }

    public static func path(directory: String, prefix: String) -> String {
        (directory as NSString).appendingPathComponent("\(prefix).manifest.json")
    }

    public func jsonBytes() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try enc.encode(self)) + [0x0A]
    }

    public static func load(_ path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw CurationError.io(path: path, reason: "cannot read manifest") }
        do { return try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw CurationError.io(path: path, reason: "not a valid manifest: \(error)")
        }
    }

    /// Re-reads every shard and checks its record count, size and hash. Returns the problems found.
    /// Parquet shards are checked by their footer's row count and their size on disk (the hash is that of
    /// the JSON lines written, which reading the file back does not reproduce byte for byte).
    public func verify(directory: String) -> [String] {
        var problems: [String] = []
        for s in shards {
            let p = (directory as NSString).appendingPathComponent(s.file)
            if format == .parquet {
                do {
                    let file = try ParquetFile(path: p)
                    if file.rowCount != s.records { problems.append("\(s.file): \(file.rowCount) records, manifest says \(s.records)") }
                    if file.fileSize != s.compressedBytes { problems.append("\(s.file): \(file.fileSize) bytes on disk, manifest says \(s.compressedBytes)") }
                } catch {
                    problems.append("\(s.file): \(error)")
                }
                continue
            }
            do {
                let r = try LineReader(path: p)
                let h = XXH128Stream()
                var lines = 0
                try r.forEachLine { line, _, _ in
                    lines += 1
                    h.update(line); h.update(UnsafeRawBufferPointer(start: Manifest.newline, count: 1))
                }
                if lines != s.records { problems.append("\(s.file): \(lines) records, manifest says \(s.records)") }
                if r.bytesRead != s.bytes { problems.append("\(s.file): \(r.bytesRead) bytes, manifest says \(s.bytes)") }
                if h.hexDigest() != s.xxh3_128 { problems.append("\(s.file): content hash differs from the manifest") }
                if let frames = s.frames {
                    if let problem = Self.frameProblem(frames, of: s) { problems.append("\(s.file): \(problem)") }
                    else if let bad = Self.frameWithoutMagic(frames, path: p) { problems.append("\(s.file): no zstd frame starts at listed offset \(bad)") }
                }
            } catch {
                problems.append("\(s.file): \(error)")
            }
        }
        return problems
    }
    /// Whether a shard's frame list tiles it: consecutive, and summing to its records and sizes (a
    /// planner cuts shares at these offsets, so a list that does not add up must not pass).
    static func frameProblem(_ frames: [Frame], of s: Shard) -> String? {
        var offset = 0, records = 0, bytes = 0
        for f in frames {
            if f.offset != offset { return "frame at \(f.offset) does not follow the previous frame (expected \(offset))" }
            offset += f.compressedBytes; records += f.records; bytes += f.bytes
        }
        if offset != s.compressedBytes || records != s.records || bytes != s.bytes {
            return "frames sum to \(records) records, \(bytes) bytes, \(offset) bytes on disk; the shard has \(s.records), \(s.bytes), \(s.compressedBytes)"
        }
        return nil
    }
    /// The first listed frame offset where the file holds no zstd frame magic (nil: all have it): a
    /// share starting there would be refused, so verify says so first. Four bytes read per frame.
    static func frameWithoutMagic(_ frames: [Frame], path: String) -> Int? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return frames.first?.offset }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        for f in frames where f.compressedBytes > 0 {
            guard pread(fd, &head, 4, off_t(f.offset)) == 4, Compression.fromMagic(head) == .zstd else { return f.offset }
        }
        return nil
    }
    static let newline: UnsafeMutableRawPointer = { let p = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1); p.storeBytes(of: 0x0A, as: UInt8.self); return p }()
}
