import Foundation

/// A Parquet file opened for reading rows as JSON: the footer is read and checked once; row groups are
/// then decoded one at a time (the unit of memory and of shared work), for all columns or a projection
/// of top-level fields.
///
/// ```swift
/// let file = try ParquetFile(path: "data/train-00000-of-00003.parquet")
/// try file.forEachRow(rowGroups: 0..<file.rowGroups.count, columns: ["messages"]) { json, row in ... }
/// ```
public final class ParquetFile {
    /// One row group as the footer describes it.
    public struct RowGroupInfo: Sendable, Equatable {
        public var rows: Int
        /// Uncompressed bytes of all its columns (the footer's `total_byte_size`).
        public var byteSize: Int
        /// Index of its first row in the file.
        public var firstRow: Int
    }

    public let path: String
    public let schema: ParquetSchema
    public let rowGroups: [RowGroupInfo]
    public let rowCount: Int
    public let fileSize: Int
    public let limits: ParquetLimits
    public let createdBy: String?

    private let metadata: FileMetaData
    private let source: Source
    /// Where the footer starts: column chunks must end before it.
    private let dataEnd: Int

    private enum Source {
        case descriptor(Int32)
        case memory([UInt8])
    }

    /// Whether `head` (a file's first bytes) starts with Parquet's magic.
    public static func hasMagic(_ head: [UInt8]) -> Bool {
        head.count >= 4 && head[0] == 0x50 && head[1] == 0x41 && head[2] == 0x52 && head[3] == 0x31
    }

