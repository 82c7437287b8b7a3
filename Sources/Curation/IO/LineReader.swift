import Foundation

/// Reads a JSONL file (plain, zstd or gzip) line by line in bounded memory.
///
/// Lines are handed out as pointers into the reader's own buffers (no copy) together with their
/// 1-based line number and the byte offset of the line in the uncompressed stream. A trailing `\r`
/// is dropped; blank lines are skipped and counted.
public final class LineReader {
    public let path: String
    public let compression: Compression
    /// Compressed (on-disk) bytes read so far.
    public private(set) var fileBytesRead = 0
    /// Uncompressed bytes seen so far.
    public private(set) var bytesRead = 0
    /// Lines that held only whitespace.
    public private(set) var blankLines = 0
    /// The file's size on disk, for progress.
    public let fileSize: Int

    private let fd: Int32
    private var decoder: StreamDecoder?
    private let chunk = 1 << 20
    private let input: UnsafeMutableRawPointer

    /// Opens `path`. The extension chooses the format; the magic bytes must agree.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CurationError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        fstat(fd, &st)
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CurationError.io(path: path, reason: "is a directory")
        }
        self.fd = fd
        self.fileSize = Int(st.st_size)
        self.input = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
        var head = [UInt8](repeating: 0, count: 4)
        let n = pread(fd, &head, 4, 0)
        head = Array(head.prefix(max(0, n)))
        let byExt = Compression.fromExtension(path)
        let byMagic = Compression.fromMagic(head)
        switch (byExt, byMagic) {
        case (.none, .some(let m)):
            close(fd); input.deallocate()
            throw CurationError.io(path: path, reason: "looks \(m.rawValue)-compressed (magic bytes) but has no .\(m == .zstd ? "zst" : "gz") extension")
        case (.zstd, let m) where m != .zstd && !head.isEmpty,
             (.gzip, let m) where m != .gzip && !head.isEmpty:
            close(fd); input.deallocate()
            throw CurationError.corruptStream(file: path, offset: 0, reason: "not a \(byExt.rawValue) stream (wrong magic bytes)")
        default: break
        }
        self.compression = byExt
        do {
            switch byExt {
            case .none: decoder = nil
            case .zstd: decoder = try ZstdDecoder(file: path)
            case .gzip: decoder = try GzipDecoder(file: path)
            }
        } catch { close(fd); input.deallocate(); throw error }
    }

    deinit { close(fd); input.deallocate() }

    /// Calls `body(line, lineNumber, offset)` for every non-blank line, in order.
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int, Int) throws -> Void) throws {
        var pending: [UInt8] = []
        var pendingOffset = 0
        var lineNo = 0
        var streamOffset = 0 // uncompressed offset of the start of the current piece

        func deliver(_ line: UnsafeRawBufferPointer, offset: Int) throws {
            lineNo += 1
            var n = line.count
            if n > 0, line[n - 1] == 0x0D { n -= 1 }
            var blank = true
            for k in 0..<n { let c = line[k]; if c != 0x20 && c != 0x09 && c != 0x0D { blank = false; break } }
            if blank { blankLines += 1; return }
            try body(UnsafeRawBufferPointer(rebasing: line[0..<n]), lineNo, offset)
        }

        func consume(_ piece: UnsafeRawBufferPointer) throws {
            guard let base = piece.baseAddress else { return }
            var start = 0
            let count = piece.count
            while start < count {
                guard let nl = memchr(base + start, 0x0A, count - start) else { break }
                let end = base.distance(to: UnsafeRawPointer(nl))
                if pending.isEmpty {
                    try deliver(UnsafeRawBufferPointer(start: base + start, count: end - start), offset: streamOffset + start)
                } else {
                    pending.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: end - start))
                    try pending.withUnsafeBytes { try deliver($0, offset: pendingOffset) }
                    pending.removeAll(keepingCapacity: true)
                }
                start = end + 1
            }
            if start < count {
                if pending.isEmpty { pendingOffset = streamOffset + start }
                pending.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: count - start))
            }
            streamOffset += count
            bytesRead += count
        }

        while true {
            let n = read(fd, input, chunk)
            if n < 0 { throw CurationError.io(path: path, reason: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            fileBytesRead += n
            let buf = UnsafeRawBufferPointer(start: input, count: n)
            if decoder != nil { try decoder!.decode(buf, emit: consume) } else { try consume(buf) }
        }
        try decoder?.finish()
        if !pending.isEmpty { try pending.withUnsafeBytes { try deliver($0, offset: pendingOffset) } }
    }
}
