import Foundation

/// The i-th of N deterministic shares of the input (0-based). Which units of the input a share reads
/// is `SharePlan`'s: contiguous runs, so N tasks `--shard 0/N` ... `--shard N-1/N` cover every record
/// once and their outputs in share order are one run's.
public struct ShardSpec: Sendable, Hashable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw CurationError.invalidArgument("--shard expects i/N with 0 <= i < N, got \(index)/\(count)")
        }
        self.index = index; self.count = count
    }

    /// Parses `i/N`, or `env`: the share an executor sets in the environment (see `init(environment:)`).
    public init(parsing s: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if s == "env" {
            try self.init(environment: environment)
            return
        }
        let parts = s.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw CurationError.invalidArgument("--shard expects i/N (e.g. 0/8), got \"\(s)\"")
        }
        try self.init(index: i, count: n)
    }

    /// `--shard env`: i = `CURATE_SHARD_OFFSET` (default 0) + the array task's index (`SLURM_ARRAY_TASK_ID`, or
    /// Kubernetes' `JOB_COMPLETION_INDEX` for an Indexed Job), N = `CURATE_SHARD_COUNT`. Both the count and the
    /// index must be set: a tool run inside an array job for other reasons never silently does 1/N of the data,
    /// and an array split above Slurm's MaxArraySize (its task ids restart at 0) adds its offset.
    public init(environment env: [String: String]) throws {
        func whole(_ name: String) throws -> Int? {
            guard let raw = env[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let v = Int(raw), v >= 0 else { throw CurationError.invalidArgument("--shard env: \(name)=\"\(raw)\" is not a whole number") }
            return v
        }
        guard let count = try whole("CURATE_SHARD_COUNT") else {
            throw CurationError.invalidArgument("--shard env needs CURATE_SHARD_COUNT (the number of shares) in the environment")
        }
        guard let task = try whole("SLURM_ARRAY_TASK_ID") ?? whole("JOB_COMPLETION_INDEX") else {
            throw CurationError.invalidArgument("--shard env needs SLURM_ARRAY_TASK_ID (a Slurm array task) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) in the environment")
        }
        let offset = try whole("CURATE_SHARD_OFFSET") ?? 0
        let (index, overflow) = offset.addingReportingOverflow(task)
        guard !overflow else { throw CurationError.invalidArgument("--shard env: CURATE_SHARD_OFFSET + task index overflows") }
        try self.init(index: index, count: count)
    }

    /// The share's part of `total` items taken in order (records, persona slots): `[i*total/N, (i+1)*total/N)`.
    /// For stages whose work is per record and costly (generation), where every task reads the whole
    /// (small) input and shares are balanced by count, not by bytes.
    public func range(of total: Int) -> Range<Int> {
        let t = max(0, total)
        return (t / count * index + t % count * index / count)..<(t / count * (index + 1) + t % count * (index + 1) / count)
    }

    /// The tag in output names: `s3of8`.
    public var tag: String { "s\(index)of\(count)" }

    /// `report.json` -> `report-s3of8.json`; `matches.jsonl.zst` -> `matches-s3of8.jsonl.zst`.
    public func name(_ path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let file = (path as NSString).lastPathComponent
        let stem: Substring, ext: Substring
        if let dot = file.firstIndex(of: "."), dot != file.startIndex {
            stem = file[..<dot]; ext = file[dot...]
        } else { stem = Substring(file); ext = "" }
        let named = "\(stem)-\(tag)\(ext)"
        return dir.isEmpty ? named : (dir as NSString).appendingPathComponent(named)
    }
}