    public convenience init(path: String, limits: ParquetLimits = ParquetLimits()) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ParquetError(file: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            close(fd)
            throw ParquetError(file: path, reason: "is a directory or cannot be read")
        }
        do {
            try self.init(path: path, source: .descriptor(fd), size: Int(st.st_size), limits: limits)
        } catch {
            close(fd)
            throw error
        }
    }

    /// A file already in memory (tests, the fuzz target).
    public convenience init(bytes: [UInt8], name: String, limits: ParquetLimits = ParquetLimits()) throws {
        try self.init(path: name, source: .memory(bytes), size: bytes.count, limits: limits)
    }

    private init(path: String, source: Source, size: Int, limits: ParquetLimits) throws {
        self.path = path
        self.source = source
        self.fileSize = size
        self.limits = limits
        func fail(_ reason: String) -> ParquetError { ParquetError(file: path, reason: reason) }
        guard size >= 12 else { throw fail("too short to be a Parquet file (\(size) bytes)") }
        let head = try Self.read(source, path: path, at: 0, count: 4)
        let tail = try Self.read(source, path: path, at: size - 8, count: 8)
        guard Self.hasMagic(head) else { throw fail("not a Parquet file (no PAR1 magic at the start)") }
        if tail[4] == 0x50 && tail[5] == 0x41 && tail[6] == 0x52 && tail[7] == 0x45 {
            throw fail("encrypted Parquet files (PARE footer) are not supported")
        }
        guard tail[4] == 0x50 && tail[5] == 0x41 && tail[6] == 0x52 && tail[7] == 0x31 else {
            throw fail("no PAR1 magic at the end (a truncated or unfinished file)")
        }
        let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLength <= size - 12 else { throw fail("footer length \(footerLength) runs past the start of the file (\(size) bytes)") }
        guard footerLength <= limits.maxFooterBytes else { throw fail("footer of \(footerLength) bytes is larger than the limit of \(limits.maxFooterBytes)") }
        dataEnd = size - 8 - footerLength
        let footer = try Self.read(source, path: path, at: dataEnd, count: footerLength)
        do {
            metadata = try footer.withUnsafeBytes { b in
                var r = ThriftCompactReader(b)
                r.entriesLeft = limits.maxFooterEntries
                return try FileMetaData.read(&r)
            }
            schema = try ParquetSchema(metadata.schema, limits: limits)
        } catch let e as ParquetDecodeError {
            throw fail("bad footer: \(e.reason)")
        }
        createdBy = metadata.createdBy
        var groups: [RowGroupInfo] = []
        var first = 0
        for (g, rg) in metadata.rowGroups.enumerated() {
            guard rg.numRows >= 0, rg.numRows <= Int64(Int32.max) else {
                throw ParquetError(file: path, rowGroup: g, reason: "row count \(rg.numRows) out of range")
            }
            guard rg.columns.count == schema.columns.count else {
                throw ParquetError(file: path, rowGroup: g, reason: "has \(rg.columns.count) column chunks, the schema \(schema.columns.count) columns")
            }
            groups.append(RowGroupInfo(rows: Int(rg.numRows), byteSize: Int(clamping: rg.totalByteSize), firstRow: first))
            first += Int(rg.numRows)
        }
        rowGroups = groups
        rowCount = first
    }

    deinit {
        if case .descriptor(let fd) = source { close(fd) }
    }

    private static func read(_ source: Source, path: String, at offset: Int, count: Int) throws -> [UInt8] {
        switch source {
        case .memory(let bytes):
            guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
                throw ParquetError(file: path, reason: "read of \(count) bytes at \(offset) past the end")
            }
            return Array(bytes[offset..<(offset + count)])
        case .descriptor(let fd):
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = out.withUnsafeMutableBytes { b in
                    pread(fd, b.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
                }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw ParquetError(file: path, reason: n < 0 ? "read failed: \(String(cString: strerror(errno)))" : "file shrank while being read")
                }
                done += n
            }
            return out
        }
    }

    /// The top-level field indices of a projection (nil: all, in schema order). An unknown name is an
    /// error listing the file's fields.
    public func fieldIndices(_ columns: [String]?) throws -> [Int] {
        guard let columns else { return Array(schema.fieldNames.indices) }
        var wanted = Set<Int>()
        for c in columns {
            guard let i = schema.fieldNames.firstIndex(of: c) else {
                throw ParquetError(file: path, reason: "no column \"\(c)\" (the file has: \(schema.fieldNames.joined(separator: ", ")))")
            }
            wanted.insert(i)
        }
        return wanted.sorted()
    }

    /// Decodes row group `index` for the top-level fields `fields` (see `fieldIndices`) into an assembler
    /// positioned at its first row.
    func decodeRowGroup(_ index: Int, fields: [Int]) throws -> RowAssembler {
        guard metadata.rowGroups.indices.contains(index) else {
            throw ParquetError(file: path, reason: "no row group \(index) (the file has \(metadata.rowGroups.count))")
        }
        let group = metadata.rowGroups[index]
        let assembler: RowAssembler
        do { assembler = try RowAssembler(schema: schema, fields: fields) } catch let e as ParquetDecodeError {
            throw ParquetError(file: path, rowGroup: index, reason: e.reason)
        }
        var budget = MemoryBudget(limit: limits.maxRowGroupBytes)
        for leaf in assembler.neededLeaves {
            let column = schema.columns[leaf]
            func fail(_ reason: String, page: Int? = nil) -> ParquetError {
                ParquetError(file: path, rowGroup: index, column: column.dottedPath, page: page, reason: reason)
            }
            let chunk = group.columns[leaf]
            if chunk.encrypted { throw fail("encrypted columns are not supported") }
            if let external = chunk.filePath, !external.isEmpty { throw fail("column data in another file (\(external)) is not supported") }
            guard let meta = chunk.meta else { throw fail("column chunk without metadata") }
            guard meta.type == column.physicalType else { throw fail("chunk type \(meta.type) differs from the schema's \(column.physicalType)") }
            var start = meta.dataPageOffset
            if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
            let length = meta.totalCompressedSize
            guard start >= 4, length >= 0, start <= Int64(dataEnd), length <= Int64(dataEnd) - start else {
                throw fail("column chunk at \(start) of \(length) bytes lies outside the file's data (4..<\(dataEnd))")
            }
            guard length <= Int64(limits.maxRowGroupBytes), meta.numValues >= 0, meta.numValues <= Int64(Int32.max) else {
                throw fail("column chunk of \(length) bytes and \(meta.numValues) values is past the reader's limits")
            }
            let bytes = try Self.read(source, path: path, at: Int(start), count: Int(length))
            let decoder = ColumnChunkDecoder(column: column, codec: meta.codec, limits: limits)
            do {
                let data = try bytes.withUnsafeBytes { try decoder.decode($0, numValues: Int(meta.numValues), budget: &budget) }
                assembler.load(leaf, data)
            } catch let e as PageFailure {
                throw fail(e.reason, page: e.page)
            } catch let e as ParquetDecodeError {
                throw fail(e.reason)
            }
        }
        return assembler
    }

    /// Calls `body` with each row of the row groups `rowGroups` as a JSON object (bytes valid during the
    /// call) and its 0-based row number in the file. One row group is held in memory at a time.
    public func forEachRow(rowGroups range: Range<Int>? = nil, columns: [String]? = nil,
                           _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        try forEachRow(rowGroups: range, columns: columns, withFields: false) { row, n, _ in try body(row, n) }
    }

    /// `forEachRow`, also passing each row's top-level fields as `JSONParser.scanTopLevel` would find
    /// them when `withFields` is set and the row is known to be valid JSON (`RowAssembler.rowsAreValidJSON`);
    /// nil otherwise (the caller then validates the row itself).
    func forEachRow(rowGroups range: Range<Int>?, columns: [String]?, withFields: Bool,
                    _ body: (UnsafeRawBufferPointer, Int, [FieldSpan]?) throws -> Void) throws {
        let range = range ?? 0..<rowGroups.count
        guard range.lowerBound >= 0, range.upperBound <= rowGroups.count else {
            throw ParquetError(file: path, reason: "row groups \(range) outside the file's \(rowGroups.count)")
        }
        let fields = try fieldIndices(columns)
        var row: [UInt8] = []
        var spans: [FieldSpan]? = nil
        for g in range {
            let assembler = try decodeRowGroup(g, fields: fields)
            let info = rowGroups[g]
            let trusted = withFields && assembler.rowsAreValidJSON
            do {
                for r in 0..<info.rows {
                    row.removeAll(keepingCapacity: true)
                    if trusted { spans = []; spans!.reserveCapacity(fields.count) }
                    try assembler.writeRow(into: &row, spans: &spans)
                    try row.withUnsafeBytes { try body($0, info.firstRow + r, spans) }
                }
                try assembler.checkConsumed()
            } catch let e as ParquetDecodeError {
                throw ParquetError(file: path, rowGroup: g, reason: e.reason)
            }
        }
    }

    /// All rows as JSON lines (tests and small files).
    public func jsonLines(columns: [String]? = nil) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try forEachRow(columns: columns) { row, _ in out.append(Array(row)) }
        return out
    }
}
