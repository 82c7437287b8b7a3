import ArgumentParser
import Curation
import Foundation

/// `curate-tool run-task TASKFILE --shard i/N|env` (internal): one task of a stage that an executor
/// runs as N tasks. Reads the task file (`TaskFile`), builds the stage's runner from the recipe, runs
/// it on share i of the stage's inputs into the stage directory, and writes the share's completion
/// record (`ShareRecord`) last. Never opens the run store: the executor that started it records the
/// stage once all shares are merged.
struct RunTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task",
        abstract: "Run one share of a stage for an executor (internal; see `run --executor`).",
        shouldDisplay: false)

    @Argument(help: "The stage's task file (STAGE_DIR/tasks/task.json).")
    var taskFile: String

    @OptionGroup var share: ShareOptions

    func run() throws {
        let started = Date()
        let task = try runStage { try TaskFile.load(taskFile) }
        let spec: ShardSpec = try runStage {
            guard let s = try share.spec() else { throw CurationError.invalidArgument("run-task needs --shard i/N (or env)") }
            guard s.count == task.count else {
                throw CurationError.invalidArgument("--shard \(s.index)/\(s.count): the task file \(taskFile) is for \(task.count) shares")
            }
            return s
        }
        // Every task cuts the inputs alike: the executor's planning variables, unless this environment sets them.
        for (k, v) in task.environment where ProcessInfo.processInfo.environment[k] == nil { setenv(k, v, 1) }
        guard FileManager.default.changeCurrentDirectoryPath(task.workingDirectory) else {
            throw ValidationError("cannot enter the run's working directory \(task.workingDirectory)")
        }
        let recipe = try RunRecipe.load(path: task.recipe)
        guard let stage = recipe.stages.first(where: { $0.spec.name == task.stage }) else {
            throw ValidationError("the recipe \(task.recipe) has no stage \"\(task.stage)\" any more: re-run the recipe")
        }
        guard stage.spec.kind == task.kind, JSONWriter.string(stage.runner.settings) == task.settings else {
            throw ValidationError("stage \"\(task.stage)\" of \(task.recipe) has changed since its tasks were written: re-run the recipe")
        }
        guard type(of: stage.runner).shareable else { throw ValidationError("stage \"\(task.stage)\" (\(task.kind)) cannot run as shares") }
        FileHandle.standardError.write(Data("share \(spec.index)/\(spec.count) of stage \"\(task.stage)\" (\(task.kind)), pid \(getpid()), \(task.threads) thread(s) -> \(task.directory)\n".utf8))

        TestHooks.shareStarted(spec.index)
        let context = StageContext(threads: task.threads, memory: task.memory, quiet: task.quiet, seed: task.seed, share: spec)
        let outcome = try stage.runner.run(inputs: task.inputs, output: task.directory, context: context)
        TestHooks.shareTaskRan(spec.index, kind: task.kind)
        let dir = task.directory
        let manifests = outcome.shareOutputs.isEmpty ? [outcome.manifest] : outcome.shareOutputs
        let report = outcome.shareReport ?? (stage: outcome.report.stage, json: outcome.report.json, file: (dir as NSString).appendingPathComponent("report.json"))
        try runStage {
            try ShareRecord(stage: report.stage, share: spec, manifests: manifests, report: report.json, reportFile: ShareRun.absolute(report.file),
                            sideFiles: outcome.sideFiles.map(ShareRun.absolute), slices: outcome.slices,
                            seconds: Date().timeIntervalSince(started)).write(directory: dir)
        }
        let r = outcome.report
        FileHandle.standardError.write(Data("share \(spec.index)/\(spec.count): \(r.recordsIn) in, \(r.recordsOut) out, \(r.droppedTotal) dropped, \(manifests.first?.records ?? 0) written in \(String(format: "%.2f s", Date().timeIntervalSince(started)))\n".utf8))
    }
}
