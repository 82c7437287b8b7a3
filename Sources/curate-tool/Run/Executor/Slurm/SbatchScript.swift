import Foundation

/// Site-specific `sbatch` options a user passes through (`--partition`, `--time`, ... and verbatim extras).
public struct SbatchOptions: Sendable, Equatable {
    public var partition: String?
    public var account: String?
    /// Slurm's time format (`30`, `1:00:00`, `1-00:00:00`).
    public var time: String?
    /// Memory per node (`4G`).
    public var mem: String?
    public var cpusPerTask: Int?
    /// Further options written verbatim as `#SBATCH` lines; each must be one `--option[=value]` word.
    public var extra: [String]

    public init(partition: String? = nil, account: String? = nil, time: String? = nil, mem: String? = nil,
                cpusPerTask: Int? = nil, extra: [String] = []) {
        self.partition = partition; self.account = account; self.time = time; self.mem = mem
        self.cpusPerTask = cpusPerTask; self.extra = extra
    }

    /// The `#SBATCH` option words, validated.
    func lines() throws -> [String] {
        var out: [String] = []
        if let v = partition { out.append("--partition=" + (try SbatchScript.directiveValue(v, option: "--partition"))) }
        if let v = account { out.append("--account=" + (try SbatchScript.directiveValue(v, option: "--account"))) }
        if let v = time { out.append("--time=" + (try SbatchScript.directiveValue(v, option: "--time"))) }
        if let v = mem { out.append("--mem=" + (try SbatchScript.directiveValue(v, option: "--mem"))) }
        if let c = cpusPerTask {
            guard c >= 1 else { throw SlurmError.invalidArgument("--cpus-per-task must be at least 1, got \(c)") }
            out.append("--cpus-per-task=\(c)")
        }
        for arg in extra {
            // Only options: a bare word would be taken by sbatch as the script's name or its arguments.
            guard arg.hasPrefix("--"), arg.count > 2 else {
                throw SlurmError.invalidArgument("--sbatch-arg \"\(arg)\" must be a long option starting with -- (e.g. --qos=high)")
            }
            guard !arg.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\u{0}" }) else {
                throw SlurmError.invalidArgument("--sbatch-arg must be one line, got \(SlurmError.excerpt(arg))")
            }
            // Options this layer sets itself: a second value would silently win or conflict.
            let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            guard !SbatchScript.reserved.contains(name) else {
                throw SlurmError.invalidArgument("--sbatch-arg \(name) is set by the executor and cannot be overridden")
            }
            out.append(arg)
        }
        return out
    }
}

/// The batch script of one job array: `#SBATCH` lines, the share environment, and the task's command line.
///
/// What a task needs comes from the environment and the shared filesystem, never from the submitting
/// process: `CURATE_SHARD_COUNT` and `CURATE_SHARD_OFFSET` are exported here, Slurm sets
/// `SLURM_ARRAY_TASK_ID`, and the command (`curate-tool run-task STAGE_DIR/tasks/task.json --shard env`)
/// reads its task file. Each task's output goes to `STAGE_DIR/tasks/slurm-%A_%a.log` (%A the array's job id,
/// %a the index), next to the task file, so a failed share's log is found from the stage directory alone.
public struct SbatchScript: Sendable, Equatable {
    public var jobName: String
    /// The `--array` value (ArrayPlan.Chunk.arraySpec); nil for a single job (a stage's merge after its
    /// arrays), which gets no share variables and logs to `slurm-%j.log`.
    public var array: String?
    /// Where the per-task logs go (the stage's `tasks` directory).
    public var logDirectory: String
    public var shareCount: Int
    public var shareOffset: Int
    /// The command each task runs (program and arguments, quoted here).
    public var command: [String]
    /// The working directory of the tasks (`--chdir`), when given.
    public var workingDirectory: String?
    /// Further variables to export, in this order (names must be shell identifiers).
    public var environment: [(String, String)]
    public var options: SbatchOptions
    /// Comment lines for the person reading the script (what it waits for); one line each, no line breaks.
    public var notes: [String] = []

    /// The options this script sets itself, which `--sbatch-arg` may not repeat.
    static let reserved: Set<String> = ["--array", "--job-name", "--output", "--error", "--chdir", "--parsable", "--dependency", "--kill-on-invalid-dep", "--wrap"]

    public init(jobName: String, array: String, logDirectory: String, shareCount: Int, shareOffset: Int, command: [String],
                workingDirectory: String? = nil, environment: [(String, String)] = [], options: SbatchOptions = SbatchOptions()) {
        self.jobName = jobName; self.array = array; self.logDirectory = logDirectory
        self.shareCount = shareCount; self.shareOffset = shareOffset; self.command = command
        self.workingDirectory = workingDirectory; self.environment = environment; self.options = options
    }

