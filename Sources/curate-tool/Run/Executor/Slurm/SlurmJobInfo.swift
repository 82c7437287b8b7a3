import Foundation

/// What `scontrol show job` says about a job or array task, including a finished one while slurmctld still
/// remembers it (MinJobAge, 300 s by default): the exit code, node and log of a share that failed.
public struct SlurmJobRecord: Sendable, Equatable {
    public var jobID: String
    public var arrayJobID: String?
    public var arrayTaskID: Int?
    /// PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...
    public var state: String
    public var reason: String?
    /// The script's exit status and the signal that ended it (`ExitCode=3:0`).
    public var exitStatus: Int?
    public var exitSignal: Int?
    public var nodeList: String?
    /// Seconds.
    public var runTime: Int?
    public var stdOut: String?
    public var fields: [String: String]

    public var succeeded: Bool { state == "COMPLETED" && exitStatus == 0 }
}

/// `scontrol show job ID` (one record per array task, blank-line separated).
public struct SlurmJobInfo: Sendable {
    public var commands: SlurmCommands

    public init(commands: SlurmCommands = SlurmCommands()) { self.commands = commands }

    /// The records of the job (every remembered task of an array), empty when slurmctld has forgotten it.
    public func records(_ id: String) throws -> [SlurmJobRecord] {
        try SlurmJobID.validate([id], for: "scontrol show job")
        let args = ["show", "job", id]
        let r = try commands.run("scontrol", args)
        if r.status != 0 {
            if r.stderr.contains("Invalid job id") { return [] }
            throw SlurmError.failed(command: ShellQuoting.display(["scontrol"] + args), status: r.status, stderr: r.stderr)
        }
        return Self.parse(r.stdout)
    }

    /// Parses the records. Each line holds `Key=Value` pairs separated by spaces, but values may themselves
    /// contain spaces (`JobName=n m`, `StdOut=/a b/x.log`), so a value runs until the next word that looks
    /// like a key (`Name=` at the start of a word); the path lines (StdOut, StdErr, Command, WorkDir) take the
    /// rest of their line. Records without a JobId are dropped.
    public static func parse(_ text: String) -> [SlurmJobRecord] {
        var records: [SlurmJobRecord] = []
        var current: [String: String] = [:]
        func flush() {
            if let r = record(current) { records.append(r) }
            current = [:]
        }
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).prefix(1_000_000) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { flush(); continue }
            for (k, v) in pairs(t) where current[k] == nil { current[k] = v }
        }
        flush()
        return records
    }

    static let wholeLineKeys: Set<String> = ["StdOut", "StdErr", "StdIn", "Command", "WorkDir", "Comment", "Reservation"]

    static func pairs(_ line: String) -> [(String, String)] {
        let chars = Array(line)
        // Word starts that look like keys: a letter, then letters/digits/:/_ up to '='.
        var starts: [(key: String, valueStart: Int, start: Int)] = []
        var i = 0
        while i < chars.count {
            if i == 0 || chars[i - 1] == " " {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].isLetter || chars[j].isNumber || chars[j] == ":" || chars[j] == "/" || chars[j] == "_" { j += 1 }
                if j > i, j < chars.count, chars[j] == "=", chars[i].isLetter {
                    starts.append((String(chars[i..<j]), j + 1, i))
                    if wholeLineKeys.contains(String(chars[i..<j])) { break }
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        var out: [(String, String)] = []
        for (n, s) in starts.enumerated() {
            let end = n + 1 < starts.count && !wholeLineKeys.contains(s.key) ? starts[n + 1].start : chars.count
            let value = s.valueStart <= end ? String(chars[s.valueStart..<end]).trimmingCharacters(in: .whitespaces) : ""
            out.append((s.key, value))
        }
        return out
    }

    static func record(_ f: [String: String]) -> SlurmJobRecord? {
        guard let id = f["JobId"], !id.isEmpty else { return nil }
        var status: Int?, signal: Int?
        if let ec = f["ExitCode"] {
            let parts = ec.split(separator: ":")
            if parts.count == 2 { status = Int(parts[0]); signal = Int(parts[1]) }
        }
        func present(_ k: String) -> String? {
            guard let v = f[k], !v.isEmpty, v != "(null)" else { return nil }
            return v
        }
        return SlurmJobRecord(jobID: id, arrayJobID: present("ArrayJobId"), arrayTaskID: present("ArrayTaskId").flatMap { Int($0) },
                              state: f["JobState"] ?? "", reason: present("Reason"), exitStatus: status, exitSignal: signal,
                              nodeList: present("NodeList"), runTime: present("RunTime").flatMap(duration),
                              stdOut: present("StdOut"), fields: f)
    }

    /// `[D-]HH:MM:SS`, `MM:SS` -> seconds.
    public static func duration(_ s: String) -> Int? {
        var days = 0
        var rest = Substring(s)
        if let dash = rest.firstIndex(of: "-") {
            guard let d = Int(rest[..<dash]), d >= 0 else { return nil }
            days = d
            rest = rest[rest.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        var total = 0
        for n in parts.compactMap({ $0 }) {
            let (m, o1) = total.multipliedReportingOverflow(by: 60)
            let (t, o2) = m.addingReportingOverflow(n)
            if o1 || o2 { return nil }
            total = t
        }
        let (withDays, o3) = days.multipliedReportingOverflow(by: 86_400)
        let (all, o4) = withDays.addingReportingOverflow(total)
        return o3 || o4 ? nil : all
    }
}
