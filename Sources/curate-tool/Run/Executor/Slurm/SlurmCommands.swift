import Foundation

/// What a Slurm command printed and how it exited.
public struct SlurmCommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Output past `maxOutputBytes` was read and dropped (the process is never left blocked on a full pipe).
    public var truncated: Bool
}

/// Runs Slurm's client commands (`sbatch`, `squeue`, `scontrol`, `scancel`) as child processes: the executor
/// talks to Slurm only through them, as a user at a login node would, so it works against any site's
/// Slurm version without linking libslurm, and every failure can be reproduced by hand from its message.
///
/// Every call is bounded: a timeout (a slurmctld that stops answering makes `squeue` hang, and a run must
/// fail with a message instead), and a cap on how much output is kept (a queue of thousands of jobs, or a
/// misbehaving wrapper script on PATH, must not grow memory without bound).
public struct SlurmCommands: Sendable {
    /// Seconds a command may run before it is killed.
    public var timeout: Double
    /// Bytes of stdout (and of stderr) kept; the rest is drained and dropped.
    public var maxOutputBytes: Int
    /// The directories searched for the commands (default: this process's PATH).
    public var searchPath: String

    public init(timeout: Double = 60, maxOutputBytes: Int = 16 << 20,
                searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") {
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
        self.searchPath = searchPath
    }

    /// The executable `program` resolves to, or nil when it is not on the search path.
    public func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/" + program
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// True when `program` (default `sbatch`) is installed here.
    public func available(_ program: String = "sbatch") -> Bool { locate(program) != nil }

    /// Runs `program arguments...` to completion (or its timeout) and returns what it printed, whatever its
    /// exit status. Throws only when it cannot be started or times out.
    public func run(_ program: String, _ arguments: [String], timeout: Double? = nil) throws -> SlurmCommandResult {
        let line = ShellQuoting.display([program] + arguments)
        guard let executable = locate(program) else { throw SlurmError.notInstalled(command: program) }
        let limit = max(0.1, timeout ?? self.timeout)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let outReader = CappedReader(cap: maxOutputBytes), errReader = CappedReader(cap: maxOutputBytes)
        do { try process.run() } catch {
            throw SlurmError.launchFailed(command: line, reason: "\(error)")
        }
        let readers = DispatchGroup()
        outReader.drain(out.fileHandleForReading, group: readers)
        errReader.drain(err.fileHandleForReading, group: readers)
        if exited.wait(timeout: .now() + limit) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = exited.wait(timeout: .now() + 2)
            }
            throw SlurmError.timedOut(command: line, seconds: limit)
        }
        // The pipes reach EOF when the command exits (Slurm's clients leave no children holding them); the
        // bound only guards against a wrapper script that does.
        _ = readers.wait(timeout: .now() + 5)
        let (o, ot) = outReader.result(), (e, et) = errReader.result()
        return SlurmCommandResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                  stderr: String(decoding: e, as: UTF8.self), truncated: ot || et)
    }

    /// Runs the command and returns its stdout; a non-zero exit throws `SlurmError.failed` with its stderr.
    public func output(_ program: String, _ arguments: [String], timeout: Double? = nil) throws -> String {
        let r = try run(program, arguments, timeout: timeout)
        guard r.status == 0 else {
            throw SlurmError.failed(command: ShellQuoting.display([program] + arguments), status: r.status,
                                    stderr: r.stderr.isEmpty ? r.stdout : r.stderr)
        }
        return r.stdout
    }
}

/// Reads a pipe to EOF on a background thread, keeping at most `cap` bytes. Reading everything (and dropping
/// the excess) rather than stopping keeps the child from blocking on a full pipe and never exiting.
final class CappedReader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var truncated = false
    private let cap: Int

    init(cap: Int) { self.cap = max(0, cap) }

    func drain(_ handle: FileHandle, group: DispatchGroup) {
        group.enter()
        DispatchQueue.global().async {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.lock.lock()
                let room = self.cap - self.data.count
                if room >= chunk.count { self.data.append(chunk) } else {
                    if room > 0 { self.data.append(chunk.prefix(room)) }
                    self.truncated = true
                }
                self.lock.unlock()
            }
            group.leave()
        }
    }

    func result() -> (Data, Bool) {
        lock.lock(); defer { lock.unlock() }
        return (data, truncated)
    }
}
