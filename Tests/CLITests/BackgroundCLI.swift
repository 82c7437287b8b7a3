import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built tool started in the background, for tests that act on a run while it goes (watch it, cancel
/// one of its Slurm tasks). Its output goes to files, not pipes: a pipe nobody reads while the test waits
/// would fill up and stall the process.
final class BackgroundCLI {
    private let process = Process()
    private let outPath: String
    private let errPath: String

    init(_ args: [String], cwd: String, env: [String: String] = [:]) throws {
        let base = NSTemporaryDirectory() + "curate-bg-\(UUID().uuidString.prefix(8))"
        outPath = base + ".out"; errPath = base + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// What it printed on stderr so far (for a failure message).
    var stderrSoFar: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end (at most `timeout` seconds, then kills it) and returns what it printed.
    func wait(timeout: Double = 600) -> CLI.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        return CLI.Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                          stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Kills it if it is still running (a test that failed half-way leaves no run behind).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    /// Polls `condition` every 0.1 s for at most `timeout` seconds; whether it became true.
    static func waitFor(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }
}
