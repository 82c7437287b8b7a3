import Dispatch
import Foundation

/// The one ordered-parallel map of the codebase: runs a transform over items on worker threads and
/// hands the results back strictly in input order, so a stage's output does not depend on the thread
/// count. Reading further items, transforming and consuming earlier results overlap (the stages'
/// readers and writers are serial work that would otherwise cap the speed-up), and at most
/// `maxInFlight` items (default `threads * 3`) are submitted and not yet consumed, so memory stays
/// bounded whatever the input size. With one thread everything runs inline on the calling thread, unless
/// `overlapsCaller` asks for that one worker to run beside it (the transform then overlaps the caller's
/// own work, as zstd frames do with the writing that fills them).
///
/// Ways to drive it:
/// - `submit` then `drain`, from one thread that both reads and consumes (`consume` runs on it);
/// - `run(threads:produce:transform:consume:)`: a producer thread reads while the calling thread
///   consumes (for stages whose reading is as heavy as their consuming, such as `mix`);
/// - `map` over an array already in memory.
public final class OrderedParallel<Item, Output>: @unchecked Sendable {
    public let threads: Int
    public let maxInFlight: Int
    /// Whether even one thread's transforms run on a worker beside the caller (not inline).
    public let overlapsCaller: Bool
    private let transform: @Sendable (Item) -> Output
    private let queue = DispatchQueue(label: "curate.ordered-parallel", attributes: .concurrent)
    private let workers: DispatchSemaphore
    private let cond = NSCondition()
    // Guarded by `cond`.
    private var ready: [Int: Output] = [:]
    private var submitted = 0
    private var consumed = 0
    private var producerDone = false
    private var cancelled = false
    private var producerError: Error?

    public init(threads: Int, maxInFlight: Int? = nil, overlapsCaller: Bool = false, transform: @escaping @Sendable (Item) -> Output) {
        self.threads = max(1, threads)
        self.maxInFlight = max(1, maxInFlight ?? self.threads * 3)
        self.overlapsCaller = overlapsCaller
        self.transform = transform
        workers = DispatchSemaphore(value: self.threads)
    }

    /// Queues `item`, then consumes every result that is ready, in order; waits while `maxInFlight`
    /// items are unconsumed.
    public func submit(_ item: Item, consume: (Output) throws -> Void) throws {
        if threads == 1 && !overlapsCaller { try consume(transform(item)); return }
        start(item)
        while let out = next(.whileFull) { try consume(out) }
    }

    /// Consumes every remaining result, in order.
    public func drain(_ consume: (Output) throws -> Void) throws {
        while let out = next(.untilAllConsumed) { try consume(out) }
    }

    struct Cancelled: Error {}

    /// Runs `produce` on its own thread: each item it emits is transformed on a worker and its output
    /// handed to `consume` on the calling thread, in emission order. At most `maxInFlight` items
    /// (default `threads * 2 + 2`) are emitted and not yet consumed. An error from `consume` stops
    /// the producer at its next emit; the first error (the consumer's, else the producer's) is thrown.
    public static func run(
        threads: Int, maxInFlight: Int? = nil,
        produce: (_ emit: (Item) throws -> Void) throws -> Void,
        transform: @escaping @Sendable (Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let p = OrderedParallel(threads: threads, maxInFlight: maxInFlight ?? max(1, threads) * 2 + 2, transform: transform)
        if p.threads == 1 {
            try withoutActuallyEscaping(consume) { c in try produce { try c(transform($0)) } }
            return
        }
        try withoutActuallyEscaping(produce) { produce in
            // The thread reaches `produce` only through this box, emptied before `done` is signalled, so
            // no reference to the non-escaping closure outlives `withoutActuallyEscaping`.
            let producer = ClosureBox(produce)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                var failure: Error?
                do {
                    guard let produce = producer.take() else { throw Cancelled() }
                    try produce { item in
                        try p.waitForRoom()
                        p.start(item)
                    }
                } catch { failure = error }
                p.producerFinished(failure)
                done.signal()
            }
            var consumerError: Error?
            while let out = p.next(.untilProducerDone) {
                guard consumerError == nil else { continue }
                do { try consume(out) } catch {
                    consumerError = error
                    p.cancel()
                }
            }
            done.wait()
            if let consumerError { throw consumerError }
            if let e = p.finalProducerError, !(e is Cancelled) { throw e }
        }
    }

    /// Maps a whole array at once on up to `threads` threads, results in input order (for callers that
    /// already hold their items in memory).
    public static func map(_ items: [Item], threads: Int, _ transform: (Item) -> Output) -> [Output] {
        if threads <= 1 || items.count <= 1 { return items.map(transform) }
        let results = UnsafeMutableBufferPointer<Output?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        withoutActuallyEscaping(transform) { t in
            let box = UnsafeSendableBox(items: items, results: results, transform: t)
            DispatchQueue.concurrentPerform(iterations: min(threads, items.count)) { worker in
                var i = worker
                while i < box.items.count {
                    box.results[i] = box.transform(box.items[i])
                    i += min(threads, box.items.count)
                }
            }
        }
        return results.map { $0! }
    }

    // MARK: - State

    /// Starts `item` on a worker (at most `threads` transforms run at once); its output is kept under
    /// its sequence number until consumed.
    private func start(_ item: Item) {
        cond.lock()
        let seq = submitted
        submitted += 1
        cond.unlock()
        let box = UnsafeTransfer(item)
        queue.async { [self] in
            workers.wait()
            let out = transform(box.value)
            workers.signal()
            cond.lock()
            ready[seq] = out
            cond.broadcast()
            cond.unlock()
        }
    }

    private enum Wait { case whileFull, untilAllConsumed, untilProducerDone }

    /// The next output in order, or nil when, under `mode`, there is none to wait for.
    private func next(_ mode: Wait) -> Output? {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let out = ready.removeValue(forKey: consumed) {
                consumed += 1
                cond.broadcast()
                return out
            }
            switch mode {
            case .whileFull: if submitted - consumed < maxInFlight { return nil }
            case .untilAllConsumed: if consumed >= submitted { return nil }
            case .untilProducerDone: if producerDone && consumed >= submitted { return nil }
            }
            cond.wait()
        }
    }

    /// The producer's side of the bound: waits until fewer than `maxInFlight` items are unconsumed.
    private func waitForRoom() throws {
        cond.lock()
        defer { cond.unlock() }
        while !cancelled && submitted - consumed >= maxInFlight { cond.wait() }
        if cancelled { throw Cancelled() }
    }

    private func cancel() { cond.lock(); cancelled = true; cond.broadcast(); cond.unlock() }

    private func producerFinished(_ error: Error?) {
        cond.lock(); producerError = error; producerDone = true; cond.broadcast(); cond.unlock()
    }

    private var finalProducerError: Error? { cond.lock(); defer { cond.unlock() }; return producerError }
}

/// Holds a closure for another thread until that thread takes it (once).
private final class ClosureBox<F>: @unchecked Sendable {
    private var f: F?
    private let lock = NSLock()
    init(_ f: F) { self.f = f }
    func take() -> F? { lock.lock(); defer { lock.unlock() }; let g = f; f = nil; return g }
}

/// Moves a non-Sendable value to a worker: each item is touched by one thread at a time.
private struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

private struct UnsafeSendableBox<Item, Output>: @unchecked Sendable {
    let items: [Item]
    let results: UnsafeMutableBufferPointer<Output?>
    let transform: (Item) -> Output
}

/// The number of cores, the default for `--threads`.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
