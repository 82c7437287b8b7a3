import Foundation

/// The limits of the cluster that shape how tasks are submitted, read from `scontrol show config`.
///
/// `MaxArraySize` bounds array *indices* (an array's indices must be below it, so `--array=0-(k-1)` needs
/// k <= MaxArraySize), which is why ArrayPlan splits large stages; `MaxJobCount` bounds how many job records
/// slurmctld keeps at once (pending, running and recently finished), which a stage's tasks count against
/// once they start; `MinJobAge` is how long a finished job stays visible to `scontrol show job`.
public struct SlurmConfig: Sendable, Equatable {
    /// Slurm's documented defaults, used when a value is missing from the output.
    public static let defaultMaxArraySize = 1001
    public static let defaultMaxJobCount = 10000

    public var maxArraySize: Int
    public var maxJobCount: Int
    /// Seconds, when known.
    public var minJobAge: Int?
    /// Every `Key = Value` line, for diagnostics.
    public var values: [String: String]

    public init(maxArraySize: Int = defaultMaxArraySize, maxJobCount: Int = defaultMaxJobCount, minJobAge: Int? = nil, values: [String: String] = [:]) {
        self.maxArraySize = maxArraySize
        self.maxJobCount = maxJobCount
        self.minJobAge = minJobAge
        self.values = values
    }

    /// Parses `scontrol show config`: one `Key = Value` per line (the header, blank lines and plugin sections
    /// without `=` are skipped). A missing limit takes Slurm's default; a present but unreadable one is an error
    /// rather than a guess, since planning arrays above the real limit makes every sbatch fail.
    public init(parsing text: String) throws {
        var values: [String: String] = [:]
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }).prefix(10_000) {
            guard let eq = raw.firstIndex(of: "=") else { continue }
            let key = raw[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" ") else { continue }
            if values[key] == nil { values[key] = raw[raw.index(after: eq)...].trimmingCharacters(in: .whitespaces) }
        }
        func number(_ key: String) throws -> Int? {
            guard let v = values[key] else { return nil }
            // "300 sec", "1001": the leading whole number.
            let digits = v.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let n = Int(digits) else {
                throw SlurmError.unexpectedOutput(command: "scontrol show config", expected: "a whole number for \(key)", output: "\(key) = \(v)")
            }
            return n
        }
        let maxArray = try number("MaxArraySize") ?? Self.defaultMaxArraySize
        guard maxArray >= 1 else {
            throw SlurmError.unexpectedOutput(command: "scontrol show config", expected: "MaxArraySize >= 1", output: "MaxArraySize = \(maxArray)")
        }
        self.init(maxArraySize: maxArray, maxJobCount: try number("MaxJobCount") ?? Self.defaultMaxJobCount,
                  minJobAge: try number("MinJobAge"), values: values)
    }

    /// Asks slurmctld.
    public static func load(using commands: SlurmCommands) throws -> SlurmConfig {
        try SlurmConfig(parsing: commands.output("scontrol", ["show", "config"]))
    }
}
