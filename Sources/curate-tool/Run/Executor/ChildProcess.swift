import Curation
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting task processes and reaping them, with POSIX calls: `posix_spawn` (stdin from /dev/null,
/// stdout and stderr appended to the task's log, no other descriptor inherited: a task must not hold
/// the run store's lock or the parent's pipes) and a blocking `waitpid`, so the executor sleeps in the
/// kernel while tasks run instead of polling.
enum ChildProcess {
    struct Exit {
        var pid: pid_t
        /// The exit status, or 128 + the signal for a task killed by one.
        var code: Int32
        var signal: Int32?
    }

    /// This program's own executable: tasks run the same build as the executor.
    static func selfExecutable() -> String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        if n > 0 { return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        let arg0 = CommandLine.arguments.first ?? "curate-tool"
        return arg0.hasPrefix("/") ? arg0 : URL(fileURLWithPath: arg0).standardizedFileURL.path
    }

    /// Starts `executable arguments...` with this process's environment, output appended to `log`.
    static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { throw CurationError.io(path: log, reason: "posix_spawn_file_actions_init failed") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // No other descriptor of this process reaches the task (glibc's addclosefrom_np is not imported).
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { args -> Int32 in
            guard let base = args.baseAddress else { return EINVAL }
            return posix_spawn(&pid, executable, &actions, nil, base, environ)
        }
        guard rc == 0 else { throw CurationError.io(path: executable, reason: "cannot start a task: \(String(cString: strerror(rc)))") }
        return pid
    }

    /// This process's open descriptors (from /proc/self/fd; the executor opens none while it spawns).
    static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }.sorted()
    }

    /// Waits for any child to end (blocking, restarting on EINTR); nil when there is no child left.
    static func waitAny() -> Exit? {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid > 0 { return Exit(pid: pid, status: status) }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Whether a process of this host with this id is alive (a task left running by a killed executor).
    static func isAlive(_ pid: pid_t) -> Bool { pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) }
}

extension ChildProcess.Exit {
    /// Decodes a `waitpid` status (the WIFEXITED/WTERMSIG macros, which Swift does not import).
    init(pid: pid_t, status: Int32) {
        self.pid = pid
        let sig = status & 0x7f
        if sig == 0 {
            code = (status >> 8) & 0xff
            signal = nil
        } else {
            code = 128 + sig
            signal = sig
        }
    }
}
