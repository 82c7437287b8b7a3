import Foundation

/// Everything that can go wrong talking to Slurm, each naming the command that failed so a user can run it
/// by hand. The Slurm executor throws these; the CLI renders `description` as its `error:` line.
public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// The program (`sbatch`, `squeue`, ...) is not on PATH: Slurm's client tools are not installed here.
    case notInstalled(command: String)
    /// The program exists but could not be started.
    case launchFailed(command: String, reason: String)
    /// The command ran longer than its timeout and was killed (a hung slurmctld must not hang a run).
    case timedOut(command: String, seconds: Double)
    /// The command exited non-zero.
    case failed(command: String, status: Int32, stderr: String)
    /// The command succeeded but printed something this layer cannot read.
    case unexpectedOutput(command: String, expected: String, output: String)
    /// A value that would be unsafe or meaningless in a batch script or on a command line.
    case invalidArgument(String)
    /// Jobs still in the queue when a wait's deadline passed.
    case waitTimedOut(seconds: Double, active: [String])
    /// Jobs Slurm will never start (a dependency failed and they were not cancelled).
    case stuck(jobs: [String], reason: String)

    public var description: String {
        switch self {
        case .notInstalled(let command):
            return "\(command): not found on PATH (are Slurm's client commands installed? scripts/slurm-cluster.sh sets up a one-node cluster)"
        case .launchFailed(let command, let reason):
            return "cannot run \(command): \(reason)"
        case .timedOut(let command, let seconds):
            return "\(command) did not finish within \(Self.seconds(seconds)) and was killed (is slurmctld responding?)"
        case .failed(let command, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command) exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .unexpectedOutput(let command, let expected, let output):
            return "\(command) printed \(Self.excerpt(output)), expected \(expected)"
        case .invalidArgument(let message):
            return message
        case .waitTimedOut(let seconds, let active):
            return "Slurm jobs still queued or running after \(Self.seconds(seconds)): \(Self.list(active))"
        case .stuck(let jobs, let reason):
            return "Slurm jobs \(Self.list(jobs)) will never run (\(reason)); cancel them with scancel"
        }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }

    /// At most 300 characters of command output, quoted, for a message.
    static func excerpt(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return "nothing" }
        return "\"" + (t.count > 300 ? String(t.prefix(300)) + "..." : t) + "\""
    }

    /// At most 10 ids, then a count of the rest.
    static func list(_ ids: [String]) -> String {
        ids.count <= 10 ? ids.joined(separator: ", ") : ids.prefix(10).joined(separator: ", ") + " and \(ids.count - 10) more"
    }
}
