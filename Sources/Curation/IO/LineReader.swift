import Foundation

/// Reads a JSONL file (plain, zstd or gzip) line by line in bounded memory.
///
/// Lines are handed out as pointers into the reader's own buffers (no copy) together with their
/// 1-based line number and the byte offset of the line in the uncompressed stream. A trailing `\r`
/// is dropped; blank lines are skipped and counted. Lines past `maxLineBytes` are read past in bounded
/// memory and reported as too long.
public final class LineReader {
    public let path: String
    public let compression: Compression
    /// Compressed (on-disk) bytes read so far (of the byte range, when reading one).
    public private(set) var fileBytesRead = 0
    /// Uncompressed bytes seen so far.
    public private(set) var bytesRead = 0
    /// Lines that held only whitespace.
    public private(set) var blankLines = 0
    /// The file's size on disk, for progress; for a byte range, the range's size (so progress ends at 100%).
    public let fileSize: Int
    /// The on-disk byte range read (nil: the whole file).
    public let range: Range<Int>?
    /// Number of the range's first line and its offset in the uncompressed stream (1 and 0 for a whole file).
    public let firstLine: Int
    public let firstOffset: Int
    /// Lines longer than this are rejected as `line-too-long` and never held whole in memory.
    public let maxLineBytes: Int
    /// The most bytes held at once for a line split across read buffers (at most `maxLineBytes`):
    /// lets tests check that memory does not grow with the length of a line.
    public private(set) var peakLineBufferBytes = 0
    /// How much of an over-long line is kept to show where it came from (rejected.jsonl).
    public static let tooLongPrefixBytes = 1024

    private let fd: Int32
    private var decoder: StreamDecoder?
    private let chunk = 1 << 20
    private let input: UnsafeMutableRawPointer

    /// Opens `path`. The extension chooses the format; the magic bytes must agree.
    public convenience init(path: String, maxLineBytes: Int = ReadOptions.defaultMaxLineBytes) throws {
        try self.init(path: path, maxLineBytes: maxLineBytes, range: nil, firstLine: 1, firstOffset: 0)
    }

