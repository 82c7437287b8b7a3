import Foundation

/// Hooks tests use to simulate a crash: with `CURATE_TEST_KILL_AFTER_RECORDS=N` in the environment, a
/// stage kills its own process (SIGKILL, no cleanup) once N records have gone through its progress
/// callback, so resume-after-kill is tested on a real process dying mid-stage.
enum TestHooks {
    static let killAfterRecords: Int? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_AFTER_RECORDS"].flatMap(Int.init)

    static func recordsProcessed(_ n: Int) {
        if let limit = killAfterRecords, n >= limit { kill(getpid(), SIGKILL) }
    }
}
