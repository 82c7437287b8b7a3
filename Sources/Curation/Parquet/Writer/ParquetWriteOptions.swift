/// How `ShardedWriter` writes Parquet shards (`--format parquet`).
public struct ParquetWriteOptions: Sendable, Equatable {
    /// The codec of the column chunks' pages.
    public enum Codec: String, Sendable, CaseIterable, Codable {
        case zstd, snappy, none

        var thriftValue: Int32 {
            switch self {
            case .none: return 0
            case .snappy: return 1
            case .zstd: return 6
            }
        }
    }

    public var codec: Codec
    /// zstd level (1-22); ignored by the other codecs.
    public var level: Int
    /// A row group ends after this many rows...
    public var rowGroupRows: Int
    /// ...or once its buffered column data passes this many bytes, whichever comes first.
    public var rowGroupBytes: Int
    /// A data page ends (at a row boundary) once its values pass this many bytes.
    public var pageBytes: Int
    /// Fields written as JSON text (a STRING column) instead of being shredded: top-level names, or dotted
    /// paths through objects (`metadata.extra`; list elements add no name).
    public var jsonColumns: [String]
    /// The footer's `created_by`.
    public var createdBy: String
    /// Dictionary-encode a string column chunk when its distinct values fit 1 MiB and save space.
    public var dictionary = true

    public static let defaultRowGroupRows = 10_000
    public static let defaultRowGroupBytes = 128 << 20

    public init(codec: Codec = .zstd, level: Int = 3, rowGroupRows: Int = ParquetWriteOptions.defaultRowGroupRows,
                rowGroupBytes: Int = ParquetWriteOptions.defaultRowGroupBytes, pageBytes: Int = 1 << 20,
                jsonColumns: [String] = [], createdBy: String = "curate version 0.1.0") {
        self.codec = codec; self.level = level; self.rowGroupRows = rowGroupRows; self.rowGroupBytes = rowGroupBytes
        self.pageBytes = pageBytes; self.jsonColumns = jsonColumns; self.createdBy = createdBy
    }

    /// What is wrong with these options, or nil.
    public var problem: String? {
        if rowGroupRows < 1 { return "--row-group-size must be at least 1" }
        if rowGroupBytes < 1 { return "the row group byte limit must be at least 1" }
        if pageBytes < 1 { return "the page byte limit must be at least 1" }
        if codec == .zstd, !(1...22).contains(level) { return "level \(level) is out of range for zstd (1 to 22)" }
        if jsonColumns.contains(where: \.isEmpty) { return "--json-columns holds an empty name" }
        return nil
    }
}

/// The format of a sharded output's files.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case jsonl, parquet
}
