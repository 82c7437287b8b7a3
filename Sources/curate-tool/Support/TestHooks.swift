import Foundation

/// Hooks tests use to simulate a crash: with `CURATE_TEST_KILL_AFTER_RECORDS=N` in the environment, a
/// stage kills its own process (SIGKILL, no cleanup) once N records have gone through its progress
/// callback, so resume-after-kill is tested on a real process dying mid-stage.
/// `CURATE_TEST_KILL_KIND=mix` limits this to stages of one kind. `CURATE_TEST_KILL_AT_STAGE=N` kills
/// the process when the N-th stage it runs (not skips) has been recorded as running: an ablation lab
/// killed between and inside its recipe runs. `CURATE_TEST_KILL_SHARE=I` kills the task of share I of a
/// stage run as tasks (`run-task`) after its outputs, before its completion record; with
/// `CURATE_TEST_KILL_AFTER_RECORDS=N` too, that task dies after N records, in the middle of its share.
/// `CURATE_TEST_SLOW_SHARE=I:SECONDS` (and, if set, `CURATE_TEST_SLOW_KIND=convert`) makes share I's task
/// sleep SECONDS (at most 600) before it runs its share: a task surely still running while a test cancels
/// it (`scancel`) or watches the run (`runs watch`).
///
/// Compiled in only when `CURATE_TEST_HOOKS` is defined, so a shipped binary has no code path that
/// reads these variables or kills itself. Which builds define it, and why:
/// - debug builds, always (Package.swift defines it for the debug configuration of `curate-tool`), so
///   `swift build --build-tests && swift test` exercises the kill tests with no extra flag;
/// - release builds only when asked: `scripts/test.sh` (CI) builds with `-Xswiftc -DCURATE_TEST_HOOKS`
///   so the release test run covers them too, while `scripts/demo.sh` and a plain
///   `swift build -c release` produce the binary users get, without the hook. The two release
///   binaries differ only in this file: everywhere else `recordsProcessed` is an empty inline call.
enum TestHooks {
    #if CURATE_TEST_HOOKS
    static let killAfterRecords: Int? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_AFTER_RECORDS"].flatMap(Int.init)
    static let killKind: String? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_KIND"]

    /// With `CURATE_TEST_KILL_SHARE=I` set too, only share I's task (`run-task`) dies, in the middle of its share.
    static func recordsProcessed(_ n: Int, kind: String) {
        if let limit = killAfterRecords, n >= limit, killKind == nil || killKind == kind, killShare == nil || killShare == currentShare {
            kill(getpid(), SIGKILL)
        }
    }

    static let killAtStage: Int? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_AT_STAGE"].flatMap(Int.init)
    nonisolated(unsafe) static var stagesStarted = 0

    static func stageStarted() {
        stagesStarted += 1
        if let n = killAtStage, stagesStarted >= n { kill(getpid(), SIGKILL) }
    }

    static let killShare: Int? = ProcessInfo.processInfo.environment["CURATE_TEST_KILL_SHARE"].flatMap(Int.init)
    /// The share this process does as a task (`run-task`), nil otherwise.
    nonisolated(unsafe) static var currentShare: Int?

    static func shareStarted(_ share: Int) { currentShare = share }

    /// A task of a sharded stage (`run-task`) has written its share's outputs but not yet its completion
    /// record: with `CURATE_TEST_KILL_SHARE=I` (and, if set, `CURATE_TEST_KILL_KIND`), share I's task dies here.
    static func shareTaskRan(_ share: Int, kind: String) {
        if let i = killShare, i == share, killKind == nil || killKind == kind { kill(getpid(), SIGKILL) }
    }

    static let slowShare: (share: Int, seconds: Double)? = {
        guard let v = ProcessInfo.processInfo.environment["CURATE_TEST_SLOW_SHARE"] else { return nil }
        let parts = v.split(separator: ":")
        guard parts.count == 2, let i = Int(parts[0]), let s = Double(parts[1]), s.isFinite, s >= 0 else { return nil }
        return (i, min(s, 600))
    }()
    static let slowKind: String? = ProcessInfo.processInfo.environment["CURATE_TEST_SLOW_KIND"]

    /// A task of a sharded stage is about to run its share: with `CURATE_TEST_SLOW_SHARE=I:SECONDS`, share I's task waits first.
    static func shareTaskStarting(_ share: Int, kind: String) {
        if let slow = slowShare, slow.share == share, slowKind == nil || slowKind == kind { Thread.sleep(forTimeInterval: slow.seconds) }
    }
    #else
    @inline(__always) static func shareTaskStarting(_ share: Int, kind: String) {}
    @inline(__always) static func recordsProcessed(_ n: Int, kind: String) {}
    @inline(__always) static func stageStarted() {}
    @inline(__always) static func shareTaskRan(_ share: Int, kind: String) {}
    @inline(__always) static func shareStarted(_ share: Int) {}
    #endif
}
