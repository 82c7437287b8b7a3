import Foundation

/// Array task indices as squeue prints them: `5`, or a pending range list `[5-9,12,20-30:2%4]`.
public struct SlurmArrayTasks: Sendable, Equatable {
    /// `lo...hi` every `step`.
    public struct Run: Sendable, Equatable {
        public var lo: Int, hi: Int, step: Int
        public var count: Int { (hi - lo) / step + 1 }
        public func contains(_ i: Int) -> Bool { i >= lo && i <= hi && (i - lo) % step == 0 }
    }
    public var runs: [Run]
    /// The `%K` throttle squeue shows on a pending range.
    public var limit: Int?

    public var count: Int { runs.reduce(0) { $0 + $1.count } }
    public func contains(_ i: Int) -> Bool { runs.contains { $0.contains(i) } }

    /// Parses `5` or `[5-9,12%4]` (brackets optional); nil when it is not an index list.
    public init?(parsing s: Substring) {
        var body = s
        if body.first == "[" {
            guard body.last == "]" else { return nil }
            body = body.dropFirst().dropLast()
        }
        var limit: Int?
        if let pct = body.firstIndex(of: "%") {
            guard let k = Int(body[body.index(after: pct)...]), k >= 0 else { return nil }
            limit = k
            body = body[..<pct]
        }
        var runs: [Run] = []
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            var range = part, step = 1
            if let colon = part.firstIndex(of: ":") {
                guard let st = Int(part[part.index(after: colon)...]), st >= 1 else { return nil }
                step = st
                range = part[..<colon]
            }
            let ends = range.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let lo = Self.whole(ends[0]) else { return nil }
            let hi = ends.count == 2 ? Self.whole(ends[1]) : lo
            guard let hi, hi >= lo else { return nil }
            runs.append(Run(lo: lo, hi: hi, step: step))
        }
        guard !runs.isEmpty else { return nil }
        self.runs = runs
        self.limit = limit
    }

    static func whole(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 18, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }
}

/// One line of `squeue -h -o '%i|%T|%N|%r'`.
public struct SlurmQueueEntry: Sendable, Equatable {
    /// The id as printed (`123`, `123_4`, `123_[5-9]`).
    public var id: String
    /// The job's id, or the array's (the part before `_`).
    public var jobID: String
    /// The array task(s) this line stands for; nil for a job that is not an array task.
    public var tasks: SlurmArrayTasks?
    /// PENDING, RUNNING, COMPLETING, ...
    public var state: String
    /// The nodes it runs on (empty while pending).
    public var nodes: String
    /// Why it is pending (Priority, Resources, Dependency, DependencyNeverSatisfied, ...) or None.
    public var reason: String

    public var isPending: Bool { state == "PENDING" }

    /// Slurm will never start it: its dependency can no longer be satisfied (jobs submitted without
    /// --kill-on-invalid-dep, or by another tool), or it is held.
    public var isStuck: Bool {
        isPending && (reason == "DependencyNeverSatisfied" || reason.hasPrefix("JobHeld") || reason == "BadConstraints")
    }
}

/// Reads the queue with `squeue`, for the jobs the executor submitted.
///
/// The queue shows only jobs slurmctld still holds as pending or running. A job gone from it has finished,
/// but how is not squeue's to say, and there is no accounting database to ask (no sacct): whether a share
/// succeeded is decided by its completion record on shared storage (`STAGE_DIR/shares/sIofN.json`, written
/// last by the task), and `SlurmJobInfo` adds exit codes and log paths while slurmctld still remembers the
/// job (MinJobAge). The file protocol is the source of truth; the queue only says what is still to come.
public struct SlurmQueue: Sendable {
    public var commands: SlurmCommands
    /// Ids per squeue call, keeping command lines short.
    public static let idsPerCall = 200

    public static let format = "%i|%T|%N|%r"

    public init(commands: SlurmCommands = SlurmCommands()) { self.commands = commands }

    /// The queue entries of these jobs (and their array tasks); jobs no longer queued are absent.
    public func entries(_ ids: [String]) throws -> [SlurmQueueEntry] {
        try SlurmJobID.validate(ids, for: "squeue -j")
        var out: [SlurmQueueEntry] = []
        var start = 0
        while start < ids.count {
            let group = Array(ids[start..<min(ids.count, start + Self.idsPerCall)])
            start += Self.idsPerCall
            let args = ["-h", "-j", group.joined(separator: ","), "-o", Self.format]
            let r = try commands.run("squeue", args)
            if r.status != 0 {
                // Every id in the list unknown (all finished and forgotten): nothing queued.
                if r.stderr.contains("Invalid job id") { continue }
                throw SlurmError.failed(command: ShellQuoting.display(["squeue"] + args), status: r.status, stderr: r.stderr)
            }
            out += try Self.parse(r.stdout, command: ShellQuoting.display(["squeue"] + args))
        }
        return out
    }

    /// Parses squeue's lines in `format`. A line that does not fit is an error naming it, not skipped: a
    /// job misread as absent would be judged finished.
    public static func parse(_ text: String, command: String = "squeue") throws -> [SlurmQueueEntry] {
        var out: [SlurmQueueEntry] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else {
                throw SlurmError.unexpectedOutput(command: command, expected: "ID|STATE|NODES|REASON lines", output: trimmed)
            }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            let jobID: Substring, tasks: SlurmArrayTasks?
            if let us = id.firstIndex(of: "_") {
                jobID = id[..<us]
                guard let t = SlurmArrayTasks(parsing: id[id.index(after: us)...]) else {
                    throw SlurmError.unexpectedOutput(command: command, expected: "an array task id like 123_4 or 123_[5-9]", output: trimmed)
                }
                tasks = t
            } else {
                // A heterogeneous job prints 123+0: its job id is the part before +.
                jobID = id.split(separator: "+", maxSplits: 1).first ?? Substring(id)
                tasks = nil
            }
            guard !jobID.isEmpty, jobID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw SlurmError.unexpectedOutput(command: command, expected: "a numeric job id", output: trimmed)
            }
            out.append(SlurmQueueEntry(id: id, jobID: String(jobID), tasks: tasks,
                                       state: fields[1].trimmingCharacters(in: .whitespaces),
                                       nodes: fields[2].trimmingCharacters(in: .whitespaces),
                                       reason: fields[3].trimmingCharacters(in: .whitespaces)))
        }
        return out
    }
}
