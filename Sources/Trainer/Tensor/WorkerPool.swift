import CPlatform
import Dispatch

/// Runs a parallel region's per-worker bodies on a persistent pool of spinning threads
/// (`cwp_run`, Sources/CPlatform/worker_pool.c), falling back to `DispatchQueue.concurrentPerform`.
///
/// Why: `concurrentPerform` wakes libdispatch's workers through a futex at each call once they have
/// gone to sleep, which they do between a decode step's products. Measured on the 2-core EPYC
/// (micro-benchmark, 5 us of serial work then a 2 x 25 us region, SCHED_FIFO): 42.7 us per round with
/// `concurrentPerform` against 31.0 us with the pool (ideal 30); a one-stream decode step of
/// SmolLM2-135M runs about 120 such regions. The pool's workers spin for a bounded time after each
/// job and then park, so an idle pool does not hold the cores.
///
/// The pool runs one job at a time. When it is busy (another thread's job: two sessions with their own
/// `ComputeThreads` in one process; or a body of the running job starting a region of its own) the
/// region runs on `concurrentPerform` instead, so no caller ever waits for another's job and nested
/// regions cannot deadlock. Either way worker `w` gets the same share, so results are the same.
@usableFromInline
enum WorkerPool {
    /// Calls `body(w)` once for every `w` in `0..<workers` (`w = 0` on the calling thread) and returns
    /// when all calls have returned.
    @usableFromInline
    static func run(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            if workers == 1 { body(0) }
            return
        }
        let ran = withoutActuallyEscaping(body) { escapable -> Bool in
            // The C side gets the closure's address as its context; `cwp_run` returns only after every
            // call has returned, so the closure outlives its uses.
            var closure = escapable
            return withUnsafeMutablePointer(to: &closure) { cwp_run(workers, workerPoolThunk, UnsafeMutableRawPointer($0)) == 0 }
        }
        if !ran { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
    }
}

/// The C-callable entry `cwp_run` calls on each worker: `context` points at the region's closure.
private let workerPoolThunk: @convention(c) (UnsafeMutableRawPointer?, Int) -> Void = { context, worker in
    context?.assumingMemoryBound(to: ((Int) -> Void).self).pointee(worker)
}
