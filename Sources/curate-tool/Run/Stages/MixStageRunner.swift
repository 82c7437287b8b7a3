import Curation
import Foundation
import Mixer

/// `kind: mix`: the mix recipe's keys (`sources`, `dedupe`, `total_tokens`, `seed`, `output`) inline in
/// the stage; each source takes `input: NAME` (one of the stage's inputs) instead of `paths`. `output:`
/// may set `format: parquet` (with `parquet_compression`, `row_group_size`, `json_columns`) for a mix that
/// goes out to a GPU trainer as Parquet.
struct MixStageRunner: StageRunner {
    static let kind = "mix"
    static let settingKeys = MixRecipe.topLevelKeys

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
        let bound = try recipe.binding(inputs: Dictionary(inputs.map { ($0.name, $0.files) }, uniquingKeysWith: { a, _ in a }))
        let shard = recipe.output.applied(to: ShardOptions(prefix: "part", maxRecords: recipe.maxRecords, maxBytes: recipe.maxBytes, workers: context.threads))
        let result = try MixCommandSupport.run(recipe: bound, output: output, shard: shard, memory: context.memory,
                                               threads: context.threads, seed: nil, errors: nil, quiet: context.quiet)
        return StageOutcome(report: result.report, manifest: result.manifest, summary: result.sourceTable())
    }
}
