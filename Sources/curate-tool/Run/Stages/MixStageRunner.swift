import Curation
import Foundation
import Mixer

/// `kind: mix`: the mix recipe's keys (`sources`, `dedupe`, `total_tokens`, `seed`, `output`) inline in
/// the stage; each source takes `input: NAME` (one of the stage's inputs) instead of `paths`. `output:`
/// may set `format: parquet` (with `parquet_compression`, `row_group_size`, `json_columns`) for a mix that
/// goes out to a GPU trainer as Parquet.
///
/// Under `run --executor local|slurm --tasks N` it runs as N tasks in phases (`MixShares`: scan, one
/// plan task, gather, then the shares that write the key ranges of the global shuffle) and the merge,
/// with the records of the one-process mix in the same order.
struct MixStageRunner: StageRunner, RunsInPhases, MergesShares {
    static let kind = "mix"
    static let settingKeys = MixRecipe.topLevelKeys
    static var shareable: Bool { true }

    let recipe: MixRecipe
    let settingsJSON: JSONValue

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        recipe = try MixRecipe.parse(doc, node: spec.node, entry: spec.entry, extraKeys: ["name", "kind", "inputs"],
                                     inputs: spec.inputs.map(\.name), defaultSeed: runSeed)
        var o = doc.json(spec.node).objectValue ?? JSONObject()
        o["name"] = nil; o["kind"] = nil; o["inputs"] = nil
        o["seed"] = .string(String(recipe.seed))
        settingsJSON = .object(o)
    }

    var settings: JSONValue { settingsJSON }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let bound = try bind(inputs)
        let shard = shardOptions(context)
        if let share = context.share {
            let written = try MixShares.write(recipe: bound, outputDirectory: output, share: share, options: try shareOptions(context))
            return StageOutcome(report: written.report, manifest: written.manifest, shareOutputs: [written.manifest])
        }
        let result = try MixCommandSupport.run(recipe: bound, output: output, shard: shard, memory: context.memory,
                                               threads: context.threads, seed: nil, errors: nil, quiet: context.quiet)
        return StageOutcome(report: result.report, manifest: result.manifest, summary: result.sourceTable())
    }

    func bind(_ inputs: [StageInput]) throws -> MixRecipe {
        try recipe.binding(inputs: Dictionary(inputs.map { ($0.name, $0.files) }, uniquingKeysWith: { a, _ in a }))
    }

    func shardOptions(_ context: StageContext) -> ShardOptions {
        recipe.output.applied(to: ShardOptions(prefix: "part", maxRecords: recipe.maxRecords, maxBytes: recipe.maxBytes, workers: context.threads))
    }

    /// The options every task of a sharded mix runs with (they must agree on the plain-JSONL unit size).
    func shareOptions(_ context: StageContext) throws -> MixOptions {
        var o = MixOptions(memoryLimit: context.memory, threads: context.threads, shard: shardOptions(context))
        o.plainUnitBytes = try ShareRun.plainUnitBytes()
        return o
    }

    var phases: [SharePhase] { MixShares.Phase.allCases.map { SharePhase(name: $0.rawValue, single: $0.single) } }

    func runPhase(_ phase: SharePhase, share: ShardSpec, count: Int, inputs: [StageInput], output: String, context: StageContext) throws {
        let bound = try bind(inputs)
        let options = try shareOptions(context)
        switch MixShares.Phase(rawValue: phase.name) {
        case .scan: try MixShares.scan(recipe: bound, outputDirectory: output, share: share, options: options, tokenCounter: WhitespaceTokenCounter())
        case .plan: try MixShares.plan(recipe: bound, outputDirectory: output, count: count, options: options)
        case .gather: try MixShares.gather(recipe: bound, outputDirectory: output, share: share, options: options)
        case nil: throw CurationError.invalidArgument("a mix has no phase \"\(phase.name)\"")
        }
    }

    func mergeShares(inputs: [StageInput], output: String, count: Int, context: StageContext) throws -> StageOutcome {
        let result = try MixShares.finish(recipe: try bind(inputs), outputDirectory: output, count: count, options: try shareOptions(context),
                                          tokenCounter: WhitespaceTokenCounter().name)
        return StageOutcome(report: result.report, manifest: result.manifest, summary: result.sourceTable())
    }
}
