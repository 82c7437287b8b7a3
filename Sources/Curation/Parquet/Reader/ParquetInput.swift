/// The record readers' side of Parquet: which inputs are Parquet, and reading one file's rows under
/// the reader's options (projection, limits) with its counts and progress kept as for JSONL.
public enum ParquetInput {
    /// A `.parquet` file name (any case).
    public static func isParquet(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".parquet")
    }

    /// Calls `body(row JSON, 0-based row number)` for every row of `file`. Returns the file's size on
    /// disk and the JSON bytes produced (for the reader's counts: `body` may update them meanwhile, so they
    /// are not passed in). Parquet errors come out as `CurationError.io` naming the file, row group,
    /// column and page.
    static func forEachRow(_ file: String, options: ReadOptions, progress: ((String, Int, Int) -> Void)?,
                           _ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws -> (fileBytes: Int, jsonBytes: Int) {
        do {
            let pq = try ParquetFile(path: file, limits: options.parquetLimits)
            // A projection keeps only the fields this file has: inputs with different schemas can share it.
            let columns = options.parquetColumns.map { wanted in wanted.filter { pq.schema.fieldNames.contains($0) } }
            var bytes = 0
            let total = max(1, pq.rowCount)
            for g in pq.rowGroups.indices {
                try pq.forEachRow(rowGroups: g..<(g + 1), columns: columns) { row, n in
                    bytes += row.count
                    try body(row, n)
                }
                let done = pq.rowGroups[g].firstRow + pq.rowGroups[g].rows
                progress?(file, Int(Double(pq.fileSize) * Double(done) / Double(total)), pq.fileSize)
            }
            return (pq.fileSize, bytes)
        } catch let e as ParquetError {
            throw e.curationError
        }
    }

    static func tooLong(_ loc: SourceLocation, length: Int, limit: Int) -> CurationError {
        .badRecord(loc, reason: "row of \(length) bytes as JSON is longer than the limit of \(limit) bytes (--max-line-bytes)", kind: .lineTooLong)
    }
}
