import Foundation

/// Counts a reader keeps while it reads: what came in and what it could not read.
public struct ReadCounts: Sendable, Codable, Equatable {
    public var files = 0
    public var emptyFiles: [String] = []
    public var records = 0
    public var rejected = 0
    public var rejectedByReason: [String: Int] = [:]
    public var bytes = 0
    public var fileBytes = 0
    public var blankLines = 0
    public init() {}

}

/// A batch of lines copied out of one input file: the unit of parallel work. Ordered by `sequence`.
public struct LineBatch: Sendable {
    public struct Line: Sendable {
        public var start: Int
        public var count: Int
        public var line: Int
        public var offset: Int
        /// For a line longer than the reader's limit: its full length (the batch holds only its
        /// first bytes). 0 for every other line.
        public var tooLongLength = 0
        /// For a Parquet row known to be valid JSON: where its top-level fields are in the batch's
        /// `fieldSpans` (-1: none, the line is validated when it is parsed).
        var fieldsStart = -1
        var fieldsCount = 0
    }
    public var file: String
    public var sequence: Int
    public var data: [UInt8] = []
    public var lines: [Line] = []
    /// Top-level fields of the lines that carry them (Parquet rows), relative to each line's start.
    var fieldSpans: [FieldSpan] = []
    /// The reader's `--max-line-bytes`, for the error of a too-long line.
    public var maxLineBytes = ReadOptions.defaultMaxLineBytes

    public func bytes(_ l: Line) -> ArraySlice<UInt8> { data[l.start..<(l.start + l.count)] }
    public func location(_ l: Line) -> SourceLocation { SourceLocation(file: file, line: l.line, offset: l.offset) }

    private func tooLong(_ l: Line) -> CurationError {
        .badRecord(location(l), reason: "line of \(l.tooLongLength) bytes is longer than the limit of \(maxLineBytes) bytes (--max-line-bytes)", kind: .lineTooLong)
    }

    /// The lines that are not valid records, with the error `record(_:)` would throw for each, ascending:
    /// what `RecordReader.parse` finds, without copying any line out (for a stage that writes lines back
    /// as they are, like `convert`). Parquet rows known valid are not scanned again.
    public func invalidLines() -> [(index: Int, error: CurationError)] {
        var failures: [(index: Int, error: CurationError)] = []
        data.withUnsafeBytes { d in
            for (k, l) in lines.enumerated() where l.fieldsStart < 0 {
                if l.tooLongLength > 0 { failures.append((k, tooLong(l))); continue }
                do { _ = try JSONParser.scanTopLevel(UnsafeRawBufferPointer(rebasing: d[l.start..<(l.start + l.count)])) } catch let e as JSONSyntaxError {
                    failures.append((k, .badRecord(location(l), reason: e.description, kind: e.kind)))
                } catch {
                    failures.append((k, .badRecord(location(l), reason: "\(error)")))
                }
            }
        }
        return failures
    }

    /// The line as a record: every stage parses batch lines through here, so a too-long line (kept
    /// only as a prefix) is rejected as `line-too-long` rather than parsed as a truncated record.
    public func record(_ l: Line) throws -> RawRecord {
        if l.tooLongLength > 0 { throw tooLong(l) }
        if l.fieldsStart >= 0 {
            return RawRecord(validBytes: Array(bytes(l)), fields: Array(fieldSpans[l.fieldsStart..<(l.fieldsStart + l.fieldsCount)]),
                             location: location(l))
        }
        return try RawRecord(bytes: Array(bytes(l)), location: location(l))
    }
}

