import Curation
import Foundation
import Mixer

/// `kind: vote`: self-consistency filtering over samples records.
/// Settings: `min_agreement` (0.5), `keep` (one|all), `prefer` (first|shortest), `dataset` (math),
/// `gold` (check|ignore: whether a majority that disagrees with `ground_truth` drops the instance).
///
/// Under `run --executor local|slurm --tasks N` it runs partitioned by instance id (`VoteShares`: route
/// and vote phases, then the shares), with one run's records, order and report.
struct VoteStageRunner: StageRunner, RunsInPhases, FinishesShares {
    static let kind = "vote"
    static let shareable = true
    static let settingKeys: Set<String> = Set(["min_agreement", "keep", "prefer", "dataset", "gold"]).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them.
    var outputFormat = MixOutputFormat()

    var options = VoteOptions()

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "min_agreement":
                options.minAgreement = try doc.double(value, spec.entry, what: key)
                if !(0..<1).contains(options.minAgreement) { throw doc.error(value, spec.entry, "min_agreement should be in [0, 1)") }
            case "keep":
                guard let k = VoteKeep(rawValue: try doc.string(value, spec.entry)) else { throw doc.error(value, spec.entry, "keep should be one or all") }
                options.keep = k
            case "prefer":
                guard let p = VotePreference(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "prefer should be first or shortest")
                }
                options.prefer = p
            case "gold":
                guard let g = VoteGold(rawValue: try doc.string(value, spec.entry)) else { throw doc.error(value, spec.entry, "gold should be check or ignore") }
                options.gold = g
            case "dataset":
                guard let d = AnswerDataset(name: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "dataset should be gsm8k, math or multiple_choice")
                }
                options.defaultDataset = d
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a vote stage needs at least one input") }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue {
        .object(JSONObject([
            .init(key: "min_agreement", value: .double(options.minAgreement)),
            .init(key: "keep", value: .string(options.keep.rawValue)),
            .init(key: "prefer", value: .string(options.prefer.rawValue)),
            .init(key: "dataset", value: .string(options.defaultDataset.rawValue)),
        ] + (options.gold == .check ? [] : [.init(key: "gold", value: .string(options.gold.rawValue))])))
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        if let share = context.share {
            let written = try VoteShares.write(directory: output, share: share, shard: shardOptions(context))
            return StageOutcome(report: written.report, manifest: written.manifest, shareOutputs: [written.manifest])
        }
        let started = Date()
        var opts = options
        opts.threads = context.threads
        let reader = RecordReader(files: inputs.flatMap(\.files))
        let writer = try ShardedWriter(directory: output, options: shardOptions(context))
        var rep = try VoteStage.run(reader: reader, options: opts) { try writer.write($0) }
        let manifest = try writer.finish()
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        return StageOutcome(report: rep, manifest: manifest, summary: Self.summary(rep))
    }

    static func summary(_ rep: StageReport) -> String { "kept \(rep.recordsOut) of \(rep.recordsIn) (\(Format.percent(rep.recordsOut, rep.recordsIn)))" }

    func shardOptions(_ context: StageContext) -> ShardOptions { outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads)) }

    var phases: [SharePhase] { VoteShares.Phase.allCases.map { SharePhase(name: $0.rawValue, single: false) } }

    func runPhase(_ phase: SharePhase, share: ShardSpec, count: Int, inputs: [StageInput], output: String, context: StageContext) throws {
        var opts = options
        opts.threads = context.threads
        switch VoteShares.Phase(rawValue: phase.name) {
        case .route: try VoteShares.route(files: inputs.flatMap(\.files), directory: output, share: share, options: opts, plainUnitBytes: try ShareRun.plainUnitBytes())
        case .vote: try VoteShares.vote(directory: output, share: share, options: opts)
        case nil: throw CurationError.invalidArgument("a vote has no phase \"\(phase.name)\"")
        }
    }

    /// The phases' files are working files: gone once the shares are merged.
    func finishShares(output: String, report: StageReport) throws -> String {
        try PhaseRecord.removeAll(directory: output)
        return Self.summary(report)
    }
}
