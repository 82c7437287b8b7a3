import Foundation

/// Why a stage run as tasks did not complete; the message names what to look at (shares, exit codes,
/// logs) and what a re-run will do.
enum ExecutorError: Error, CustomStringConvertible {
    /// Tasks that still failed after their retries.
    case tasksFailed(stage: String, count: Int, failures: [TaskState])
    /// A task an earlier executor started is still running: starting it again would race on its files.
    case stillRunning(stage: String, share: Int, count: Int, pid: Int32, log: String)
    /// waitpid reported no child while tasks were thought running.
    case lostTasks(stage: String, shares: [Int])

    var description: String {
        switch self {
        case .tasksFailed(let stage, let count, let failures):
            let list = failures.prefix(20).map { f -> String in
                let how = f.signal.map { "killed by signal \($0), exit \(f.exitCode ?? 0)" } ?? f.exitCode.map { "exit \($0)" } ?? "could not start"
                return "\(f.phase.map { "\($0) task" } ?? "share") \(f.share)/\(f.phase == nil ? count : f.count) (\(how), \(f.attempts) attempt\(f.attempts == 1 ? "" : "s"); log \(f.log))"
            }.joined(separator: "; ") + (failures.count > 20 ? "; ..." : "")
            return "stage \"\(stage)\": \(failures.count) of \(count) tasks failed: \(list). The other shares are kept: a re-run redoes only the failed ones"
        case .stillRunning(let stage, let share, let count, let pid, let log):
            return "stage \"\(stage)\": share \(share)/\(count) is still running as process \(pid) (started by an earlier run; log \(log)): wait for it or stop it, then re-run"
        case .lostTasks(let stage, let shares):
            return "stage \"\(stage)\": lost track of the tasks of share(s) \(shares.map(String.init).joined(separator: ", ")) (no child process to wait for)"
        }
    }
}
