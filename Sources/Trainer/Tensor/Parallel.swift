import Curation

/// Shape-only work partitions for the kernels, and the process's OpenBLAS thread setting.
///
/// Every kernel cuts its work into parts that depend on the problem's shape alone (`partCount`,
/// `productParts`), never on how many threads run them; `ComputeThreads` then spreads those parts
/// over its threads. Reductions combine per-part partial results in part order, and split matrix
/// products issue the same OpenBLAS calls (same shapes, same pointers) whatever the thread count,
/// so a training step gives the same bits on 1, 2 or 16 threads (DESIGN.md section 6).
public enum Parallel {
    /// At most this many parts for a vectorised kernel's loop. A constant: a bigger machine gets no
    /// more parts than a smaller one, so the partition (and any per-part partial sum) is the same.
    public static let maxParts = 16

    /// Parts for `n` items of at least `minChunk` each: `min(maxParts, n / minChunk)`, at least 1.
    @inlinable
    public static func partCount(_ n: Int, minChunk: Int) -> Int {
        min(maxParts, max(1, n / max(1, minChunk)))
    }

    /// Part `index` of `0..<n` cut into `chunks` contiguous near-equal ranges.
    @inlinable
    public static func chunkRange(_ n: Int, chunks: Int, index c: Int) -> Range<Int> {
        let base = n / chunks, extra = n % chunks
        let start = c * base + min(c, extra)
        return start..<(start + base + (c < extra ? 1 : 0))
    }

    /// Runs `body` over `0..<n` in shape-only parts on the threads of `ComputeThreads.current`: the
    /// entry point for kernels that do not take a `ComputeThreads` yet (their parts are independent,
    /// so the scoped thread count only decides speed).
    @inlinable
    public static func forChunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        ComputeThreads.current.forChunks(n, minChunk: minChunk, body)
    }

    /// Like `forChunks`, but each thread gets its whole share as one contiguous range (a near-equal
    /// share of the elements): for kernels whose every output element is computed on its own, so that
    /// where a range starts or ends changes no value (the decode-step products). One call per thread
    /// instead of one per part saves the per-call start-up (the weight-row prefetch warming up again at
    /// each part start cost the fp32 batch-8 decode about 5%).
    @inlinable
    public static func forSpans(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        ComputeThreads.current.forSpans(n, minChunk: minChunk, body)
    }

    // MARK: OpenBLAS threads

    /// OpenBLAS's own thread count is one setting for the whole process: every change goes through
    /// `setBLASThreads` (the one place that calls `openblas_set_num_threads`, through `BLASRuntime`), which each product
    /// path calls with the count it needs just before its calls, so no job relies on what the last
    /// one left behind.
    nonisolated(unsafe) static var blasThreadSetting = 0

    /// Sets OpenBLAS's thread count (skipped when already `n`). Products split on our threads want 1
    /// (OpenBLAS's idle workers otherwise spin between calls and compete with our kernels for the cores:
    /// measured about 10% of training throughput on 2 cores); `ComputeThreads(splitProducts: false)`
    /// products want one per thread.
    public static func setBLASThreads(_ n: Int) {
        let n = max(1, n)
        guard blasThreadSetting != n else { return }
        blasThreadSetting = n
        BLASRuntime.setThreads(n)
    }
}

/// How many threads a model, inference session or optimiser runs its kernels on.
///
/// A value, not a process-wide setting: each `LlamaModel`, `InferenceSession` and `AdamW` owns one
/// (default: the active cores) and hands it to the kernels it calls, so two jobs in one process do
/// not see each other's thread counts. Results never depend on `count` (parts are cut by shape).
public struct ComputeThreads: Sendable, Hashable {
    /// Threads the kernels' parts run on (at least 1).
    public let count: Int
    /// True (the default): large products are cut into `Parallel`'s shape-only parts run on our
    /// threads with OpenBLAS single-threaded. False: one OpenBLAS call on OpenBLAS's own pool of
    /// `count` threads (for benchmarks; OpenBLAS then partitions by thread count, so results may
    /// differ between counts).
    public let splitProducts: Bool

    public init(_ count: Int, splitProducts: Bool = true) {
        self.count = max(1, count)
        self.splitProducts = splitProducts
    }

    /// One thread per active core.
    public static var automatic: ComputeThreads { ComputeThreads(defaultThreadCount) }

    /// The thread count of the innermost `withCurrent`, else `automatic`: for kernels reached through
    /// code that does not pass a `ComputeThreads` (the decode-step linear kernels).
    @TaskLocal public static var current: ComputeThreads = .automatic

    /// Runs `body` with `current` set to this value.
    public func withCurrent<R>(_ body: () throws -> R) rethrows -> R {
        try ComputeThreads.$current.withValue(self, operation: body)
    }

    /// Runs `body(part, worker)` for every part in `0..<parts` on up to `count` threads; `worker`
    /// (below `min(count, parts)`) indexes per-thread scratch. Each worker takes a contiguous run
    /// of parts; on one thread the parts run in order inline. The workers are `WorkerPool`'s (spinning
    /// threads kept between regions: a decode step runs about 120 short regions), or
    /// `concurrentPerform`'s when the pool is busy; worker `w` gets the same parts either way.
    @inlinable
    public func forParts(_ parts: Int, _ body: (_ part: Int, _ worker: Int) -> Void) {
        guard parts > 0 else { return }
        let workers = min(count, parts)
        if workers == 1 {
            for p in 0..<parts { body(p, 0) }
            return
        }
        WorkerPool.run(workers) { w in
            for p in Parallel.chunkRange(parts, chunks: workers, index: w) { body(p, w) }
        }
    }

    /// Runs `body` over `0..<n` cut into `Parallel.partCount(n, minChunk:)` contiguous parts.
    @inlinable
    public func forChunks(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard n > 0 else { return }
        let parts = Parallel.partCount(n, minChunk: minChunk)
        forParts(parts) { p, _ in body(Parallel.chunkRange(n, chunks: parts, index: p)) }
    }

    /// Runs `body` once per worker over a near-equal share of `0..<n`, on as many workers as
    /// `forChunks` would use (see `Parallel.forSpans`: only for bodies whose per-element results do
    /// not depend on the range). Shares are cut by element, not by part: with 5 parts on 2 threads a
    /// union of parts would give one thread 3/5 of the work (SmolLM2's attention output product), and
    /// the other would wait.
    @inlinable
    public func forSpans(_ n: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard n > 0 else { return }
        let workers = min(count, Parallel.partCount(n, minChunk: minChunk))
        if workers == 1 {
            body(0..<n)
            return
        }
        WorkerPool.run(workers) { w in body(Parallel.chunkRange(n, chunks: workers, index: w)) }
    }

    /// Like `forChunks`, but also passes the part index (for per-part partial sums, combined in part
    /// order by the caller); returns the number of parts.
    @inlinable @discardableResult
    public func forIndexedChunks(_ n: Int, minChunk: Int = 1, _ body: (_ part: Int, Range<Int>) -> Void) -> Int {
        guard n > 0 else { return 0 }
        let parts = Parallel.partCount(n, minChunk: minChunk)
        forParts(parts) { p, _ in body(p, Parallel.chunkRange(n, chunks: parts, index: p)) }
        return parts
    }
}
