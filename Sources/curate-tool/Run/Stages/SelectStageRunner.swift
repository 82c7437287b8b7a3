import Curation
import Foundation
import Mixer

/// `kind: select`: s1 selection (quality -> difficulty -> diversity) over all inputs.
/// Settings: `target` (required), `seed`, `jaccard`, `shingle`, `allow_asy` (list of sources), `seed_field`,
/// `strategy` (s1, or an s1-ablation baseline: random, longest, diversity; see `SelectStrategy`).
///
/// Shareable: run as N tasks, each screens (quality, difficulty) its share of the inputs and keeps its
/// candidates beside its share record (`SelectShares`); the final sampling is one step, in the executor
/// (`mergeShares`), over every share's candidates in share order: what one run chooses.
struct SelectStageRunner: StageRunner, MergesShares {
    static let kind = "select"
    static let shareable = true
    static let settingKeys: Set<String> = Set(["target", "seed", "jaccard", "shingle", "allow_asy", "seed_field", "strategy"]).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them.
    var outputFormat = MixOutputFormat()

    var options: SelectOptions

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        options = SelectOptions(target: 1000, seed: runSeed)
        var sawTarget = false
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "target":
                options.target = try doc.integer(value, spec.entry, what: key); sawTarget = true
                if options.target < 1 { throw doc.error(value, spec.entry, "target should be at least 1") }
            case "seed": options.seed = try doc.seed(value, spec.entry)
            case "jaccard":
                options.nearDuplicates.threshold = try doc.double(value, spec.entry, what: key)
                if !(options.nearDuplicates.threshold > 0 && options.nearDuplicates.threshold <= 1) {
                    throw doc.error(value, spec.entry, "jaccard should be in (0, 1]")
                }
            case "shingle": options.nearDuplicates.shingleSize = try doc.integer(value, spec.entry, what: key, in: 1...YAMLDocument.maxWholeNumber)
            case "allow_asy":
                guard let seq = value.sequence else { throw doc.error(value, spec.entry, "allow_asy should be a list of source names") }
                options.quality.asyAllowedSources = Set(try seq.map { try doc.string($0, spec.entry) })
            case "seed_field": options.seedField = try doc.string(value, spec.entry)
            case "strategy":
                let name = try doc.string(value, spec.entry)
                guard let st = SelectStrategy(rawValue: name) else {
                    throw doc.error(value, spec.entry, "strategy should be one of \(SelectStrategy.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
                }
                options.strategy = st
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        if !sawTarget { throw doc.error(spec.node, spec.entry, "a select stage needs a target (how many items to select)") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a select stage needs at least one input") }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue {
        .object(JSONObject([
            .init(key: "target", value: .int(options.target)),
            .init(key: "seed", value: .number(String(options.seed))),
            .init(key: "jaccard", value: .double(options.nearDuplicates.threshold)),
            .init(key: "shingle", value: .int(options.nearDuplicates.shingleSize)),
            .init(key: "allow_asy", value: .array(options.quality.asyAllowedSources.sorted().map { .string($0) })),
            .init(key: "seed_field", value: options.seedField.map { .string($0) } ?? .null),
        ] + (options.strategy == .s1 ? [] : [.init(key: "strategy", value: .string(options.strategy.rawValue))])))
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let selector = try S1Selector(options: options)
        if let share = context.share {
            // A share: screening only. Its (empty) `part` output marks the directory unfinished until the sampling.
            let shares = try ShareRun(spec: share, files: inputs.flatMap(\.files), read: ReadOptions())
            let tally = try SelectExecution.screen(slices: shares.slices, selector: selector, policy: .fail, rejected: nil,
                                                   threads: context.threads, progress: nil)
            try SelectShares.write(tally, to: SelectShares.tallyPath(folder: ShareRecord.folder(directory: output), share: share))
            var o = ShardOptions(prefix: "part")
            o.share = share
            let manifest = try ShardedWriter(directory: output, options: o).finish()
            var rep = StageReport(stage: "select-screen")
            rep.recordsIn = tally.screened
            rep.recordsOut = tally.candidates.count
            for (stage, reasons) in tally.dropped { for (r, n) in reasons { rep.drop("\(stage.rawValue):\(r)", count: n) } }
            rep.seconds = Date().timeIntervalSince(started)
            return StageOutcome(report: rep, manifest: manifest, shareOutputs: [manifest], slices: shares.slices.map(\.description))
        }
        let result = try SelectExecution.select(files: inputs.flatMap(\.files), selector: selector, policy: .fail, rejected: nil,
                                                threads: context.threads, progress: nil)
        return try finish(result, output: output, context: context, started: started)
    }

    /// The final sampling of a stage run as tasks: every share's candidates, joined in share order, chosen from once.
    func mergeShares(inputs: [StageInput], output: String, count: Int, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let records = try ShareRecord.loadAll(directory: output, expectedCount: count)
        let folder = ShareRecord.folder(directory: output)
        let tally = try SelectShares.join(records.map { SelectShares.tallyPath(folder: folder, share: $0.share) })
        return try finish(try S1Selector(options: options).choose(tally, threads: context.threads), output: output, context: context, started: started)
    }

    func finish(_ chosen: SelectionResult, output: String, context: StageContext, started: Date) throws -> StageOutcome {
        var result = chosen
        result.diversity.seconds = Date().timeIntervalSince(started)
        try result.check()
        let writer = try ShardedWriter(directory: output, options: outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads)))
        for r in result.selected { try writer.write(r) }
        let manifest = try writer.finish()
        // One report for the stage: the funnel's input, the selected output, every stage's drop reasons.
        var rep = StageReport(stage: "select")
        rep.recordsIn = result.quality.recordsIn
        rep.recordsOut = manifest.records
        for r in [result.quality, result.difficulty, result.diversity] {
            for (reason, n) in r.dropped { rep.drop(reason, count: n) }
            rep.warnings += r.warnings
        }
        rep.bytesIn = result.quality.bytesIn
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["funnel"] = .array(result.funnel.map { .int($0) })
        rep.extra["selection"] = result.reportJSON(options: options)
        return StageOutcome(report: rep, manifest: manifest, summary: "funnel: " + result.funnel.map(String.init).joined(separator: " -> "))
    }
}
