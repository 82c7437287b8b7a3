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
    /// JSONL shards (compressed by `compression`) or Parquet shards (`PREFIX-00000.parquet`, see `parquet`).
    public var format: OutputFormat
    /// How Parquet shards are written (codec, row groups, JSON-text columns); used when `format` is
    /// `.parquet`. Its zstd level is `level`.
    public var parquet: ParquetWriteOptions
    /// Set when this writer writes one share of a sharded stage: its shards are `PREFIX-sIofN-00000.…`,
    /// no manifest file is written (`finish` returns it for the share's `ShareRecord`), and the output
    /// stays marked incomplete until `merge` (see `ShardedOutput.beginShare`).
    public var share: ShardSpec?
    /// zstd JSONL shards: end the current zstd frame once at least this many uncompressed bytes went
    /// into it (at a line boundary) and start a new one, each listed in the manifest, so a later stage
    /// can share a shard out by frames instead of by whole files.
    public var frameBytes: Int
    /// The largest `frameBytes`: up to `workers + 1` frames are held in memory while they compress.
    public static let maxFrameBytes = 256 << 20

    public init(prefix: String = "part", compression: Compression = .zstd, level: Int = 3,
                maxRecords: Int? = nil, maxBytes: Int? = nil, workers: Int = 1,
                format: OutputFormat = .jsonl, parquet: ParquetWriteOptions = ParquetWriteOptions(),
                frameBytes: Int = 8 << 20) {
        self.prefix = prefix; self.compression = compression; self.level = level
        self.maxRecords = maxRecords; self.maxBytes = maxBytes; self.workers = workers
        self.format = format; self.parquet = parquet; self.frameBytes = frameBytes
    }

    /// The Parquet options with the shared level applied.
    var parquetOptions: ParquetWriteOptions {
        var p = parquet
        p.level = level
        return p
    }

    /// The shards' file extension.
    public var fileExtension: String { format == .parquet ? "parquet" : compression.fileExtension }
}

/// Writes records as numbered shards, each under a temporary name until it is complete, then renamed;
/// finishes with the manifest. Follows `ShardedOutput`'s protocol: the directory is marked
/// `PREFIX.incomplete` from `init` until the manifest is in place. Memory is one buffer per open shard, whatever the output size.
///
/// With `format: .parquet` the records are checked against the union schema as they come and spilled to
/// a hidden temporary file; `finish` encodes the planned shards (the same record counts, JSON sizes and
/// hashes a JSONL output would have) under the final schema (`ParquetShardEncoder`). A record that cannot
/// fit the schema is an error naming it and the field, or goes to `rejectUnfit` when that is set.
///
/// zstd JSONL shards are a sequence of zstd frames of about `frameBytes` uncompressed bytes each, ended
/// at line boundaries and listed in the shard's manifest entry (`Manifest.Frame`): a later stage can read
/// any run of them alone (`InputSlice(file:byteRange:firstLine:firstOffset:)`).
public final class ShardedWriter {
    public let directory: String
    public let options: ShardOptions
    public private(set) var shards: [Manifest.Shard] = []

    private var file: AtomicFileWriter?
    /// The open plain or gzip shard's encoder (nil for zstd shards: their frames go to `frameCompressor`).
    private var encoder: StreamEncoder?
    private var hash = XXH128Stream()
    private var shardRecords = 0
    private var shardBytes = 0
    private var finished = false
    private var parquet: ParquetShardEncoder?
    /// Parquet shards planned (named, counted and hashed) but not yet encoded.
    private var planned = false
    /// Under `--on-error skip`: where a record that cannot be written as Parquet goes (with its reason)
    /// instead of ending the stage. Nil: such a record is an error.
    public var rejectUnfit: ((UnsafeRawBufferPointer, CurationError) throws -> Void)?
    /// Records given to `rejectUnfit`.
    public private(set) var rejectedUnfit = 0
    /// Lines not yet hashed and compressed: one call into zstd (and the hash) per ~256 KB instead of two
    /// per line. The compressed bytes do not depend on how the input is chunked.
    private var pending: [UInt8] = []
    private static let pendingLimit = 1 << 18
    /// zstd JSONL only: the open shard's frames written so far, and the current frame's text (its lines,
    /// newline-terminated, so its byte count is the frame's input bytes) and line count. Frame ends are
    /// decided per line from these, so the layout does not depend on batching or on the worker count.
    /// Each frame is compressed alone by `frameCompressor` on a worker while the next one fills.
    private var frames: [Manifest.Frame] = []
    private var frameText: FrameBuffer?
    private var frameRecords = 0
    private var frameCompressor: FrameCompressor?
    private var framed: Bool { parquet == nil && options.compression == .zstd }

