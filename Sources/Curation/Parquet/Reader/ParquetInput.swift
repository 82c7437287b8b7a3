/// The record readers' side of Parquet: which inputs are Parquet, and reading one file's rows under
/// the reader's options (projection, limits) with its counts and progress kept as for JSONL.
public enum ParquetInput {
    /// A `.parquet` file name (any case).
    public static func isParquet(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".parquet")
    }

    /// Calls `body(row JSON, 0-based row number, its top-level fields when the row is known valid JSON)`
    /// for every row of `file`. Returns the file's size on
    /// disk and the JSON bytes produced (for the reader's counts: `body` may update them meanwhile, so they
    /// are not passed in). Parquet errors come out as `CurationError.io` naming the file, row group,
    /// column and page.
    ///
    /// `rowGroups` (nil: all) reads row groups `[a, b)` only (an `InputSlice`); row numbers stay the
    /// file's. `fileBytes` is then the slice's share of the file's size (by rows, so the shares of a
    /// partition of the row groups add up to the file's size), and `fileRows` tells whether the whole
    /// file is empty.
    static func forEachRow(_ file: String, rowGroups: Range<Int>? = nil, options: ReadOptions, progress: ((String, Int, Int) -> Void)?,
                           _ body: (UnsafeRawBufferPointer, Int, [FieldSpan]?) throws -> Void) throws -> (fileBytes: Int, jsonBytes: Int, fileRows: Int) {
        do {
            let pq = try ParquetFile(path: file, limits: options.parquetLimits)
            // A projection keeps only the fields this file has: inputs with different schemas can share it.
            let columns = options.parquetColumns.map { wanted in wanted.filter { pq.schema.fieldNames.contains($0) } }
            let range = rowGroups ?? 0..<pq.rowGroups.count
            guard range.lowerBound >= 0, range.upperBound <= pq.rowGroups.count else {
                throw ParquetError(file: file, reason: "row groups \(range.lowerBound)..<\(range.upperBound) outside the file's \(pq.rowGroups.count)")
            }
            var bytes = 0
            let total = max(1, pq.rowCount)
            func sizeAt(_ rows: Int) -> Int { Int((Double(pq.fileSize) * Double(rows) / Double(total)).rounded(.down)) }
            for g in range {
                try pq.forEachRow(rowGroups: g..<(g + 1), columns: columns, withFields: true) { row, n, fields in
                    bytes += row.count
                    try body(row, n, fields)
                }
                let done = pq.rowGroups[g].firstRow + pq.rowGroups[g].rows
                progress?(file, sizeAt(done), pq.fileSize)
            }
            guard rowGroups != nil else { return (pq.fileSize, bytes, pq.rowCount) }
            // Where row group g starts in the file's bytes, by rows (0 for the first, the size past the last).
            func start(_ g: Int) -> Int { g == 0 ? 0 : g >= pq.rowGroups.count ? pq.fileSize : sizeAt(pq.rowGroups[g].firstRow) }
            return (range.isEmpty ? 0 : start(range.upperBound) - start(range.lowerBound), bytes, pq.rowCount)
        } catch let e as ParquetError {
            throw e.curationError
        }
    }

    /// The row groups of a Parquet file (their rows and first rows), read from its footer only: for
    /// cutting a file into `InputSlice`s.
    public static func rowGroups(of file: String, limits: ParquetLimits = ParquetLimits()) throws -> [ParquetFile.RowGroupInfo] {
        do { return try ParquetFile(path: file, limits: limits).rowGroups } catch let e as ParquetError { throw e.curationError }
    }

    static func tooLong(_ loc: SourceLocation, length: Int, limit: Int) -> CurationError {
        .badRecord(loc, reason: "row of \(length) bytes as JSON is longer than the limit of \(limit) bytes (--max-line-bytes)", kind: .lineTooLong)
    }
}