    /// One job, not an array: e.g. `curate-tool merge STAGE_DIR` submitted with afterok on the stage's arrays,
    /// so the merge runs on the cluster as soon as the last share is done.
    public static func single(jobName: String, logDirectory: String, command: [String], workingDirectory: String? = nil,
                              environment: [(String, String)] = [], options: SbatchOptions = SbatchOptions()) -> SbatchScript {
        var s = SbatchScript(jobName: jobName, array: "0", logDirectory: logDirectory, shareCount: 1, shareOffset: 0, command: command,
                             workingDirectory: workingDirectory, environment: environment, options: options)
        s.array = nil
        return s
    }

    /// For one chunk of a plan.
    public init(jobName: String, plan: ArrayPlan, chunk: ArrayPlan.Chunk, logDirectory: String, command: [String],
                workingDirectory: String? = nil, environment: [(String, String)] = [], options: SbatchOptions = SbatchOptions()) {
        self.init(jobName: jobName, array: chunk.arraySpec(maxParallel: plan.maxParallel), logDirectory: logDirectory,
                  shareCount: plan.shareCount, shareOffset: chunk.offset, command: command,
                  workingDirectory: workingDirectory, environment: environment, options: options)
    }

    public static func == (a: SbatchScript, b: SbatchScript) -> Bool {
        a.jobName == b.jobName && a.array == b.array && a.logDirectory == b.logDirectory && a.shareCount == b.shareCount
            && a.shareOffset == b.shareOffset && a.command == b.command && a.workingDirectory == b.workingDirectory
            && a.environment.map(\.0) == b.environment.map(\.0) && a.environment.map(\.1) == b.environment.map(\.1) && a.options == b.options
            && a.notes == b.notes
    }

    /// The log path pattern: `%` in the directory doubled (Slurm expands `%x` patterns in the whole path).
    public var outputPattern: String {
        let dir = logDirectory.hasSuffix("/") ? String(logDirectory.dropLast()) : logDirectory
        return dir.replacingOccurrences(of: "%", with: "%%") + (array == nil ? "/slurm-%j.log" : "/slurm-%A_%a.log")
    }

    /// The script text.
    public func text() throws -> String {
        guard !command.isEmpty else { throw SlurmError.invalidArgument("a batch script needs a command to run") }
        if let array {
            guard shareCount >= 1, shareOffset >= 0, shareOffset < shareCount else {
                throw SlurmError.invalidArgument("share offset \(shareOffset) is outside 0..<\(shareCount)")
            }
            guard !array.isEmpty, array.allSatisfy({ $0.isASCII && ($0.isNumber || "-,%".contains($0)) }) else {
                throw SlurmError.invalidArgument("--array \"\(array)\" is not an index list (e.g. 0-10%4)")
            }
        }
        var lines = ["#!/bin/sh"]
        lines.append("#SBATCH --job-name=" + (try Self.directiveValue(jobName, option: "--job-name")))
        if let array { lines.append("#SBATCH --array=" + array) }
        lines.append("#SBATCH --output=" + (try Self.directiveValue(outputPattern, option: "--output")))
        if let wd = workingDirectory { lines.append("#SBATCH --chdir=" + (try Self.directiveValue(wd, option: "--chdir"))) }
        for o in try options.lines() { lines.append("#SBATCH " + o) }
        lines.append("# Written by curate-tool's Slurm executor.")
        for note in notes { lines.append("# " + note.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")) }
        if array != nil {
            lines.append("# --shard env reads share CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID of CURATE_SHARD_COUNT.")
            lines.append("export CURATE_SHARD_COUNT=\(shareCount)")
            lines.append("export CURATE_SHARD_OFFSET=\(shareOffset)")
        }
        for (name, value) in environment {
            guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
                  name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw SlurmError.invalidArgument("\"\(name)\" is not an environment variable name")
            }
            lines.append("export \(name)=" + (try ShellQuoting.quote(value)))
        }
        lines.append("exec " + (try ShellQuoting.join(command)))
        return lines.joined(separator: "\n") + "\n"
    }

    /// A value for an `#SBATCH --option=value` line. sbatch reads these lines with its own tokenizer, which
    /// honours double quotes but no escapes: a value with spaces is double-quoted, and one with a double quote
    /// or a line break (which would end the directive) is refused.
    static func directiveValue(_ v: String, option: String) throws -> String {
        guard !v.isEmpty else { throw SlurmError.invalidArgument("\(option) needs a value") }
        guard !v.contains(where: { $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\u{0}" }) else {
            throw SlurmError.invalidArgument("\(option) value \(SlurmError.excerpt(v)) contains a double quote or line break, which #SBATCH lines cannot carry")
        }
        return v.contains(where: { $0 == " " || $0 == "\t" || $0 == "'" }) ? "\"" + v + "\"" : v
    }
}
