import ArgumentParser
import Curation
import Foundation
import Mixer

/// `curate-tool ablate LAB.yaml --output DIR`: an ablation table from one file.
struct Ablate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an ablation lab: every variant of a base recipe over several seeds, then a report with paired-bootstrap intervals and the claims' verdicts.",
        discussion: """
            Writes DIR/report.json, DIR/report.md and SVG charts; DIR/recipes holds each variant x seed recipe, DIR/runs.sqlite the \
            run store (every run, stage and lab run with its lab-file hash), DIR/stages the content-addressed stage outputs \
            (identical stages are computed once, across variants, seeds and labs sharing --stages). A killed lab re-run with the \
            same command resumes and gives the same report.
            """)

    @Argument(help: "The lab file (YAML): recipe, variants, seeds, metrics, claims.")
    var lab: String

    @Option(name: .shortAndLong, help: "Lab directory: report, recipes, run store, stage outputs.")
    var output: String

    @Option(name: .long, help: "Seeds to run, comma-separated (default: the lab file's `seeds:`; with --quick its `quick: seeds:`).")
    var seeds: String?

    @Option(name: .long, help: "Run only these variants, comma-separated (the baseline is always run); claims about the others are listed as not judged.")
    var variants: String?

    @Flag(name: .long, help: "The lab at its `quick:` sizes: checks the machinery in minutes; the numbers say nothing.")
    var quick = false

    @Flag(name: .long, help: "Print the plan (runs, stages, what is shared, estimated time) and run nothing.")
    var dryRun = false

    @Option(name: .long, help: "Directory of content-addressed stage outputs (default: OUTPUT/stages). Labs given the same one share their common stages.")
    var stages: String?

    @Option(name: .long, help: "Bootstrap resamples for the intervals.")
    var resamples = 10_000

    @Option(name: .long, help: "Memory budget per stage, e.g. 256MB.", transform: ByteSize.parse)
    var memory = ByteSize(bytes: 256_000_000)

    @Flag(name: .long, help: "Reuse stage outputs another build of curate-tool produced (by default they are redone).")
    var reuseOutputs = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (100...1_000_000).contains(resamples) else { throw ValidationError("--resamples should be between 100 and 1000000") }
    }

    func run() throws {
        var file = try LabFile.load(path: lab)
        if let seeds {
            let list = try seeds.split(separator: ",").map { part -> UInt64 in
                guard let s = UInt64(part.trimmingCharacters(in: .whitespaces)), s <= UInt64(YAMLDocument.maxWholeNumber) else {
                    throw ValidationError("--seeds: \"\(part)\" is not a seed (a whole number 0 or more)")
                }
                return s
            }
            guard !list.isEmpty, list.count <= LabFile.maxSeeds, Set(list).count == list.count else {
                throw ValidationError("--seeds: give 1-\(LabFile.maxSeeds) distinct seeds")
            }
            if quick { file.quickSeeds = list } else { file.seeds = list }
        }
        if let variants {
            try file.restrict(to: variants.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        let out = (output as NSString).standardizingPath
        var runner = LabRunner(lab: file, quick: quick, output: out,
                               stagesDirectory: ((stages ?? (out as NSString).appendingPathComponent("stages")) as NSString).standardizingPath,
                               context: StageContext(threads: global.threadCount, memory: memory.bytes, quiet: global.quiet, seed: 0),
                               log: { if !global.quiet { Console.info($0) } }, reuseOutputs: reuseOutputs)
        runner.bootstrap.resamples = resamples
        if dryRun {
            let tmp = (NSTemporaryDirectory() as NSString).appendingPathComponent("curate-ablate-\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            let plan = try runner.plan(recipesDirectory: tmp)
            Console.stdout(try runner.describe(plan))
            return
        }
        let planned = try runner.plan(recipesDirectory: (out as NSString).appendingPathComponent("recipes"))
        for p in planned {
            if let refusal = CurateTool.recipeCPURefusal(stages: p.recipe.stages.map { ($0.spec.name, $0.spec.kind) }) {
                throw ValidationError("variant \(p.variant): \(refusal)")
            }
        }
        let outcome = try runner.run()
        if !global.quiet {
            Console.info("report: \((out as NSString).appendingPathComponent("report.md"))")
            for j in outcome.result.claims {
                Console.info(String(format: "claim %@: %@ (difference %+.4f, 95%% interval [%+.4f, %+.4f])", j.claim.text, j.verdict.rawValue,
                                    j.difference.diff, j.difference.ci.lo, j.difference.ci.hi))
            }
        }
        if global.json { Console.stdout(PrettyJSON.string(outcome.result.json)) }
    }
}