/// A unit of input: a whole file, row groups `[a, b)` of a Parquet file, or an on-disk byte range of a
/// JSONL file (the units a sharded run shares out). Records keep the file's numbering (`FILE: row N`,
/// `FILE:LINE`) whichever slice reads them.
public struct InputSlice: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// nil: the whole file. Only Parquet files have row groups.
    public var rowGroups: Range<Int>?
    /// On-disk byte range [a, b): for plain JSONL a line-aligned range; for zstd a run of whole frames. nil: whole file (or rowGroups).
    public var byteRange: Range<Int>?
    /// 1-based line number of the range's first line, and its byte offset in the uncompressed stream.
    public var firstLine: Int = 1
    public var firstOffset: Int = 0

    public init(file: String, rowGroups: Range<Int>? = nil) {
        self.file = file
        self.rowGroups = rowGroups
    }

    /// Bytes `byteRange` of a JSONL file, whose first line is line `firstLine` at uncompressed offset
    /// `firstOffset` of the whole file (from `LineCuts.cuts` for plain files, from the manifest's frames
    /// for zstd shards: the sums of the earlier frames' records + 1 and bytes).
    public init(file: String, byteRange: Range<Int>, firstLine: Int = 1, firstOffset: Int = 0) {
        self.file = file
        self.byteRange = byteRange
        self.firstLine = firstLine
        self.firstOffset = firstOffset
    }

    /// Cuts each file into slices of at most `rowGroupsPerSlice` row groups (Parquet; reads each footer);
    /// other files stay whole. A Parquet file with no row groups is one (empty) slice.
    public static func rowGroupSlices(_ files: [String], rowGroupsPerSlice: Int, limits: ParquetLimits = ParquetLimits()) throws -> [InputSlice] {
        guard rowGroupsPerSlice >= 1 else { throw CurationError.invalidArgument("row groups per slice must be at least 1") }
        var out: [InputSlice] = []
        for f in files {
            guard ParquetInput.isParquet(f) else { out.append(InputSlice(file: f)); continue }
            let n = try ParquetInput.rowGroups(of: f, limits: limits).count
            if n == 0 { out.append(InputSlice(file: f, rowGroups: 0..<0)); continue }
            for a in stride(from: 0, to: n, by: rowGroupsPerSlice) { out.append(InputSlice(file: f, rowGroups: a..<min(n, a + rowGroupsPerSlice))) }
        }
        return out
    }

    public var description: String {
        if let r = byteRange { return "\(file) [bytes \(r.lowerBound)..<\(r.upperBound)]" }
        return rowGroups.map { "\(file) [row groups \($0.lowerBound)..<\($0.upperBound)]" } ?? file
    }
}

/// Reads records from many files (or slices of files), in order, under an error policy.
///
/// `fail` throws the first bad line's error (file, line, byte offset, reason); `skip` hands bad lines
/// to a `RejectedWriter` (verbatim, with the reason) and counts them. Empty files are counted and
/// reported as warnings.
public final class RecordReader {
    public let files: [String]
    /// What is read, in order: `files` whole, or the slices given to `init(slices:)`.
    public let slices: [InputSlice]
    public let policy: ErrorPolicy
    public let rejected: RejectedWriter?
    public let options: ReadOptions
    public private(set) var counts = ReadCounts()
    /// Called with (file, bytes on disk read so far, file size) as reading proceeds, for progress displays.
    public var progress: ((String, Int, Int) -> Void)?

    public convenience init(files: [String], policy: ErrorPolicy = .fail, rejected: RejectedWriter? = nil, options: ReadOptions = ReadOptions()) {
        self.init(slices: files.map { InputSlice(file: $0) }, policy: policy, rejected: rejected, options: options)
    }

    /// Reads `slices` in order. A slice with row groups must be a Parquet file, one with a byte range a
    /// JSONL file, and no slice has both (else the read throws `invalidArgument`). Each slice counts as
    /// one input in `counts.files`, and its `fileBytes` is its share of the file's size; a slice is
    /// reported empty only when its whole file is (a byte range: when it covers the whole file).
    public init(slices: [InputSlice], policy: ErrorPolicy = .fail, rejected: RejectedWriter? = nil, options: ReadOptions = ReadOptions()) {
        self.slices = slices
        self.files = slices.map(\.file)
        self.policy = policy
        self.rejected = rejected
        self.options = options
    }

