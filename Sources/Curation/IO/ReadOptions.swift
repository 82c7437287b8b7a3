/// Limits and checks every record reader applies to its inputs (the CLI's `--max-line-bytes` and
/// `--allow-incomplete`).
public struct ReadOptions: Sendable, Equatable {
    /// 64 MiB: far above any real record, far below what would exhaust memory on one hostile line.
    public static let defaultMaxLineBytes = 64 << 20

    /// A longer line is a bad line (`rejected:line-too-long`), read past without being buffered.
    public var maxLineBytes: Int
    /// Read an output directory that is still marked `PREFIX.incomplete` (a writer did not finish).
    public var allowIncomplete: Bool

    /// Parquet inputs: read only these top-level columns (those a file has; nil reads every column).
    /// A stage that needs few fields (decontam's text fields) skips decoding the rest.
    public var parquetColumns: [String]?
    /// Parquet inputs: the reader's limits on footer, page and row-group sizes and schema depth.
    public var parquetLimits: ParquetLimits

    public init(maxLineBytes: Int = ReadOptions.defaultMaxLineBytes, allowIncomplete: Bool = false,
                parquetColumns: [String]? = nil, parquetLimits: ParquetLimits = ParquetLimits()) {
        self.maxLineBytes = maxLineBytes
        self.allowIncomplete = allowIncomplete
        self.parquetColumns = parquetColumns
        self.parquetLimits = parquetLimits
    }
}

/// A line longer than the reader's limit, as the reader hands it out: only its first bytes are kept.
public struct TooLongLine {
    public var file: String
    /// The first `min(LineReader.tooLongPrefixBytes, limit)` bytes of the line.
    public var prefix: UnsafeRawBufferPointer
    /// 1-based line number and byte offset of the line in the uncompressed stream.
    public var line: Int
    public var offset: Int
    /// The line's full length in bytes (without its newline).
    public var length: Int
    public var limit: Int

    /// The bad-line error for this line.
    public var error: CurationError {
        .badRecord(SourceLocation(file: file, line: line, offset: offset),
                   reason: "line of \(length) bytes is longer than the limit of \(limit) bytes (--max-line-bytes)",
                   kind: .lineTooLong)
    }
}
