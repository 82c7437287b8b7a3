import CZstd
import CZlib
import Foundation

/// How a JSONL file is stored. Chosen by extension, confirmed by magic bytes.
public enum Compression: String, Sendable, CaseIterable, Codable {
    case none, zstd, gzip

    public var fileExtension: String {
        switch self {
        case .none: return "jsonl"
        case .zstd: return "jsonl.zst"
        case .gzip: return "jsonl.gz"
        }
    }

    /// From a path's extension (`.zst`/`.zstd`, `.gz`, anything else plain).
    public static func fromExtension(_ path: String) -> Compression {
        let p = path.lowercased()
        if p.hasSuffix(".zst") || p.hasSuffix(".zstd") { return .zstd }
        if p.hasSuffix(".gz") || p.hasSuffix(".gzip") { return .gzip }
        return .none
    }

    /// From the first bytes of a file, nil when they are neither zstd's nor gzip's magic.
    public static func fromMagic(_ head: [UInt8]) -> Compression? {
        if head.count >= 4, head[0] == 0x28, head[1] == 0xB5, head[2] == 0x2F, head[3] == 0xFD { return .zstd }
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        return nil
    }
}

/// Streaming decompression of one file's bytes: feed compressed chunks, receive plain chunks.
protocol StreamDecoder {
    /// Decodes `input`, calling `emit` with each piece of output (valid only during the call).
    mutating func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Called at end of input: throws when the stream stopped mid-frame.
    func finish() throws
}

/// zstd frames, concatenated frames included (as `zstd -dc` reads them).
final class ZstdDecoder: StreamDecoder {
    private let stream: OpaquePointer
    private var out: UnsafeMutableRawPointer
    private let outSize = ZSTD_DStreamOutSize()
    private var inFrame = false
    private let file: String
    private var consumed = 0
    /// Set when the input is a byte range of the file: errors then name the range's end.
    private let isRange: Bool

    /// `startOffset`: where in the file the first byte fed lies (a frame start), so errors name file
    /// offsets whether the whole file or a byte range of it is decoded.
    init(file: String, startOffset: Int = 0, isRange: Bool = false) throws {
        guard let s = ZSTD_createDStream() else { throw CurationError.io(path: file, reason: "cannot allocate a zstd stream") }
        stream = s
        ZSTD_initDStream(s)
        out = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 64)
        self.file = file
        self.consumed = startOffset
        self.isRange = isRange
    }
    deinit { ZSTD_freeDStream(stream); out.deallocate() }

    func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var inBuf = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        while inBuf.pos < inBuf.size {
            var outBuf = ZSTD_outBuffer(dst: out, size: outSize, pos: 0)
            let r = ZSTD_decompressStream(stream, &outBuf, &inBuf)
            if ZSTD_isError(r) != 0 {
                throw CurationError.corruptStream(file: file, offset: consumed + inBuf.pos, reason: String(cString: ZSTD_getErrorName(r)))
            }
            inFrame = r != 0
            if outBuf.pos > 0 { try emit(UnsafeRawBufferPointer(start: out, count: outBuf.pos)) }
        }
        // Drain output the decoder still holds for this input.
        while true {
            var outBuf = ZSTD_outBuffer(dst: out, size: outSize, pos: 0)
            var empty = ZSTD_inBuffer(src: base, size: 0, pos: 0)
            let r = ZSTD_decompressStream(stream, &outBuf, &empty)
            if ZSTD_isError(r) != 0 {
                throw CurationError.corruptStream(file: file, offset: consumed + input.count, reason: String(cString: ZSTD_getErrorName(r)))
            }
            if outBuf.pos > 0 { try emit(UnsafeRawBufferPointer(start: out, count: outBuf.pos)) }
            if outBuf.pos < outSize { inFrame = inFrame && r != 0; break }
        }
        consumed += input.count
    }

    func finish() throws {
        if inFrame {
            let reason = isRange ? "byte range ends inside a zstd frame (a range must end at a frame end)"
                                 : "truncated zstd stream (the file ends inside a frame)"
            throw CurationError.corruptStream(file: file, offset: consumed, reason: reason)
        }
    }
}

/// gzip members (concatenated members included), through zlib.
final class GzipDecoder: StreamDecoder {
    private var z = z_stream()
    private var out: UnsafeMutablePointer<UInt8>
    private let outSize = 1 << 18
    private var ended = true
    private var started = false
    private let file: String
    private var consumed = 0

