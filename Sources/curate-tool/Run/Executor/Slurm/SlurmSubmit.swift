import Foundation

/// Submits batch scripts with `sbatch --parsable` and returns their job ids.
///
/// Dependencies are `afterok` on whole arrays (`--dependency=afterok:ID:ID`: every task of each array must
/// exit 0), always with `--kill-on-invalid-dep=yes`: without it a job whose dependency failed stays pending
/// forever with reason DependencyNeverSatisfied (datatrove #235, #238), and a run waiting on the queue would
/// wait for ever. With it Slurm cancels such jobs, they leave the queue, and the missing completion records
/// tell the executor which shares did not run.
public struct SlurmSubmit: Sendable {
    public var commands: SlurmCommands

    public init(commands: SlurmCommands = SlurmCommands()) { self.commands = commands }

    /// The `sbatch` arguments for a script file with these dependencies.
    public static func arguments(scriptPath: String, afterOK dependencies: [String] = [], extra: [String] = []) throws -> [String] {
        var args = ["--parsable"]
        if !dependencies.isEmpty {
            try SlurmJobID.validate(dependencies, for: "sbatch --dependency")
            args.append("--dependency=afterok:" + dependencies.joined(separator: ":"))
            args.append("--kill-on-invalid-dep=yes")
        }
        args += extra
        args.append(scriptPath)
        return args
    }

    /// Submits the script at `scriptPath` (kept on shared storage next to the task file, so what ran can be
    /// read afterwards) and returns the job id (the array's id for an array job).
    public func submit(scriptPath: String, afterOK dependencies: [String] = [], extra: [String] = []) throws -> String {
        let args = try Self.arguments(scriptPath: scriptPath, afterOK: dependencies, extra: extra)
        return try Self.parseJobID(commands.output("sbatch", args), command: ShellQuoting.display(["sbatch"] + args))
    }

    /// Writes `script` to `path` (mode 0755) and submits it.
    public func submit(_ script: SbatchScript, writingTo path: String, afterOK dependencies: [String] = []) throws -> String {
        let text = try script.text()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        } catch {
            throw SlurmError.launchFailed(command: "sbatch \(path)", reason: "cannot write the batch script: \(error)")
        }
        return try submit(scriptPath: path, afterOK: dependencies)
    }

    /// `--parsable` prints `ID` or `ID;CLUSTER` (a multi-cluster site); anything else is an error.
    public static func parseJobID(_ output: String, command: String = "sbatch --parsable") throws -> String {
        let line = output.split(whereSeparator: \.isNewline).first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
        let id = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty, id.count <= 20, id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw SlurmError.unexpectedOutput(command: command, expected: "a job id", output: output)
        }
        return id
    }
}
