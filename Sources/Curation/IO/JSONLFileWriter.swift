/// Writes records to one JSONL file, compressed by the name's extension (`.zst`, `.gz`, or plain),
/// under a temporary name that is renamed into place by `commit()`: for outputs small enough to be
/// one file (a selected gold set), where a shard directory would be overkill.
public final class JSONLFileWriter {
    public let path: String
    private let file: AtomicFileWriter
    private var encoder: StreamEncoder
    public private(set) var records = 0

    public init(path: String, level: Int? = nil) throws {
        self.path = path
        file = try AtomicFileWriter(path: path)
        switch Compression.fromExtension(path) {
        case .none: encoder = PlainEncoder()
        case .zstd: encoder = try ZstdEncoder(level: level ?? 3, workers: 1, path: path)
        case .gzip: encoder = try GzipEncoder(level: level ?? 6, path: path)
        }
    }

    /// Writes one record's bytes and a newline.
    public func write(_ record: RawRecord) throws {
        let f = file
        try record.bytes.withUnsafeBytes { b in try encoder.encode(b) { try f.write($0) } }
        try encoder.encode(UnsafeRawBufferPointer(start: Manifest.newline, count: 1)) { try f.write($0) }
        records += 1
    }

    /// Finishes the stream and renames the file into place.
    public func commit() throws {
        let f = file
        try encoder.finish { try f.write($0) }
        try file.commit()
    }
}
