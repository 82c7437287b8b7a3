import Foundation

/// The Parquet side of `ShardedWriter` (`format: .parquet`): every record is checked against, and widens,
/// the union schema (`SchemaInferrer`) and is spilled as a JSON line to a hidden temporary file in the
/// output directory; `encode` then reads the spill back once and writes every shard under the final
/// schema, so all shards of an output share one schema (as Hugging Face `datasets` needs).
///
/// Memory: the schema, one spill buffer, and one row group's column buffers (bounded by
/// `rowGroupRows` / `rowGroupBytes`). Disk: the spill holds the JSON text until `encode` ends (see
/// `SpillFile`: unlinked from the start, never pushed to the disk on purpose).
final class ParquetShardEncoder {
    let directory: String
    let options: ParquetWriteOptions
    private var inferrer: SchemaInferrer
    private let spill: SpillFile

    init(directory: String, prefix: String, options: ParquetWriteOptions) throws {
        self.directory = directory
        self.options = options
        inferrer = SchemaInferrer(jsonColumns: options.jsonColumns)
        spill = try SpillFile(path: (directory as NSString).appendingPathComponent(".\(prefix).parquet-spill-\(getpid())"))
    }

    /// Checks a record against the schema so far and widens the schema by it; throws `RecordFitError`
    /// (the schema unchanged) when it cannot fit.
    func check(_ line: UnsafeRawBufferPointer) throws {
        if let base = line.baseAddress, memchr(base, 0x0A, line.count) != nil {
            throw RecordFitError(field: "", reason: "a record must be one line (it holds a line feed)", isSyntax: true, kind: .malformedJSON)
        }
        try inferrer.add(line)
    }

    /// Appends checked lines (newline-terminated) to the spill.
    func spill(_ lines: UnsafeRawBufferPointer) throws { try spill.write(lines) }

    /// Writes the shards: `shards[k].file` gets the next `shards[k].records` spilled records. Returns each
    /// file's size.
    func encode(shards: [(file: String, records: Int)]) throws -> [Int] {
        try spill.flush()
        let leaves = inferrer.layout()
        let total = shards.reduce(0) { $0 + $1.records }
        guard total == 0 || !leaves.isEmpty else {
            throw CurationError.invalidArgument("cannot write Parquet: no record has a field (Parquet needs at least one column)")
        }
        var columns: [ColumnBuffer] = []
        func build(_ f: InferredField, _ path: [String]) {
            switch f.kind {
            case .object: for c in f.children { build(c, path + [c.nameString]) }
            case .list: if let e = f.element { build(e, path + ["list", "element"]) }
            default:
                let physical: ColumnBuffer.Physical
                switch f.kind {
                case .bool: physical = .boolean
                case .int: physical = .int64
                case .double: physical = .double
                default: physical = .byteArray
                }
                columns.append(ColumnBuffer(physical: physical, maxDef: f.def, maxRep: f.rep, path: path))
            }
        }
        for c in inferrer.root.children { build(c, [c.nameString]) }
        let shredder = RecordShredder(root: inferrer.root, columns: columns)
        let compressor = try PageCompressor(codec: options.codec, level: options.level)
        var sizes: [Int] = []
        var shardIndex = 0
        var writer: ParquetFileWriter?
        var inShard = 0
        var inGroup = 0
        var recordNumber = 0

        func flushGroup() throws {
            guard let w = writer, inGroup > 0 else { return }
            try w.writeRowGroup(columns, rows: inGroup)
            for c in columns { c.reset() }
            inGroup = 0
        }
        func closeShard() throws {
            guard let w = writer else { return }
            try flushGroup()
            sizes.append(try w.finish())
            writer = nil
            shardIndex += 1
            inShard = 0
        }
        func openShardIfNeeded() throws {
            while writer == nil {
                guard shardIndex < shards.count else {
                    throw CurationError.io(path: spill.path, reason: "the Parquet spill holds more records than the shards planned")
                }
                if shards[shardIndex].records == 0 { sizes.append(0); shardIndex += 1; continue }
                writer = try ParquetFileWriter(path: (directory as NSString).appendingPathComponent(shards[shardIndex].file),
                                               root: inferrer.root, options: options, compressor: compressor)
            }
        }

        try spill.forEachLine { line in
            try openShardIfNeeded()
            recordNumber += 1
            do { try shredder.shred(line) } catch let e as RecordFitError {
                throw CurationError.io(path: spill.path, reason: "parquet: output record \(recordNumber): field \(e.field): \(e.reason)")
            }
            inShard += 1
            inGroup += 1
            if inGroup >= options.rowGroupRows || columns.reduce(0, { $0 + $1.bufferedBytes }) >= options.rowGroupBytes {
                try flushGroup()
            }
            if inShard >= shards[shardIndex].records { try closeShard() }
        }
        try closeShard()
        guard recordNumber == total else {
            throw CurationError.io(path: spill.path, reason: "the Parquet spill holds \(recordNumber) records, \(total) were written")
        }
        return sizes
    }
}

/// The spill: JSON lines written once and read back once by the same process. The file is created in
/// the output directory (same disk as the output, and the space check the caller made) and unlinked at
/// once, so it needs no cleanup whatever happens to the process, and it is read back through the same
/// descriptor. Unlike `AtomicFileWriter` (whose output must reach the disk) it never starts writeback
/// nor syncs: a spill that fits the page cache is dropped with the descriptor without ever being
/// written to the disk, and the kernel time `sync_file_range` cost on it (block allocation, bios for
/// 100 MB of JSON) is saved.
final class SpillFile {
    /// The name the file was created under (for messages; it is unlinked).
    let path: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private static let capacity = 1 << 20
    private var used = 0

    init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard f >= 0 else { throw CurationError.io(path: path, reason: "cannot create the Parquet spill: \(String(cString: strerror(errno)))") }
        unlink(path)
        fd = f
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.capacity, alignment: 64)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        if used + bytes.count > Self.capacity { try flush() }
        if bytes.count >= Self.capacity {
            try writeAll(src, bytes.count)
        } else {
            (buffer + used).copyMemory(from: src, byteCount: bytes.count)
            used += bytes.count
        }
    }

    func flush() throws {
        guard used > 0 else { return }
        try writeAll(buffer, used)
        used = 0
    }

    private func writeAll(_ p: UnsafeRawPointer, _ n: Int) throws {
        try FileDescriptorWrite.all(fd, p, n, path: path, what: "cannot write the Parquet spill")
    }

    /// Calls `body` with each spilled line (without its line feed), in order, reading from the start
    /// (bounded memory: a 4 MiB buffer, more only for a longer line). Flushes first.
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try flush()
        var offset: off_t = 0
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var used = 0
        while true {
            if used == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { b in pread(fd, b.baseAddress.map { $0 + used }, b.count - used, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CurationError.io(path: path, reason: "cannot read the Parquet spill: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            offset += off_t(n)
            used += n
            var start = 0
            try buffer.withUnsafeBytes { b in
                guard let base = b.baseAddress else { return }
                while start < used, let nl = memchr(base + start, 0x0A, used - start) {
                    let end = base.distance(to: UnsafeRawPointer(nl))
                    try body(UnsafeRawBufferPointer(rebasing: b[start..<end]))
                    start = end + 1
                }
            }
            if start > 0 {
                buffer.withUnsafeMutableBytes { b in
                    guard let base = b.baseAddress else { return }
                    memmove(base, base + start, used - start)
                }
                used -= start
            }
        }
        guard used == 0 else { throw CurationError.io(path: path, reason: "the Parquet spill ends inside a record") }
    }
}
