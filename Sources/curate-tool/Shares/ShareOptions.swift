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

    /// A share whose stage divides the work itself (by record or persona slot, `ShardSpec.range`) and
    /// reads its files whole: its record lists them as what it read.
    init(spec: ShardSpec?, wholeFiles files: [String]) {
        self.spec = spec
        self.files = files
        slices = files.map { InputSlice(file: $0) }
    }

    /// Plain JSONL is cut into units of about this many bytes: `CURATE_SHARE_UNIT_BYTES` (every task of
    /// a stage must see the same value; the executors pass theirs on), else 8 MiB.
    static func plainUnitBytes(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let raw = env["CURATE_SHARE_UNIT_BYTES"], !raw.isEmpty else { return SharePlan.plainUnitBytes }
        guard let v = Int(raw), v >= 1 else { throw CurationError.invalidArgument("CURATE_SHARE_UNIT_BYTES=\"\(raw)\" is not a positive whole number of bytes") }
        return v
    }

    /// `rejected` -> `rejected-s3of8`, `vote.rejected` -> `vote-s3of8.rejected` for a share: the tag goes
    /// before the first dot, as in the side files' names (`ShardSpec.name`) that `merge` joins.
    func name(_ base: String) -> String { spec?.name(base) ?? base }

    /// Sets the share on a writer's options.
    func apply(_ options: ShardOptions) -> ShardOptions {
        var o = options
        o.share = spec
        return o
    }

    /// For a command writing one file (`verify --output FILE`): the path this share writes
    /// (`FILE-s3of8.jsonl.zst`, joined by `merge FILE`), after removing the share's old completion
    /// record. A Parquet file cannot be joined by concatenation: a share of one is refused.
    func begin(outputFile output: String) throws -> String {
        guard let spec else { return output }
        if ParquetInput.isParquet(output) {
            throw CurationError.invalidArgument("--shard with a single Parquet output file: shares are joined by concatenation, which Parquet files do not allow; write JSONL (.jsonl.zst) and convert after the merge")
        }
        let record = ShareRecord.path(folder: ShareRecord.folder(outputFile: Self.absolute(output)), share: spec)
        if unlink(record) != 0 && errno != ENOENT {
            throw CurationError.io(path: record, reason: "cannot remove the share's old completion record: \(String(cString: strerror(errno)))")
        }
        return spec.name(output)
    }

    /// The last step of a share of a single-file output: its record in `FILE.shares/`.
    /// `hasOutput: false`: the file is only the key of the records (`tokenize --count --report FILE`).
    func complete(stage: String, outputFile: String, report: JSONValue, reportFile: String, sideFiles: [String], seconds: Double,
                  hasOutput: Bool = true, extra: JSONObject = JSONObject()) throws {
        guard let spec else { return }
        let output = Self.absolute(outputFile)
        try ShareRecord(stage: stage, share: spec, manifests: [], report: report, reportFile: Self.absolute(reportFile),
                        sideFiles: (hasOutput ? [output] : []) + sideFiles.map(Self.absolute), slices: slices.map(\.description), seconds: seconds,
                        extra: extra)
            .write(folder: ShareRecord.folder(outputFile: output))
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
