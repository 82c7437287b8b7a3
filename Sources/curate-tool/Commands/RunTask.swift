import ArgumentParser
import Curation
import Foundation

/// `curate-tool run-task TASKFILE --shard i/N|env` (internal): one task of a stage that an executor
/// runs as N tasks. Reads the task file (`TaskFile`), builds the stage's runner from the recipe, runs
/// it on share i of the stage's inputs into the stage directory, and writes the share's completion
/// record (`ShareRecord`) last. Never opens the run store: the executor that started it records the
/// stage once all shares are merged.
///
/// The Slurm executor submits a whole recipe at once, so the steps around the shares run as jobs too
/// (`--step`): `prepare` (what a shareable stage does once before its tasks: decontam's eval index),
/// `finish` (the merge of the N shares and the stage's finishing, e.g. decontam's `report.md`) and
/// `whole` (a stage that is not shared, such as training, as one job). `finish` and `whole` end by
/// writing the stage's outcome record (`StageOutcomeRecord`), which the executor reads to record the stage.
struct RunTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task",
        abstract: "Run one share or step of a stage for an executor (internal; see `run --executor`).",
        shouldDisplay: false)

    enum Step: String, ExpressibleByArgument, CaseIterable {
        case share, prepare, finish, whole
    }

    @Argument(help: "The stage's task file (STAGE_DIR/tasks/task.json).")
    var taskFile: String

    @OptionGroup var share: ShareOptions

    @Option(name: .long, help: "share (default; needs --shard), prepare, finish (merge the shares) or whole (the stage as one job).")
    var step: Step = .share

    @Option(name: .long, help: "A phase before the shares (a mix's scan, plan or gather), task --shard i/N (0/1 for a one-task phase).")
    var phase: String?

    func run() throws {
        let started = Date()
        let task = try runStage { try TaskFile.load(taskFile) }
        let spec: ShardSpec? = try runStage {
            guard step == .share else {
                guard share.shard == nil else { throw CurationError.invalidArgument("--step \(step.rawValue) runs no share: drop --shard") }
                return nil
            }
            guard let s = try share.spec() else { throw CurationError.invalidArgument("run-task needs --shard i/N (or env)") }
            guard phase == nil || s.count == 1 || s.count == task.count else {
                throw CurationError.invalidArgument("--shard \(s.index)/\(s.count): the task file \(taskFile) is for \(task.count) shares")
            }
            guard phase != nil || s.count == task.count else {
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
        if step != .whole {
            guard type(of: stage.runner).shareable else { throw ValidationError("stage \"\(task.stage)\" (\(task.kind)) cannot run as shares") }
        }
        let inputs = try runStage { try task.resolvedInputs() }
        let dir = task.directory
        let context = StageContext(threads: task.threads, memory: task.memory, quiet: task.quiet, seed: task.seed, share: spec)
        let what = spec.map { "\(phase.map { "phase \($0) task" } ?? "share") \($0.index)/\($0.count)" } ?? "step \(step.rawValue)"
        FileHandle.standardError.write(Data("\(what) of stage \"\(task.stage)\" (\(task.kind)), pid \(getpid()), \(task.threads) thread(s) -> \(dir)\n".utf8))

        switch step {
        case .prepare:
            try runStage { try (stage.runner as? PreparesShares)?.prepareShares(inputs: inputs, output: dir, context: context) }
        case .finish:
            let first = Self.firstShareStart(directory: dir) ?? started
            let outcome = try runStage { try LocalExecutor.finish(runner: stage.runner, inputs: inputs, directory: dir, count: task.count, context: context) }
            try runStage { try Self.record(outcome, stage: task.stage, directory: dir, started: first) }
        case .whole:
            let outcome = try stage.runner.run(inputs: inputs, output: dir, context: context)
            try runStage { try Self.record(outcome, stage: task.stage, directory: dir, started: started) }
        case .share where phase != nil:
            guard let spec, let name = phase else { return }
            guard let phased = stage.runner as? RunsInPhases, let p = phased.phases.first(where: { $0.name == name }) else {
                throw ValidationError("stage \"\(task.stage)\" (\(task.kind)) has no phase \"\(name)\"")
            }
            guard spec.count == p.count(task.count) else {
                throw ValidationError("phase \(name) of stage \"\(task.stage)\" runs as \(p.count(task.count)) task(s), not --shard \(spec.index)/\(spec.count)")
            }
            TestHooks.shareStarted(spec.index)
            TestHooks.shareTaskStarting(spec.index, kind: "\(task.kind)-\(name)")
            // A phase task writes its own completion record: the kill hook (kind `KIND-PHASE`) dies before its work.
            TestHooks.shareTaskRan(spec.index, kind: "\(task.kind)-\(name)")
            try runStage { try phased.runPhase(p, share: spec, count: task.count, inputs: inputs, output: dir, context: context) }
            FileHandle.standardError.write(Data("phase \(name) task \(spec.index)/\(spec.count) of stage \"\(task.stage)\" done in \(String(format: "%.2f s", Date().timeIntervalSince(started)))\n".utf8))
            return
        case .share:
            guard let spec else { return }
            TestHooks.shareStarted(spec.index)
            TestHooks.shareTaskStarting(spec.index, kind: task.kind)
            let outcome = try stage.runner.run(inputs: inputs, output: dir, context: context)
            TestHooks.shareTaskRan(spec.index, kind: task.kind)
            let manifests = outcome.shareOutputs.isEmpty ? [outcome.manifest] : outcome.shareOutputs
            let report = outcome.shareReport ?? (stage: outcome.report.stage, json: outcome.report.json, file: (dir as NSString).appendingPathComponent("report.json"))
            try runStage {
                try ShareRecord(stage: report.stage, share: spec, manifests: manifests, report: report.json, reportFile: ShareRun.absolute(report.file),
                                sideFiles: outcome.sideFiles.map(ShareRun.absolute), slices: outcome.slices,
                                seconds: Date().timeIntervalSince(started)).write(directory: dir)
            }
            let r = outcome.report
            FileHandle.standardError.write(Data("share \(spec.index)/\(spec.count): \(r.recordsIn) in, \(r.recordsOut) out, \(r.droppedTotal) dropped, \(manifests.first?.records ?? 0) written in \(String(format: "%.2f s", Date().timeIntervalSince(started)))\n".utf8))
            return
        }
        FileHandle.standardError.write(Data("step \(step.rawValue) of stage \"\(task.stage)\" done in \(String(format: "%.2f s", Date().timeIntervalSince(started)))\n".utf8))
    }

    /// The stage's report (as an inline run writes it) and then its outcome record, last.
    static func record(_ outcome: StageOutcome, stage: String, directory: String, started: Date) throws {
        try outcome.report.write(to: (directory as NSString).appendingPathComponent("report.json"))
        let now = Date()
        try StageOutcomeRecord(stage: stage, report: outcome.report, summary: outcome.summary, started: min(started, now), finished: now)
            .write(directory: directory)
    }

    /// When the earliest share of the stage started: each share record is written as its task ends, with
    /// the task's seconds.
    static func firstShareStart(directory: String) -> Date? {
        guard let records = try? ShareRecord.loadAll(directory: directory) else { return nil }
        return records.compactMap { r -> Date? in
            let path = ShareRecord.path(directory: directory, share: r.share)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
            return modified.addingTimeInterval(-r.seconds)
        }.min()
    }
}