    /// Records one bad line under the policy: throws under `fail`, writes and counts under `skip`.
    public func reject(_ line: UnsafeRawBufferPointer, error: CurationError) throws {
        guard policy == .skip else { throw error }
        counts.rejected += 1
        counts.rejectedByReason[error.rejectionReason.rawValue, default: 0] += 1
        try rejected?.write(line: line, error: error)
    }

    /// Calls `body` with each valid record, in file then line order.
    public func forEach(_ body: (RawRecord) throws -> Void) throws {
        for slice in slices {
            let file = slice.file
            try Self.checkSlice(slice)
            if ParquetInput.isParquet(file) {
                counts.files += 1
                let sizes = try ParquetInput.forEachRow(file, rowGroups: slice.rowGroups, options: options, progress: progress) { row, rowNumber, fields in
                    let loc = SourceLocation(file: file, line: rowNumber + 1, offset: -1)
                    if row.count > options.maxLineBytes {
                        try reject(UnsafeRawBufferPointer(rebasing: row.prefix(LineReader.tooLongPrefixBytes)),
                                   error: ParquetInput.tooLong(loc, length: row.count, limit: options.maxLineBytes))
                        return
                    }
                    let record: RawRecord
                    do {
                        if let fields { record = RawRecord(validBytes: Array(row), fields: fields, location: loc) }
                        else { record = try RawRecord(bytes: Array(row), location: loc) }
                    } catch let e as CurationError {
                        try reject(row, error: e)
                        return
                    }
                    counts.records += 1
                    try body(record)
                }
                counts.bytes += sizes.jsonBytes
                counts.fileBytes += sizes.fileBytes
                if sizes.fileRows == 0 { counts.emptyFiles.append(file) }
                continue
            }
            let reader = try lineReader(slice)
            counts.files += 1
            var n = 0
            try reader.forEachLine({ line, lineNo, offset in
                n += 1
                let loc = SourceLocation(file: file, line: lineNo, offset: offset)
                let record: RawRecord
                do {
                    record = try RawRecord(bytes: Array(line), location: loc)
                } catch let e as CurationError {
                    try reject(line, error: e)
                    return
                }
                counts.records += 1
                try body(record)
                if n & 4095 == 0 { progress?(file, reader.fileBytesRead, reader.fileSize) }
            }, tooLong: { long in
                n += 1
                try self.reject(long.prefix, error: long.error)
            })
            counts.bytes += reader.bytesRead
            counts.fileBytes += reader.fileBytesRead
            counts.blankLines += reader.blankLines
            if n == 0 && Self.coversWholeFile(slice, reader) { counts.emptyFiles.append(file) }
            progress?(file, reader.fileBytesRead, reader.fileSize)
        }
    }

    /// Reads lines into batches of about `batchBytes` (never splitting a line), without parsing them.
    /// Pair with `parse(batch:)` on worker threads and `absorb` on the reading thread.
    public func forEachBatch(batchBytes: Int = 1 << 20, _ body: (LineBatch) throws -> Void) throws {
        var seq = 0
        for slice in slices {
            let file = slice.file
            try Self.checkSlice(slice)
            if ParquetInput.isParquet(file) {
                try parquetBatches(file, rowGroups: slice.rowGroups, batchBytes: batchBytes, sequence: &seq, body)
                continue
            }
            let reader = try lineReader(slice)
            counts.files += 1
            let limit = options.maxLineBytes
            func newBatch() -> LineBatch {
                var b = LineBatch(file: file, sequence: seq)
                b.maxLineBytes = limit
                b.data.reserveCapacity(min(batchBytes, limit) + 4096)
                return b
            }
            var batch = newBatch()
            var n = 0
            func add(_ line: UnsafeRawBufferPointer, _ entry: LineBatch.Line) throws {
                n += 1
                batch.lines.append(entry)
                batch.data.append(contentsOf: line)
                if batch.data.count >= batchBytes {
                    try body(batch)
                    seq += 1
                    batch = newBatch()
                    progress?(file, reader.fileBytesRead, reader.fileSize)
                }
            }
            // A too-long line travels in its batch as its prefix, flagged, so it is rejected in order
            // by whoever parses the batch (`LineBatch.record`), on the same path as any bad line.
            try reader.forEachLine({ line, lineNo, offset in
                try add(line, .init(start: batch.data.count, count: line.count, line: lineNo, offset: offset))
            }, tooLong: { long in
                try add(long.prefix, .init(start: batch.data.count, count: long.prefix.count, line: long.line, offset: long.offset,
                                           tooLongLength: long.length))
            })
            if !batch.lines.isEmpty { try body(batch); seq += 1 }
            counts.bytes += reader.bytesRead
            counts.fileBytes += reader.fileBytesRead
            counts.blankLines += reader.blankLines
            if n == 0 && Self.coversWholeFile(slice, reader) { counts.emptyFiles.append(file) }
            progress?(file, reader.fileBytesRead, reader.fileSize)
        }
    }