    public init(directory: String, options: ShardOptions = ShardOptions()) throws {
        guard !options.prefix.isEmpty, !options.prefix.contains("/") else {
            throw CurationError.invalidArgument("shard prefix must be a plain name, got \"\(options.prefix)\"")
        }
        if let m = options.maxRecords, m < 1 { throw CurationError.invalidArgument("--max-records must be at least 1") }
        if let m = options.maxBytes, m < 1 { throw CurationError.invalidArgument("--max-bytes must be at least 1") }
        if options.frameBytes < 1 { throw CurationError.invalidArgument("zstd frame size must be at least 1 byte") }
        if options.frameBytes > ShardOptions.maxFrameBytes {
            throw CurationError.invalidArgument("zstd frame size must be at most 256MB (a frame is held in memory while it compresses)")
        }
        if options.format == .parquet {
            if let problem = options.parquetOptions.problem { throw CurationError.invalidArgument(problem) }
        } else if let problem = options.compression.levelProblem(options.level) {
            throw CurationError.invalidArgument(problem)
        }
        self.directory = directory
        self.options = options
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw CurationError.io(path: directory, reason: "cannot create output directory: \(error.localizedDescription)")
        }
        if let share = options.share {
            try ShardedOutput.beginShare(directory: directory, prefix: options.prefix, share: share)
        } else {
            try ShardedOutput.begin(directory: directory, prefix: options.prefix)
        }
        if options.format == .parquet {
            parquet = try ParquetShardEncoder(directory: directory, prefix: filePrefix, options: options.parquetOptions)
        }
    }

    public var recordsWritten: Int { shards.reduce(0) { $0 + $1.records } + shardRecords }
    public var bytesWritten: Int { shards.reduce(0) { $0 + $1.bytes } + shardBytes }

    /// The shards' name prefix: the output's, with the share's tag for a share (`part-s3of8`).
    public var filePrefix: String { options.share.map { "\(options.prefix)-\($0.tag)" } ?? options.prefix }

    public func shardName(_ index: Int) -> String {
        let n = String(index)
        return "\(filePrefix)-\(String(repeating: "0", count: max(0, 5 - n.count)))\(n).\(options.fileExtension)"
    }

    private func openShard() throws {
        if parquet != nil {
            planned = true
            hash = XXH128Stream()
            shardRecords = 0
            shardBytes = 0
            return
        }
        let path = (directory as NSString).appendingPathComponent(shardName(shards.count))
        let f = try AtomicFileWriter(path: path)
        switch options.compression {
        case .none: encoder = PlainEncoder()
        case .zstd:
            // Frames are compressed by `frameCompressor`, not by a stream encoder.
            encoder = nil
            if frameCompressor == nil { frameCompressor = FrameCompressor(level: options.level, workers: options.workers) }
            frameText = frameCompressor?.buffer()
        case .gzip: encoder = try GzipEncoder(level: options.level, path: path)
        }
        file = f
        hash = XXH128Stream()
        shardRecords = 0
        shardBytes = 0
        frames = []
        frameRecords = 0
    }

    /// Ends the open shard's current zstd frame: hashes its text and hands it to the workers; frames
    /// compressed by now are written.
    private func endFrame() throws {
        guard let f = file, let compressor = frameCompressor, let text = frameText, frameRecords > 0 else { return }
        hash.update(text.bytes)
        let records = frameRecords
        frameText = compressor.buffer()
        frameRecords = 0
        try compressor.submit(text: text, records: records) { try writeFrame($0, to: f) }
    }

    /// Writes a compressed frame at the end of the shard and lists it.
    private func writeFrame(_ c: FrameCompressor.Compressed, to f: AtomicFileWriter) throws {
        if let failure = c.failure { throw CurationError.io(path: f.path, reason: failure) }
        let offset = f.bytesWritten
        try f.write(c.output.bytes)
        frames.append(.init(offset: offset, compressedBytes: c.output.count, bytes: c.text.count, records: c.records))
        frameCompressor?.recycle(c)
    }

    /// Hashes and compresses the pending lines of the open shard.
    private func flushPending() throws {
        if let pq = parquet {
            guard !pending.isEmpty else { return }
            try pending.withUnsafeBytes { b in
                hash.update(b)
                try pq.spill(b)
            }
            pending.removeAll(keepingCapacity: true)
            return
        }
        guard !pending.isEmpty, let f = file, encoder != nil else { return }
        try pending.withUnsafeBytes { b in
            hash.update(b)
            try encoder?.encode(b) { try f.write($0) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func closeShard() throws {
        if parquet != nil {
            guard planned else { return }
            try flushPending()
            shards.append(.init(file: shardName(shards.count), records: shardRecords, bytes: shardBytes,
                                compressedBytes: 0, xxh3_128: hash.hexDigest()))
            planned = false
            shardRecords = 0
            shardBytes = 0
            return
        }
        guard let f = file else { return }
        if framed {
            // The last frame always holds lines: frames are ended lazily, before the next line.
            try endFrame()
            try frameCompressor?.drain { try writeFrame($0, to: f) }
        } else {
            try flushPending()
            guard encoder != nil else { throw CurationError.io(path: f.path, reason: "the shard has no encoder (a bug)") }
            try encoder?.finish { try f.write($0) }
        }
        try f.commit()
        shards.append(.init(file: (f.path as NSString).lastPathComponent, records: shardRecords, bytes: shardBytes,
                            compressedBytes: f.bytesWritten, xxh3_128: hash.hexDigest(), frames: framed ? frames : nil))
        frames = []
        file = nil
        encoder = nil
    }

    /// Writes one line (its bytes, without newline). The newline is added.
    public func write(line: UnsafeRawBufferPointer) throws {
        try write(line: line, location: nil)
    }

    /// Writes one line; `location` (where it was read) names it in a Parquet fit error.
    public func write(line: UnsafeRawBufferPointer, location: SourceLocation?) throws {
        if let pq = parquet {
            do { try pq.check(line) } catch let e as RecordFitError {
                let error = unfitError(e, line: line, location: location)
                guard let reject = rejectUnfit else { throw error }
                try reject(line, error)
                rejectedUnfit += 1
                return
            }
        }
        let size = line.count + 1
        if file != nil || planned {
            if let m = options.maxRecords, shardRecords >= m { try closeShard() }
            else if let m = options.maxBytes, shardRecords > 0, shardBytes + size > m { try closeShard() }
        }
        if file == nil && !planned { try openShard() }
        guard file != nil || planned else { return }
        // Ending the full frame only when another line comes keeps a shard's last frame non-empty
        // (no empty trailing frame when the frame and the shard fill up together).
        if framed {
            if frameRecords > 0 && (frameText?.count ?? 0) >= options.frameBytes { try endFrame() }
            frameText?.append(line)
            frameText?.append(0x0A)
            shardRecords += 1
            shardBytes += size
            frameRecords += 1
            return
        }
        if pending.count + size > Self.pendingLimit { try flushPending() }
        if size > Self.pendingLimit, parquet == nil, encoder != nil, let f = file {
            hash.update(line)
            try encoder?.encode(line) { try f.write($0) }
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
        try record.bytes.withUnsafeBytes { try write(line: $0, location: record.location) }
    }

    /// A record that cannot be written as Parquet, named by where it came from (or its place in the
    /// output) and its id, with the field and the reason.
    private func unfitError(_ e: RecordFitError, line: UnsafeRawBufferPointer, location: SourceLocation?) -> CurationError {
        let loc = location ?? SourceLocation(file: (directory as NSString).appendingPathComponent(options.prefix) + " (output)",
                                             line: recordsWritten + rejectedUnfit + 1, offset: -1)
        var what = "cannot be written as Parquet"
        if let fields = try? JSONParser.scanTopLevel(line), let span = fields.last(where: { $0.key == "id" }) {
            let raw = String(decoding: UnsafeRawBufferPointer(rebasing: line[span.value]), as: UTF8.self)
            what = "record \(raw.count > 80 ? String(raw.prefix(80)) + "..." : raw) " + what
        }
        let reason = e.field.isEmpty ? "\(what): \(e.reason)" : "\(what): field \(e.field): \(e.reason)"
        return .badRecord(loc, reason: reason, kind: e.kind)
    }

    /// Closes the last shard, removes stale shards of this prefix from an earlier run, and writes the
    /// manifest. Returns it.
    @discardableResult
    public func finish() throws -> Manifest {
        guard !finished else { return manifest() }
        try closeShard()
        finished = true
        if let pq = parquet {
            let sizes = try pq.encode(shards: shards.map { ($0.file, $0.records) })
            for (k, size) in sizes.enumerated() where k < shards.count { shards[k].compressedBytes = size }
            parquet = nil
        }
        let keep = Set(shards.map(\.file))
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names where name.hasPrefix(filePrefix + "-") && !keep.contains(name) {
                let rest = name.dropFirst(filePrefix.count + 1)
                if rest.count > 6, rest.prefix(5).allSatisfy(\.isNumber),
                   rest.dropFirst(5).hasPrefix(".json") || rest.dropFirst(5) == ".parquet" {
                    try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
                }
            }
        }
        let manifest = manifest()
        if options.share == nil { try ShardedOutput.complete(manifest, directory: directory) }
        return manifest
    }

    private func manifest() -> Manifest {
        var m = Manifest(prefix: options.prefix, compression: options.format == .parquet ? .none : options.compression, shards: shards)
        if options.format == .parquet {
            m.format = .parquet
            m.parquetCodec = options.parquet.codec
        }
        return m
    }
}
