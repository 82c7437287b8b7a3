/// A Parquet file could not be read. Names the file and, as far as the reader had got, the row group,
/// column and page, so a user can find the bad part with any other Parquet tool.
///
/// Every length, count, offset and size read from a file is checked before it is used; whatever fails a
/// check ends here, never in a trap or an unbounded allocation (the fuzz target `parquet` holds us to it).
public struct ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var rowGroup: Int?
    public var column: String?
    public var page: Int?
    public var reason: String

    public init(file: String, rowGroup: Int? = nil, column: String? = nil, page: Int? = nil, reason: String) {
        self.file = file; self.rowGroup = rowGroup; self.column = column; self.page = page; self.reason = reason
    }

    /// Where in the file, without the file name: "row group 2, column messages.list.element.content, page 3".
    public var place: String {
        var parts: [String] = []
        if let g = rowGroup { parts.append("row group \(g)") }
        if let c = column { parts.append("column \(c)") }
        if let p = page { parts.append("page \(p)") }
        return parts.joined(separator: ", ")
    }

    public var description: String {
        let p = place
        return p.isEmpty ? "\(file): \(reason)" : "\(file): \(p): \(reason)"
    }

    /// As the record readers report it (`CurationError.io`), so callers see one error type per stage.
    public var curationError: CurationError {
        let p = place
        return .io(path: file, reason: p.isEmpty ? "parquet: \(reason)" : "parquet: \(p): \(reason)")
    }
}

/// A decoding failure deep inside a page, before the reader knows where it is; the column reader adds
/// the file, row group, column and page (`ParquetError`).
struct ParquetDecodeError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Limits on what a file may ask the reader to allocate or recurse into. The defaults sit far above any
/// real dataset (Hugging Face shards keep row groups of a few hundred MB at most) and far below what
/// would exhaust a machine on one hostile file.
public struct ParquetLimits: Sendable, Equatable {
    /// The Thrift footer (file metadata): 64 MiB holds hundreds of thousands of column chunks.
    public var maxFooterBytes = 64 << 20
    /// One page, compressed or decompressed.
    public var maxPageBytes = 512 << 20
    /// The decompressed bytes of the selected columns of one row group (what is held at once).
    public var maxRowGroupBytes = 2 << 30
    /// Schema nesting (lists in structs in lists...): each level is one recursion of record assembly.
    public var maxSchemaDepth = 64
    /// Schema elements (columns and groups).
    public var maxSchemaElements = 100_000
    /// List elements in the footer (schema elements, row groups, column chunks, their encodings and
    /// paths): 4 million is 4,000 row groups of 1,000 columns, and bounds the footer's decoded size.
    public var maxFooterEntries = 4_000_000

    public init() {}
}