    init(file: String) throws {
        self.file = file
        out = UnsafeMutablePointer<UInt8>.allocate(capacity: outSize)
        let r = inflateInit2_(&z, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard r == Z_OK else { out.deallocate(); throw CurationError.io(path: file, reason: "cannot start gzip decoder (zlib \(r))") }
    }
    deinit { inflateEnd(&z); out.deallocate() }

    func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        z.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        z.avail_in = UInt32(input.count)
        while z.avail_in > 0 || !ended {
            if ended {
                // A new member begins (concatenated gzip files are one stream, as gzip -dc reads them).
                if started { inflateReset(&z) }
                ended = false; started = true
            }
            z.next_out = out
            z.avail_out = UInt32(outSize)
            let r = inflate(&z, Z_NO_FLUSH)
            let produced = outSize - Int(z.avail_out)
            if r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR {
                let msg = z.msg.map { String(cString: $0) } ?? "zlib error \(r)"
                throw CurationError.corruptStream(file: file, offset: consumed + input.count - Int(z.avail_in), reason: msg)
            }
            if produced > 0 { try emit(UnsafeRawBufferPointer(start: out, count: produced)) }
            if r == Z_STREAM_END { ended = true; continue }
            if z.avail_in == 0 && produced < outSize { break }
            if r == Z_BUF_ERROR && produced == 0 { break }
        }
        consumed += input.count
    }

    func finish() throws {
        if !ended {
            throw CurationError.corruptStream(file: file, offset: consumed, reason: "truncated gzip stream (the file ends inside a member)")
        }
    }
}

/// Streaming compression into a file descriptor's buffered writer.
protocol StreamEncoder {
    mutating func encode(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws
    mutating func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws
}

struct PlainEncoder: StreamEncoder {
    func encode(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws { try sink(input) }
    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {}
}

/// zstd at a level, with zstd's own worker threads when asked. With `workers >= 1` zstd's output does
/// not depend on how many workers there are, so we always use at least one: the bytes are the same
/// for every `--threads`.
final class ZstdEncoder: StreamEncoder {
    private let ctx: OpaquePointer
    private let out: UnsafeMutableRawPointer
    private let outSize = ZSTD_CStreamOutSize()
    private let path: String

    init(level: Int, workers: Int, path: String) throws {
        guard let c = ZSTD_createCCtx() else { throw CurationError.io(path: path, reason: "cannot allocate a zstd context") }
        ctx = c
        self.path = path
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, Int32(level))
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, Int32(max(1, workers)))
        out = UnsafeMutableRawPointer.allocate(byteCount: outSize, alignment: 64)
    }
    deinit { ZSTD_freeCCtx(ctx); out.deallocate() }

    private func run(_ input: UnsafeRawBufferPointer, mode: ZSTD_EndDirective, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuf = ZSTD_outBuffer(dst: out, size: outSize, pos: 0)
            let remaining = ZSTD_compressStream2(ctx, &outBuf, &inBuf, mode)
            if ZSTD_isError(remaining) != 0 {
                throw CurationError.io(path: path, reason: "zstd: " + String(cString: ZSTD_getErrorName(remaining)))
            }
            if outBuf.pos > 0 { try sink(UnsafeRawBufferPointer(start: out, count: outBuf.pos)) }
            let done = mode == ZSTD_e_continue ? inBuf.pos == inBuf.size : remaining == 0
            if done { return }
        }
    }

    func encode(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(input, mode: ZSTD_e_continue, sink: sink)
    }
    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), mode: ZSTD_e_end, sink: sink)
    }
}

/// gzip through zlib's deflate.
final class GzipEncoder: StreamEncoder {
    private var z = z_stream()
    private let out: UnsafeMutablePointer<UInt8>
    private let outSize = 1 << 17
    private let path: String

    init(level: Int, path: String) throws {
        self.path = path
        out = UnsafeMutablePointer<UInt8>.allocate(capacity: outSize)
        let r = deflateInit2_(&z, Int32(min(9, max(1, level))), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                              ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard r == Z_OK else { out.deallocate(); throw CurationError.io(path: path, reason: "cannot start gzip encoder") }
    }
    deinit { deflateEnd(&z); out.deallocate() }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        z.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        z.avail_in = UInt32(input.count)
        while true {
            z.next_out = out
            z.avail_out = UInt32(outSize)
            let r = deflate(&z, flush)
            guard r != Z_STREAM_ERROR else { throw CurationError.io(path: path, reason: "gzip: deflate failed") }
            let produced = outSize - Int(z.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(start: out, count: produced)) }
            if flush == Z_FINISH { if r == Z_STREAM_END { return } } else if z.avail_in == 0 && z.avail_out > 0 { return }
        }
    }

    func encode(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        try run(input, flush: Z_NO_FLUSH, sink: sink)
    }
    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, sink: sink)
    }
}