    /// A Parquet file as batches: each row (rendered as the JSON object `datasets` would write) is a
    /// "line" whose location is its 1-based row number; a row past `--max-line-bytes` travels as its
    /// prefix, flagged, like an over-long JSONL line.
    private func parquetBatches(_ file: String, rowGroups: Range<Int>?, batchBytes: Int, sequence seq: inout Int, _ body: (LineBatch) throws -> Void) throws {
        let limit = options.maxLineBytes
        func newBatch(_ s: Int) -> LineBatch {
            var b = LineBatch(file: file, sequence: s)
            b.maxLineBytes = limit
            b.data.reserveCapacity(min(batchBytes, limit) + 4096)
            return b
        }
        var batch = newBatch(seq)
        var sequence = seq
        counts.files += 1
        let sizes = try ParquetInput.forEachRow(file, rowGroups: rowGroups, options: options, progress: progress) { row, rowNumber, fields in
            if row.count > limit {
                let prefix = row.prefix(min(LineReader.tooLongPrefixBytes, limit))
                batch.lines.append(.init(start: batch.data.count, count: prefix.count, line: rowNumber + 1, offset: -1, tooLongLength: row.count))
                batch.data.append(contentsOf: prefix)
            } else {
                var line = LineBatch.Line(start: batch.data.count, count: row.count, line: rowNumber + 1, offset: -1)
                if let fields {
                    line.fieldsStart = batch.fieldSpans.count
                    line.fieldsCount = fields.count
                    batch.fieldSpans.append(contentsOf: fields)
                }
                batch.lines.append(line)
                batch.data.append(contentsOf: row)
            }
            if batch.data.count >= batchBytes {
                try body(batch)
                sequence += 1
                batch = newBatch(sequence)
            }
        }
        if !batch.lines.isEmpty { try body(batch); sequence += 1 }
        seq = sequence
        counts.bytes += sizes.jsonBytes
        counts.fileBytes += sizes.fileBytes
        if sizes.fileRows == 0 { counts.emptyFiles.append(file) }
    }

    /// Row groups are Parquet's and byte ranges JSONL's: any other pairing is a caller's mistake.
    private static func checkSlice(_ slice: InputSlice) throws {
        if slice.rowGroups != nil && slice.byteRange != nil {
            throw CurationError.invalidArgument("\(slice.file): a slice has row groups or a byte range, not both")
        }
        let parquet = ParquetInput.isParquet(slice.file)
        if slice.rowGroups != nil && !parquet {
            throw CurationError.invalidArgument("\(slice.file): only a Parquet file can be read by row groups")
        }
        if slice.byteRange != nil && parquet {
            throw CurationError.invalidArgument("\(slice.file): a Parquet file is read by row groups, not by byte range")
        }
    }

