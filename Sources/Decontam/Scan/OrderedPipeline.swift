import Dispatch
import Foundation

/// Runs a transform over items on `threads` worker threads while the calling thread keeps reading and
/// consuming: results are handed to `consume` on the calling thread strictly in submission order, so
/// output does not depend on the thread count. Unlike processing fixed groups, reading the next input
/// and writing earlier results overlap with the workers (the scan's reader and writer are serial work
/// that would otherwise cap the 2-core speed-up). At most `threads * 3` items are in flight.
/// With one thread everything runs inline on the calling thread.
final class OrderedPipeline<Item, Output>: @unchecked Sendable {
    let threads: Int
    private let transform: (Item) -> Output
    private let cond = NSCondition()
    private var ready: [Int: Output] = [:]
    private var submitted = 0
    private var consumed = 0
    private let queue = DispatchQueue(label: "decontam.scan.workers", attributes: .concurrent)
    private let workers: DispatchSemaphore

    init(threads: Int, transform: @escaping (Item) -> Output) {
        self.threads = max(1, threads)
        self.transform = transform
        workers = DispatchSemaphore(value: max(1, threads))
    }

    private var limit: Int { threads * 3 }

    /// Queues `item`; consumes every result that is ready in order, waiting while too many are in flight.
    func submit(_ item: Item, consume: (Output) throws -> Void) throws {
        if threads == 1 { try consume(transform(item)); return }
        let seq = submitted
        submitted += 1
        queue.async { [self] in
            workers.wait()
            let out = transform(item)
            workers.signal()
            cond.lock()
            ready[seq] = out
            cond.broadcast()
            cond.unlock()
        }
        try drain(consume, waitAll: false)
    }

    /// Consumes every remaining result, in order.
    func finish(_ consume: (Output) throws -> Void) throws {
        if threads == 1 { return }
        try drain(consume, waitAll: true)
    }

    private func drain(_ consume: (Output) throws -> Void, waitAll: Bool) throws {
        while consumed < submitted {
            let mustWait = waitAll || submitted - consumed >= limit
            cond.lock()
            while mustWait && ready[consumed] == nil { cond.wait() }
            let out = ready.removeValue(forKey: consumed)
            cond.unlock()
            guard let out else { return }
            consumed += 1
            try consume(out)
        }
    }
}
