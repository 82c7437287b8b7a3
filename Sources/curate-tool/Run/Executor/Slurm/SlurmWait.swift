import Foundation

/// Waits, with a deadline and backoff, until submitted jobs have left the queue.
///
/// Polling starts fast (short test jobs finish in a second) and backs off to `maxInterval` so thousands of
/// tasks waited on for hours cost slurmctld one squeue every few seconds, not a busy loop. Pending jobs
/// that can never start (DependencyNeverSatisfied, held) end the wait with `SlurmError.stuck` instead of
/// running into the deadline; and the deadline always ends it.
public struct SlurmWait: Sendable {
    public var queue: SlurmQueue
    public var initialInterval: Double
    public var maxInterval: Double
    /// Consecutive failed squeue calls tolerated (a slurmctld restart makes a few fail) before giving up.
    public var maxConsecutiveErrors: Int

    public init(queue: SlurmQueue = SlurmQueue(), initialInterval: Double = 0.25, maxInterval: Double = 5, maxConsecutiveErrors: Int = 5) {
        self.queue = queue
        self.initialInterval = initialInterval
        self.maxInterval = maxInterval
        self.maxConsecutiveErrors = maxConsecutiveErrors
    }

    /// Returns when none of `ids` is queued any more; `progress` sees each poll's entries.
    /// Throws `waitTimedOut` after `timeout` seconds, `stuck` for jobs that will never run.
    public func untilDone(_ ids: [String], timeout: Double, progress: (([SlurmQueueEntry]) -> Void)? = nil) throws {
        try SlurmJobID.validate(ids, for: "wait")
        let start = Date()
        var interval = max(0.01, initialInterval)
        var errors = 0
        while true {
            let entries: [SlurmQueueEntry]
            do {
                entries = try queue.entries(ids)
                errors = 0
            } catch let e as SlurmError {
                errors += 1
                if errors > maxConsecutiveErrors { throw e }
                entries = []
                interval = min(maxInterval, interval * 2)
                try sleep(interval, start: start, timeout: timeout, ids: ids)
                continue
            }
            progress?(entries)
            if entries.isEmpty { return }
            let stuck = entries.filter(\.isStuck)
            if !stuck.isEmpty, stuck.count == entries.count {
                throw SlurmError.stuck(jobs: stuck.map(\.id), reason: stuck.first?.reason ?? "pending")
            }
            try sleep(interval, start: start, timeout: timeout, ids: entries.map(\.id))
            interval = min(maxInterval, interval * 1.5)
        }
    }

    private func sleep(_ interval: Double, start: Date, timeout: Double, ids: [String]) throws {
        let elapsed = Date().timeIntervalSince(start)
        if elapsed >= timeout { throw SlurmError.waitTimedOut(seconds: timeout, active: ids) }
        Thread.sleep(forTimeInterval: min(interval, timeout - elapsed))
    }
}