    private func lineReader(_ slice: InputSlice) throws -> LineReader {
        guard let r = slice.byteRange else { return try LineReader(path: slice.file, maxLineBytes: options.maxLineBytes) }
        return try LineReader(path: slice.file, maxLineBytes: options.maxLineBytes, range: r,
                              firstLine: slice.firstLine, firstOffset: slice.firstOffset)
    }

    /// Whether the slice read all of its file (a byte range over the whole file counts as whole): only
    /// then can an empty read say the file is empty.
    private static func coversWholeFile(_ slice: InputSlice, _ reader: LineReader) -> Bool {
        guard let r = slice.byteRange else { return true }
        return r.lowerBound == 0 && r.count == reader.fileSize && reader.fileSize == Self.sizeOnDisk(slice.file)
    }

    private static func sizeOnDisk(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// Parses a batch into records and per-line errors (thread-safe: touches no shared state).
    public static func parse(_ batch: LineBatch) -> [Result<RawRecord, CurationError>] {
        batch.lines.map { l in
            do { return .success(try batch.record(l)) } catch let e as CurationError {
                return .failure(e)
            } catch { return .failure(.badRecord(batch.location(l), reason: "\(error)")) }
        }
    }

    /// Takes a parsed batch's results on the reading thread, in batch order: counts records, applies
    /// the policy to failures, and returns the good records.
    public func absorb(_ batch: LineBatch, _ results: [Result<RawRecord, CurationError>]) throws -> [RawRecord] {
        var good: [RawRecord] = []
        good.reserveCapacity(results.count)
        for (l, r) in zip(batch.lines, results) {
            switch r {
            case .success(let rec): good.append(rec); counts.records += 1
            case .failure(let e):
                try batch.data.withUnsafeBytes { try reject(UnsafeRawBufferPointer(rebasing: $0[l.start..<(l.start + l.count)]), error: e) }
            }
        }
        return good
    }

    /// Like `absorb(_:_:)` for a stage that scans a batch in place and keeps no records: counts the good
    /// lines and applies the policy to the bad ones. `failures` holds (line index in the batch, error),
    /// ascending.
    public func absorb(_ batch: LineBatch, failures: [(index: Int, error: CurationError)]) throws {
        counts.records += batch.lines.count - failures.count
        for f in failures where batch.lines.indices.contains(f.index) {
            let l = batch.lines[f.index]
            try batch.data.withUnsafeBytes { try reject(UnsafeRawBufferPointer(rebasing: $0[l.start..<(l.start + l.count)]), error: f.error) }
        }
    }
}

/// Where `--on-error skip` puts bad lines: `rejected.jsonl` holds each bad line byte for byte, and
/// `rejected.reasons.jsonl` holds, line for line, `{"file","line","offset","reason"}`.
public final class RejectedWriter {
    public let path: String
    public let reasonsPath: String
    private var lines: AtomicFileWriter?
    private var reasons: AtomicFileWriter?
    public private(set) var count = 0

    public init(directory: String, name: String = "rejected") {
        path = (directory as NSString).appendingPathComponent("\(name).jsonl")
        reasonsPath = (directory as NSString).appendingPathComponent("\(name).reasons.jsonl")
    }

    public func write(line: UnsafeRawBufferPointer, error: CurationError) throws {
        if lines == nil {
            lines = try AtomicFileWriter(path: path)
            reasons = try AtomicFileWriter(path: reasonsPath)
        }
        try lines?.write(line)
        try lines?.write([0x0A])
        var obj = JSONObject()
        if case .badRecord(let loc, let reason, _) = error {
            obj["file"] = .string(loc.file); obj["line"] = .int(loc.line); obj["offset"] = .int(loc.offset)
            obj["reason"] = .string(reason)
            obj["kind"] = .string(error.rejectionReason.rawValue)
        } else {
            obj["reason"] = .string(error.description)
        }
        var b = JSONWriter.bytes(.object(obj)); b.append(0x0A)
        try reasons?.write(b)
        count += 1
    }

    /// Renames the files into place (only when something was rejected).
    public func finish() throws {
        try lines?.commit()
        try reasons?.commit()
    }
}
