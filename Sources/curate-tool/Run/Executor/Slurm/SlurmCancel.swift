import Foundation

/// `scancel`: stops jobs the executor submitted (an interrupted run, or a stage given up on), so no array
/// keeps running, or stays pending, after the run that wanted it has ended.
public struct SlurmCancel: Sendable {
    public var commands: SlurmCommands

    public init(commands: SlurmCommands = SlurmCommands()) { self.commands = commands }

    /// Cancels the jobs (whole arrays or single tasks). A job that already finished is not an error: scancel
    /// says "Invalid job id specified" for a job slurmctld has forgotten, and only reports for the others.
    public func cancel(_ ids: [String]) throws {
        try SlurmJobID.validate(ids, for: "scancel")
        let r = try commands.run("scancel", ids)
        if r.status != 0 && !r.stderr.contains("Invalid job id") && !r.stderr.contains("already completing or completed") {
            throw SlurmError.failed(command: ShellQuoting.display(["scancel"] + ids), status: r.status, stderr: r.stderr)
        }
    }
}
