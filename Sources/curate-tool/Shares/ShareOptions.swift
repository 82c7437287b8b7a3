import ArgumentParser
import Curation
import Foundation

/// `--shard i/N|env`, shared by every data stage that can do a share of its input (see `SharePlan`).
struct ShareOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Do the i-th of N shares of the input (0-based), then `curate-tool merge OUTPUT` joins the shares: i/N, or env (i = CURATE_SHARD_OFFSET + SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, N = CURATE_SHARD_COUNT; never implied by the environment alone).",
        valueName: "i/N|env"))
    var shard: String?

    /// The share asked for, or nil for the whole input.
    func spec() throws -> ShardSpec? { try shard.map { try ShardSpec(parsing: $0) } }
}

/// What a command does differently when it does one share: which slices it reads, how its side files
/// are named, and the completion record it writes last.
struct ShareRun {
    let spec: ShardSpec?
    let files: [String]
    /// The slices to read: the share's (planned over all `files`), or every file whole.
    let slices: [InputSlice]

    init(spec: ShardSpec?, files: [String], read: ReadOptions) throws {
        self.spec = spec
        self.files = files
        slices = try spec.map { try SharePlan.plan(files, options: read, plainUnitBytes: Self.plainUnitBytes()).slices(for: $0) } ?? files.map { InputSlice(file: $0) }
    }

    /// Plain JSONL is cut into units of about this many bytes: `CURATE_SHARE_UNIT_BYTES` (every task of
    /// a stage must see the same value; the executors pass theirs on), else 8 MiB.
    static func plainUnitBytes(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let raw = env["CURATE_SHARE_UNIT_BYTES"], !raw.isEmpty else { return SharePlan.plainUnitBytes }
        guard let v = Int(raw), v >= 1 else { throw CurationError.invalidArgument("CURATE_SHARE_UNIT_BYTES=\"\(raw)\" is not a positive whole number of bytes") }
        return v
    }

    /// `rejected` -> `rejected-s3of8` for a share.
    func name(_ base: String) -> String { spec.map { "\(base)-\($0.tag)" } ?? base }

    /// A side file's path for this share (`matches.jsonl.zst` -> `matches-s3of8.jsonl.zst`).
    func path(_ base: String) -> String { spec?.name(base) ?? base }

    /// Sets the share on a writer's options.
    func apply(_ options: ShardOptions) -> ShardOptions {
        var o = options
        o.share = spec
        return o
    }

    /// A path as the merge will find it from any working directory.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The share's last step: its completion record, holding what `merge` needs. Nothing for a whole run.
    func complete(stage: String, directory: String, manifests: [Manifest], report: JSONValue, reportFile: String,
                  sideFiles: [String], seconds: Double) throws {
        guard let spec else { return }
        try ShareRecord(stage: stage, share: spec, manifests: manifests, report: report, reportFile: Self.absolute(reportFile),
                        sideFiles: sideFiles.map(Self.absolute),
                        slices: slices.map(\.description), seconds: seconds).write(directory: directory)
    }
}
