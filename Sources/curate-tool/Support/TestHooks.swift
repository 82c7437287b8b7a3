import Foundation

/// Hooks tests use to simulate a crash: with `CURATE_TEST_KILL_AFTER_RECORDS=N` in the environment, a
/// stage kills its own process (SIGKILL, no cleanup) once N records have gone through its progress
/// callback, so resume-after-kill is tested on a real process dying mid-stage.
/// `CURATE_TEST_KILL_KIND=mix` limits this to stages of one kind.
enum TestHooks {
    static let killAfterRecords: Int? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_AFTER_RECORDS"].flatMap(Int.init)
    static let killKind: String? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_KIND"]

    static func recordsProcessed(_ n: Int, kind: String) {
        if let limit = killAfterRecords, n >= limit, killKind == nil || killKind == kind { kill(getpid(), SIGKILL) }
    }
}
