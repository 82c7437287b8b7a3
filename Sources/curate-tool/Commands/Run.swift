import ArgumentParser
import Curation
import Foundation
import Mixer

extension ExecutorSettings.Kind: ExpressibleByArgument {}

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

    @Option(name: .long, help: "How stages run: inline (default: every stage in this process), local (each shareable stage as --tasks processes of this machine, then merged) or slurm (each shareable stage as Slurm job arrays of --tasks tasks, then merged; other stages run here).")
    var executor: ExecutorSettings.Kind = .inline

    @Option(name: .long, help: "Tasks per shareable stage (convert, decontam, ...): each does a contiguous share of the inputs; the shares are merged. Default 1.")
    var tasks = 1

    @Option(name: .long, help: "At most K tasks at once (default: all --tasks; at most \(LocalExecutor.maxParallel)). The run's --threads are shared among them.")
    var maxParallel: Int?

    @Option(name: .long, help: "Retries of a failed task before its stage fails (default 2). A re-run redoes only the shares that did not finish.")
    var retries = 2

    @OptionGroup var slurm: SlurmRunOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        do { try executorSettings.validate() } catch let e as CurationError { throw ValidationError(e.description) }
    }

    var executorSettings: ExecutorSettings {
        var e = ExecutorSettings(kind: executor, tasks: tasks, maxParallel: maxParallel, retries: retries)
        e.slurm = slurm.sbatchOptions
        e.slurmTimeout = slurm.slurmTimeout
        return e
    }

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
                                  sharedStages: sharedStages.map { ($0 as NSString).standardizingPath }, executor: executorSettings)
        let result = try runner.run()
        if !global.quiet { Console.info(RunsShow.render(run: result.run, stages: result.stages)) }
        if global.json { Console.stdout(PrettyJSON.string(RunsShow.json(run: result.run, stages: result.stages))) }
    }
}