    /// Opens the on-disk bytes `range` of `path` (nil: the whole file), so a share of a file can be read
    /// alone. Plain JSONL: the range must start and end at line starts (or the file's end). zstd: it must
    /// be a run of whole frames (as listed in a manifest); a range starting elsewhere is refused here,
    /// one ending inside a frame fails at its end (`corruptStream`, naming the file offset). gzip cannot
    /// be entered mid-stream and is refused. Line numbers and offsets continue from `firstLine` and
    /// `firstOffset` (where the range starts in the whole file's numbering), so records read this way
    /// carry the same locations as a whole-file read.
    public init(path: String, maxLineBytes: Int = ReadOptions.defaultMaxLineBytes, range: Range<Int>?,
                firstLine: Int = 1, firstOffset: Int = 0) throws {
        guard maxLineBytes >= 1 else { throw CurationError.invalidArgument("--max-line-bytes must be at least 1") }
        guard firstLine >= 1, firstOffset >= 0 else {
            throw CurationError.invalidArgument("\(path): a byte range's first line must be at least 1 and its first offset at least 0")
        }
        self.path = path
        self.maxLineBytes = maxLineBytes
        self.range = range
        self.firstLine = firstLine
        self.firstOffset = firstOffset
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CurationError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        fstat(fd, &st)
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw CurationError.io(path: path, reason: "is a directory")
        }
        self.fd = fd
        let size = Int(st.st_size)
        if let r = range, r.lowerBound < 0 || r.upperBound > size {
            close(fd)
            throw CurationError.invalidArgument("\(path): byte range \(r.lowerBound)..<\(r.upperBound) is outside the file (\(size) bytes)")
        }
        self.fileSize = range?.count ?? size
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
        // Checked before `compression` is set: until then `self` is not fully initialized, so a throw
        // does not run `deinit` and the cleanup here is the only one.
        if let r = range {
            do { try Self.checkRange(r, fd: fd, path: path, compression: byExt, fileSize: size) } catch {
                close(fd); input.deallocate(); throw error
            }
        }
        self.compression = byExt
        // From here `self` is fully initialized: a throw runs `deinit`, which closes and frees.
        switch byExt {
        case .none: decoder = nil
        case .zstd: decoder = try ZstdDecoder(file: path, startOffset: range?.lowerBound ?? 0, isRange: range != nil)
        case .gzip: decoder = try GzipDecoder(file: path)
        }
    }

    /// Refuses a range that cannot start a read: gzip (no entry points), a zstd range not starting at a
    /// frame's magic, a plain range whose ends are not line starts. One small pread per end: a planner's
    /// off-by-one shows up as an error naming the offset, not as a torn first record.
    private static func checkRange(_ r: Range<Int>, fd: Int32, path: String, compression: Compression, fileSize: Int) throws {
        func byte(at offset: Int) -> UInt8? {
            var b: UInt8 = 0
            return pread(fd, &b, 1, off_t(offset)) == 1 ? b : nil
        }
        switch compression {
        case .gzip:
            throw CurationError.invalidArgument("\(path): a gzip file cannot be read by byte range (read it whole)")
        case .zstd:
            guard !r.isEmpty else { return }
            var head = [UInt8](repeating: 0, count: 4)
            let n = pread(fd, &head, 4, off_t(r.lowerBound))
            guard n == 4, Compression.fromMagic(head) == .zstd else {
                throw CurationError.corruptStream(file: path, offset: r.lowerBound,
                                                  reason: "byte range does not start at a zstd frame (no frame magic there)")
            }
        case .none:
            if r.lowerBound > 0, byte(at: r.lowerBound - 1) != 0x0A {
                throw CurationError.corruptStream(file: path, offset: r.lowerBound, reason: "byte range does not start at a line start")
            }
            if r.upperBound > r.lowerBound, r.upperBound < fileSize, byte(at: r.upperBound - 1) != 0x0A {
                throw CurationError.corruptStream(file: path, offset: r.upperBound, reason: "byte range does not end at a line end")
            }
        }
    }

    deinit { close(fd); input.deallocate() }

    /// Calls `body(line, lineNumber, offset)` for every non-blank line, in order.
    ///
    /// A line longer than `maxLineBytes` is never buffered whole: once it passes the limit only its
    /// first `tooLongPrefixBytes` are kept and the rest is counted while the reader skips to the next
    /// newline, then it goes to `tooLong` (by default: thrown, as `rejected:line-too-long`).
    /// A UTF-8 byte order mark at the start of the stream is skipped, as Python's `utf-8-sig` and
    /// Hugging Face `datasets` do; offsets still count it.
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int, Int) throws -> Void,
                            tooLong: (TooLongLine) throws -> Void = { throw $0.error }) throws {
        var pending: [UInt8] = []
        var pendingOffset = 0
        var lineNo = firstLine - 1
        var streamOffset = firstOffset // uncompressed offset of the start of the current piece
        // Inside a line past the limit: `pending` holds its prefix, `skippedLength` its length so far.
        var skipping = false
        var skippedLength = 0
        let limit = maxLineBytes
        let prefixLimit = min(LineReader.tooLongPrefixBytes, limit)
        let path = self.path

        func deliver(_ line: UnsafeRawBufferPointer, offset: Int) throws {
            lineNo += 1
            var n = line.count
            if n > 0, line[n - 1] == 0x0D { n -= 1 }
            var blank = true
            for k in 0..<n { let c = line[k]; if c != 0x20 && c != 0x09 && c != 0x0D { blank = false; break } }
            if blank { blankLines += 1; return }
            try body(UnsafeRawBufferPointer(rebasing: line[0..<n]), lineNo, offset)
        }

        func deliverTooLong(_ prefix: UnsafeRawBufferPointer, offset: Int, length: Int) throws {
            lineNo += 1
            try tooLong(TooLongLine(file: path, prefix: prefix, line: lineNo, offset: offset, length: length, limit: limit))
        }

        /// Keeps at most `prefixLimit` bytes of an over-long line in `pending`.
        func keepPrefix(_ bytes: UnsafeRawBufferPointer) {
            if pending.count > prefixLimit { pending.removeSubrange(prefixLimit...) }
            let room = prefixLimit - pending.count
            if room > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room))) }
        }

        func consume(_ piece: UnsafeRawBufferPointer) throws {
            guard let base = piece.baseAddress else { return }
            var start = 0
            let count = piece.count
            // A BOM opens the first piece (every decoder's first output is far longer than 3 bytes).
            if streamOffset == 0, count >= 3, piece[0] == 0xEF, piece[1] == 0xBB, piece[2] == 0xBF { start = 3 }
            while start < count {
                guard let nl = memchr(base + start, 0x0A, count - start) else { break }
                let end = base.distance(to: UnsafeRawPointer(nl))
                let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
                if skipping {
                    skipping = false
                    try pending.withUnsafeBytes { try deliverTooLong($0, offset: pendingOffset, length: skippedLength + line.count) }
                    pending.removeAll(keepingCapacity: true)
                } else if pending.isEmpty {
                    if line.count > limit {
                        try deliverTooLong(UnsafeRawBufferPointer(rebasing: line.prefix(prefixLimit)), offset: streamOffset + start, length: line.count)
                    } else {
                        try deliver(line, offset: streamOffset + start)
                    }
                } else if pending.count + line.count > limit {
                    let length = pending.count + line.count
                    keepPrefix(line)
                    try pending.withUnsafeBytes { try deliverTooLong($0, offset: pendingOffset, length: length) }
                    pending.removeAll(keepingCapacity: true)
                } else {
                    pending.append(contentsOf: line)
                    if pending.count > peakLineBufferBytes { peakLineBufferBytes = pending.count }
                    try pending.withUnsafeBytes { try deliver($0, offset: pendingOffset) }
                    pending.removeAll(keepingCapacity: true)
                }
                start = end + 1
            }
            if start < count {
                let tail = UnsafeRawBufferPointer(start: base + start, count: count - start)
                if skipping {
                    skippedLength += tail.count
                } else {
                    if pending.isEmpty { pendingOffset = streamOffset + start }
                    if pending.count + tail.count > limit {
                        skipping = true
                        skippedLength = pending.count + tail.count
                        keepPrefix(tail)
                    } else {
                        pending.append(contentsOf: tail)
                    }
                    if pending.count > peakLineBufferBytes { peakLineBufferBytes = pending.count }
                }
            }
            streamOffset += count
            bytesRead += count
        }

        // pread from the range's start (or 0), never past its end: a range is read without touching
        // the bytes around it.
        var position = range?.lowerBound ?? 0
        let end = range?.upperBound ?? Int.max
        while position < end {
            let n = pread(fd, input, min(chunk, end - position), off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw CurationError.io(path: path, reason: "read failed at offset \(position): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            position += n
            fileBytesRead += n
            let buf = UnsafeRawBufferPointer(start: input, count: n)
            if decoder != nil { try decoder!.decode(buf, emit: consume) } else { try consume(buf) }
        }
        try decoder?.finish()
        if skipping {
            try pending.withUnsafeBytes { try deliverTooLong($0, offset: pendingOffset, length: skippedLength) }
        } else if !pending.isEmpty {
            try pending.withUnsafeBytes { try deliver($0, offset: pendingOffset) }
        }
    }
}
