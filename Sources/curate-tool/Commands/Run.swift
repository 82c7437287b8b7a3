import ArgumentParser
import Curation
import Foundation
import Mixer

/// `curate-tool run RECIPE`: the whole pipeline from one file.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a recipe of stages (convert, mix, ...) as a graph, recorded in a run store; re-runs skip unchanged stages and resume killed runs.")

    @Argument(help: "The run recipe (YAML).")
    var recipe: String

    @Option(name: .shortAndLong, help: "Run directory (default: the recipe's `output:`): the run store and one directory per stage.")
    var output: String?

    @Option(name: .long, help: "Memory budget per stage, e.g. 256MB.", transform: ByteSize.parse)
    var memory = ByteSize(bytes: 256_000_000)

    @Flag(name: .long, help: "Reuse stage outputs another build of curate-tool produced (by default they are redone).")
    var reuseOutputs = false

    @Option(name: .long, help: "Content-addressed stage outputs: each stage writes DIR/<kind>-<fingerprint>, and any run whose stage has the same kind, settings and inputs reuses it (runs of different recipes share their common stages).")
    var sharedStages: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let parsed = try RunRecipe.load(path: recipe)
        if let refusal = CurateTool.recipeCPURefusal(stages: parsed.stages.map { ($0.spec.name, $0.spec.kind) }) {
            throw ValidationError(refusal)
        }
        guard let dir = output ?? parsed.output else {
            throw ValidationError("no run directory: give --output DIR or `output:` in the recipe")
        }
        let runner = RecipeRunner(recipe: parsed, recipePath: recipe, output: dir,
                                  context: StageContext(threads: global.threadCount, memory: memory.bytes, quiet: global.quiet, seed: parsed.seed),
                                  log: { if !global.quiet { Console.info($0) } }, reuseOutputs: reuseOutputs,
                                  sharedStages: sharedStages.map { ($0 as NSString).standardizingPath })
        let result = try runner.run()
        if !global.quiet { Console.info(RunsShow.render(run: result.run, stages: result.stages)) }
        if global.json { Console.stdout(PrettyJSON.string(RunsShow.json(run: result.run, stages: result.stages))) }
    }
}
