import CZstd
import Foundation

/// Compresses the frames of a zstd JSONL shard on worker threads while the writer's thread goes on
/// filling the next frame, and hands the compressed frames back in order.
///
/// Why not zstd's own workers: a shard's frames are ended every ~8 MB so a later stage can read any run
/// of them alone (`Manifest.Frame`), and ending a frame in zstd's streaming API waits until every byte
/// of it is compressed. With frames of one zstd job each, its worker and the writer took turns: the
/// compression never overlapped the reading and JSON serialising that fed it (on two cores `convert`
/// ran no faster than on one). Here each frame is one independent `ZSTD_compress2` call (the level, a
/// checksum, the content size in the header) on a worker, so frame k compresses while frame k+1 fills,
/// and with `workers` > 1 several frames compress at once.
///
/// The bytes depend only on the frames' contents and the level, never on the number of workers.
/// Memory: at most `workers + 1` frames are in flight, and their buffers are recycled (a fresh 8 MB
/// buffer per frame cost more in page faults than the copy into it).
final class FrameCompressor {
    /// One frame's lines (newline-terminated) and how many records they hold. `text` and `output`
    /// travel with the frame to the worker and back.
    struct Frame {
        var text: FrameBuffer
        var records: Int
        fileprivate var output: FrameBuffer
    }

    /// A compressed frame: `output` holds it, `text` what it holds uncompressed. Give both back with
    /// `recycle` once written.
    struct Compressed {
        var text: FrameBuffer
        var output: FrameBuffer
        var records: Int
        var failure: String?
    }

    private let parallel: OrderedParallel<Frame, Compressed>
    private let contexts: ContextPool
    private var spare: [FrameBuffer] = []

    /// `workers` frames compress at once (at least one, always off the calling thread).
    init(level: Int, workers: Int) {
        let pool = ContextPool(level: level)
        contexts = pool
        let n = max(1, workers)
        parallel = OrderedParallel(threads: n, maxInFlight: n + 1, overlapsCaller: true) { frame in
            pool.compress(frame)
        }
    }

    /// An empty buffer for the next frame's text (a recycled one when there is one).
    func buffer() -> FrameBuffer {
        if let b = spare.popLast() { b.count = 0; return b }
        return FrameBuffer()
    }

    /// Queues a frame's text; hands every frame compressed by now to `write`, in order, and waits while
    /// the pipeline is full.
    func submit(text: FrameBuffer, records: Int, write: (Compressed) throws -> Void) throws {
        try parallel.submit(Frame(text: text, records: records, output: buffer()), consume: write)
    }

    /// Hands every remaining frame to `write`, in order.
    func drain(write: (Compressed) throws -> Void) throws {
        try parallel.drain(write)
    }

    /// Takes a written frame's buffers back for later frames.
    func recycle(_ c: Compressed) {
        if spare.count < 8 { spare.append(c.text) }
        if spare.count < 8 { spare.append(c.output) }
    }
}

/// A growable byte buffer owned by one thread at a time (the writer fills it, a worker compresses it).
final class FrameBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    var count = 0

    deinit { base?.deallocate() }

    /// Makes room for at least `n` bytes in all, keeping the contents.
    func reserve(_ n: Int) {
        guard n > capacity else { return }
        let grown = max(n, capacity * 2, 1 << 16)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
        if let base, count > 0 { fresh.copyMemory(from: base, byteCount: count) }
        base?.deallocate()
        base = fresh
        capacity = grown
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(count + bytes.count)
        base.map { ($0 + count).copyMemory(from: src, byteCount: bytes.count) }
        count += bytes.count
    }

    func append(_ byte: UInt8) {
        reserve(count + 1)
        base.map { $0.storeBytes(of: byte, toByteOffset: count, as: UInt8.self) }
        count += 1
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// zstd compression contexts for the workers: one per concurrent call, kept for the next frame (a
/// context's tables cost more to allocate than a frame's header).
private final class ContextPool: @unchecked Sendable {
    private let level: Int
    private let lock = NSLock()
    private var idle: [OpaquePointer] = []

    init(level: Int) { self.level = level }

    deinit { for c in idle { ZSTD_freeCCtx(c) } }

    func compress(_ frame: FrameCompressor.Frame) -> FrameCompressor.Compressed {
        var result = FrameCompressor.Compressed(text: frame.text, output: frame.output, records: frame.records, failure: nil)
        let out = frame.output
        out.count = 0
        guard let ctx = take() else {
            result.failure = "cannot allocate a zstd context"
            return result
        }
        defer { give(ctx) }
        out.reserve(ZSTD_compressBound(frame.text.count))
        let r = ZSTD_compress2(ctx, out.base, out.capacity, frame.text.base, frame.text.count)
        if ZSTD_isError(r) != 0 {
            result.failure = "zstd: " + String(cString: ZSTD_getErrorName(r))
        } else {
            out.count = r
        }
        return result
    }

    private func take() -> OpaquePointer? {
        lock.lock()
        if let c = idle.popLast() { lock.unlock(); return c }
        lock.unlock()
        guard let c = ZSTD_createCCtx() else { return nil }
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, Int32(level))
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)
        return c
    }

    private func give(_ c: OpaquePointer) {
        lock.lock(); idle.append(c); lock.unlock()
    }
}
