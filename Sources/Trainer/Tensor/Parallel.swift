import Dispatch
import Curation

/// Fork-join over a fixed number of threads for the kernels that are not matrix products.
///
/// Work is cut into contiguous chunks by index only, so which thread computes an element never
/// changes its value; reductions that cross chunks (norm weights' gradients, the loss) combine
/// per-chunk partial results in chunk order, which makes a step deterministic for a given
/// thread count.
public enum Parallel {
    /// Threads used by the vectorised kernels and the split products (default: the active cores).
    nonisolated(unsafe) public private(set) static var threads: Int = defaultThreadCount

    /// When true (the default), large matrix products are cut in `threads` parts (along the larger
    /// of m and n) run on our threads with OpenBLAS single-threaded, instead of OpenBLAS's own
    /// pool: its idle workers spin between calls and compete with our vectorised kernels for the
    /// cores (measured: about 10% more training throughput on 2 cores).
    nonisolated(unsafe) public private(set) static var splitProducts = true

    /// Sets the thread count for our kernels and products, and how products are parallelised.
    public static func setThreads(_ n: Int, splitProducts split: Bool = true) {
        threads = max(1, n)
        splitProducts = split
        BLASRuntime.setThreads(blasThreads)
        configured = true
    }

    /// Threads OpenBLAS uses outside our regions (1 when products are split by us).
    public static var blasThreads: Int { splitProducts ? 1 : threads }

    nonisolated(unsafe) static var configured = false

    /// Applies the default configuration to OpenBLAS once (it starts with one thread per core).
    @inlinable
    public static func ensureConfigured() {
        if !isConfigured { setThreads(threads, splitProducts: splitProducts) }
    }

    public static var isConfigured: Bool { configured }

    /// True while inside `withSingleThreadedBLAS` (products there must not fork again).
    nonisolated(unsafe) public private(set) static var insideRegion = false

    /// Runs `body` over `0..<n` cut into at most `threads` contiguous chunks, each at least
    /// `minChunk` long (small jobs run inline: a thread hand-off costs a few microseconds).
    @inlinable
    public static func forChunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard n > 0 else { return }
        let chunks = min(threads, max(1, n / max(1, minChunk)))
        if chunks == 1 { body(0..<n); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body(chunkRange(n, chunks: chunks, index: c))
        }
    }

    /// Like `forChunks`, but also passes the chunk index (for per-chunk scratch and partial sums);
    /// returns the number of chunks used.
    @inlinable @discardableResult
    public static func forIndexedChunks(_ n: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) -> Int {
        guard n > 0 else { return 0 }
        let chunks = min(threads, max(1, n / max(1, minChunk)))
        if chunks == 1 { body(0, 0..<n); return 1 }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body(c, chunkRange(n, chunks: chunks, index: c))
        }
        return chunks
    }

    /// Runs `body` with OpenBLAS limited to one thread, for regions where we parallelise around
    /// many small products ourselves (otherwise both would fight over the two cores).
    @discardableResult
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        if threads == 1 { return try body() }
        insideRegion = true
        if blasThreads != 1 { BLASRuntime.setThreads(1) }
        defer {
            insideRegion = false
            if blasThreads != 1 { BLASRuntime.setThreads(blasThreads) }
        }
        return try body()
    }

    @inlinable
    static func chunkRange(_ n: Int, chunks: Int, index c: Int) -> Range<Int> {
        let base = n / chunks, extra = n % chunks
        let start = c * base + min(c, extra)
        return start..<(start + base + (c < extra ? 1 : 0))
    }
}
