import Dispatch
import Foundation

/// Reading, transforming and consuming at the same time, with results consumed in input order.
///
/// `OrderedParallel` (Curation) alternates between reading a group and processing it; here a producer
/// thread reads (decompresses, splits lines) while up to `threads` workers transform and the calling
/// thread consumes, so the three overlap. At most `threads * 2 + 2` items are in flight (bounded
/// memory). The consumer sees outputs in the order the producer emitted items, so results do not
/// depend on the thread count.
enum OrderedPipeline {
    struct Cancelled: Error {}

    static func run<Item, Output>(
        threads: Int,
        produce: (_ emit: (Item) throws -> Void) throws -> Void,
        transform: @escaping @Sendable (Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let threads = max(1, threads)
        if threads == 1 {
            // One thread: no overlap to gain from extra threads; keep it simple and cheap.
            try withoutActuallyEscaping(consume) { c in try produce { try c(transform($0)) } }
            return
        }
        let state = PipelineState<Output>(capacity: threads * 2 + 2, workers: threads)
        let itemBox = UnsafeTransfer(transform)
        try withoutActuallyEscaping(produce) { produce in
            // The thread reaches `produce` only through this box, emptied before `done` is signalled, so
            // no reference to the non-escaping closure outlives `withoutActuallyEscaping`.
            let producer = ClosureBox(produce)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                do {
                    guard let produce = producer.take() else { throw Cancelled() }
                    try produce { item in
                        state.slots.wait()
                        if state.isCancelled { state.slots.signal(); throw Cancelled() }
                        let seq = state.nextSequence()
                        let box = UnsafeTransfer(item)
                        state.workerSlots.wait()
                        DispatchQueue.global().async {
                            let out = itemBox.value(box.value)
                            state.workerSlots.signal()
                            state.deliver(seq, out)
                        }
                    }
                } catch {
                    state.producerFailed(error)
                }
                state.producerFinished()
                done.signal()
            }
            var consumerError: Error?
            var next = 0
            while let out = state.take(next) {
                next += 1
                state.slots.signal()
                if consumerError == nil {
                    do { try consume(out) } catch {
                        consumerError = error
                        state.cancel()
                    }
                }
            }
            done.wait()
            if let consumerError { throw consumerError }
            if let e = state.producerError, !(e is Cancelled) { throw e }
        }
    }
}

/// Holds a closure for another thread until that thread takes it (once).
final class ClosureBox<F>: @unchecked Sendable {
    private var f: F?
    private let lock = NSLock()
    init(_ f: F) { self.f = f }
    func take() -> F? { lock.lock(); defer { lock.unlock() }; let g = f; f = nil; return g }
}

/// Moves a non-Sendable value across threads when the pipeline's protocol makes that safe (each
/// item is touched by one thread at a time).
struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

final class PipelineState<Output>: @unchecked Sendable {
    let slots: DispatchSemaphore
    let workerSlots: DispatchSemaphore
    private let cond = NSCondition()
    private var results: [Int: Output] = [:]
    private var emitted = 0
    private var finished = false
    private(set) var producerError: Error?
    private var cancelled = false

    init(capacity: Int, workers: Int) {
        slots = DispatchSemaphore(value: capacity)
        workerSlots = DispatchSemaphore(value: workers)
    }

    var isCancelled: Bool { cond.lock(); defer { cond.unlock() }; return cancelled }
    func cancel() { cond.lock(); cancelled = true; cond.unlock() }

    func nextSequence() -> Int {
        cond.lock(); defer { cond.unlock() }
        emitted += 1
        return emitted - 1
    }
    func deliver(_ seq: Int, _ out: Output) {
        cond.lock(); results[seq] = out; cond.broadcast(); cond.unlock()
    }
    func producerFailed(_ e: Error) { cond.lock(); producerError = e; cond.unlock() }
    func producerFinished() { cond.lock(); finished = true; cond.broadcast(); cond.unlock() }

    /// Waits for output `seq`; nil when the producer finished and every emitted item was taken.
    func take(_ seq: Int) -> Output? {
        cond.lock(); defer { cond.unlock() }
        while true {
            if let r = results.removeValue(forKey: seq) { return r }
            if finished && seq >= emitted { return nil }
            cond.wait()
        }
    }
}
