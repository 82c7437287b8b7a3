import Foundation
import Testing
import Trainer

/// `ComputeThreads.forParts` / `forSpans` run on a persistent spinning worker pool (WorkerPool.swift),
/// falling back to `concurrentPerform` when it is busy. Whichever runs a region, every part must run
/// exactly once on the worker the shape-only partition assigns it, nested and concurrent regions must
/// complete, and results must be the 1-thread bits.
@Suite struct ParallelWorkerPoolTests {
    /// Counts how often each part ran and on which worker; a lock keeps the counts exact even if a part
    /// ran twice at once (the failure this looks for).
    final class Record: @unchecked Sendable {
        let lock = NSLock()
        var runs: [Int]
        var worker: [Int]
        init(_ parts: Int) {
            runs = Array(repeating: 0, count: parts)
            worker = Array(repeating: -1, count: parts)
        }
        func ran(_ part: Int, on w: Int) {
            lock.lock()
            runs[part] += 1
            worker[part] = w
            lock.unlock()
        }
    }

    /// The worker `forParts` must give `part`: worker w takes the w-th contiguous run of parts.
    static func expectedWorker(part: Int, parts: Int, threads: Int) -> Int {
        let workers = min(threads, parts)
        return (0..<workers).first { Parallel.chunkRange(parts, chunks: workers, index: $0).contains(part) } ?? -1
    }

    /// Runs `forParts`; true when every part ran once on its worker. (Checked by the caller: an
    /// `#expect` on a thread outside the test's task would not be attributed to the test.)
    static func regionIsRight(threads: Int, parts: Int) -> Bool {
        let record = Record(parts)
        ComputeThreads(threads).forParts(parts) { p, w in record.ran(p, on: w) }
        let expected = (0..<parts).map { expectedWorker(part: $0, parts: parts, threads: threads) }
        return record.runs == Array(repeating: 1, count: parts) && record.worker == expected
    }

    /// Counts failures seen on other threads.
    final class Failures: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        func check(_ ok: Bool) {
            guard !ok else { return }
            lock.lock()
            count += 1
            lock.unlock()
        }
    }

    @Test func everyPartRunsExactlyOnceOnItsWorker() {
        for round in 0..<60 {
            for threads in 1...4 {
                for parts in [1, 2, 3, 5, 16, 37] {
                    #expect(Self.regionIsRight(threads: threads, parts: parts), "threads \(threads), parts \(parts)")
                }
            }
            // Now and then let the workers outlast their spin and park, so waking them is tested too.
            if round % 20 == 19 { usleep(2000) }
        }
    }

    @Test func spansCoverEveryElementOnce() {
        for threads in 1...4 {
            for n in [1, 15, 16, 100, 1000, 4097] {
                let record = Record(n)
                ComputeThreads(threads).forSpans(n, minChunk: 16) { r in
                    for i in r { record.ran(i, on: 0) }
                }
                #expect(record.runs == Array(repeating: 1, count: n), "threads \(threads), n \(n)")
            }
        }
    }

    @Test func nestedRegionsComplete() {
        let outer = 6, inner = 5
        let record = Record(outer * inner)
        ComputeThreads(3).forParts(outer) { o, _ in
            ComputeThreads(2).forParts(inner) { i, _ in record.ran(o * inner + i, on: 0) }
        }
        #expect(record.runs == Array(repeating: 1, count: outer * inner))
    }

    @Test func concurrentCallersWithDifferentThreadCountsAllComplete() {
        // Four callers at once (two thread counts): at most one holds the pool, the others fall back.
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<300 {
                failures.check(Self.regionIsRight(threads: 2 + caller % 2, parts: 3 + round % 7))
            }
        }
        #expect(failures.count == 0)
    }

    /// A per-part partial-sum reduction (combined in part order, as the kernels do) and an elementwise
    /// product give the 1-thread bits on 2 to 4 threads, also while other threads use the pool.
    @Test func resultsAreTheOneThreadBits() {
        let n = 10_000
        let x = (0..<n).map { Float(sin(Double($0) * 0.37)) * 3 }
        func run(_ threads: ComputeThreads) -> (sum: Float, y: [Float]) {
            let partial = UnsafeMutableBufferPointer<Float>.allocate(capacity: Parallel.maxParts)
            let y = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            defer { partial.deallocate(); y.deallocate() }
            let used = threads.forIndexedChunks(n, minChunk: 100) { p, r in
                var s: Float = 0
                for i in r { s += x[i] * x[i] }
                partial[p] = s
            }
            threads.forSpans(n, minChunk: 64) { r in
                for i in r { y[i] = x[i] * 1.5 + 0.25 }
            }
            return (partial.prefix(used).reduce(0, +), Array(y))
        }
        let reference = run(ComputeThreads(1))
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 3) { caller in
            for round in 0..<100 {
                let r = run(ComputeThreads(2 + (caller + round) % 3))
                failures.check(r.sum.bitPattern == reference.sum.bitPattern && r.y.map(\.bitPattern) == reference.y.map(\.bitPattern))
            }
        }
        #expect(failures.count == 0)
        #expect(reference.sum > 0)
    }
}
