import Dispatch
import Foundation

/// Runs a transform over items on several threads and hands the results back in input order, so a
/// stage's output does not depend on the thread count. Items are processed in groups of
/// `threads * 2`; the caller's `consume` runs on the calling thread.
public struct OrderedParallel<Item, Output> {
    public let threads: Int
    public let transform: @Sendable (Item) -> Output
    private var pending: [Item] = []

    public init(threads: Int, transform: @escaping @Sendable (Item) -> Output) {
        self.threads = max(1, threads)
        self.transform = transform
    }

    /// Adds an item; when a group is full, processes it and passes the outputs to `consume` in order.
    public mutating func submit(_ item: Item, consume: (Output) throws -> Void) rethrows {
        pending.append(item)
        if pending.count >= threads * 2 { try drain(consume) }
    }

    /// Processes what is left.
    public mutating func drain(_ consume: (Output) throws -> Void) rethrows {
        guard !pending.isEmpty else { return }
        let items = pending
        pending.removeAll(keepingCapacity: true)
        let outputs = OrderedParallel.map(items, threads: threads, transform)
        for o in outputs { try consume(o) }
    }

    /// Maps `items` on up to `threads` threads, results in input order.
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
}

private struct UnsafeSendableBox<Item, Output>: @unchecked Sendable {
    let items: [Item]
    let results: UnsafeMutableBufferPointer<Output?>
    let transform: (Item) -> Output
}

/// The number of cores, the default for `--threads`.
public var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
