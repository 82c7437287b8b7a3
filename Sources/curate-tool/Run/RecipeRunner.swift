import Curation
import Foundation
import Mixer

/// Runs a run recipe's stages in graph order, recording each in the run store.
///
/// Per stage: the inputs' content hashes (source files' bytes, earlier stages' manifests) and the
/// settings make a fingerprint. When a finished stage with the same name and fingerprint exists (in
/// this run, or any earlier run of the store) and its outputs still verify against its manifest,
/// the stage is skipped. Otherwise it runs: its old manifest is removed first, so a stage killed
/// midway never leaves outputs that look complete; a re-run of a killed run resumes that run,
/// skips the stages that finished and redoes only the one that was running.
struct RecipeRunner {
    var recipe: RunRecipe
    var recipePath: String
    var output: String
    var context: StageContext
    /// Called with a line per stage as it starts and ends.
    var log: (String) -> Void
    /// This tool's version and build, recorded with the run and with each stage's outputs.
    var tool: ToolBuild = ToolBuild.current(version: CurateTool.configuration.version)
    /// Reuse outputs another build of the tool produced (`--reuse-outputs`). Off by default: a new
    /// build may fix or change what a stage writes, so its outputs are redone.
    var reuseOutputs = false
    /// Where stage outputs go. nil: `OUTPUT/<stage name>` (a re-run with other settings redoes the stage
    /// in place). A directory: `DIR/<kind>-<fingerprint>`, content-addressed, so runs of different
    /// recipes (an ablation lab's variants and seeds) keep each distinct stage's outputs side by side and
    /// any run whose stage has the same kind, settings and inputs reuses them instead of recomputing.
    var sharedStages: String? = nil
    /// How stages run: inline (default), or shareable stages as tasks (`run --executor local --tasks N`).
    var executor = ExecutorSettings()

    /// The output directory of a stage.
    func stageDirectory(name: String, kind: String, fingerprint: String) -> String {
        guard let root = sharedStages else { return (output as NSString).appendingPathComponent(name) }
        return (root as NSString).appendingPathComponent("\(kind)-\(fingerprint.prefix(24))")
    }

    struct Result {
        var run: RunRecord
        var resumed: Bool
        var stages: [StageRecord]
    }

    func run() throws -> Result {
        try RunPathCheck.check(recipe, output: output)
        if let sharedStages { try RunPathCheck.check(recipe, output: sharedStages) }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let storePath = RunStore.path(inDirectory: output)
        let lock = try RunStoreLock(storePath: storePath)
        defer { withExtendedLifetime(lock) {} }
        let store = try RunStore(path: storePath)
        let recipeBytes = FileManager.default.contents(atPath: recipePath).map { [UInt8]($0) } ?? []
        let (run, resumed) = try store.beginRun(recipe: URL(fileURLWithPath: recipePath).standardizedFileURL.path, recipeHash: ContentHash.bytes(recipeBytes), tool: tool)
        log(resumed ? "resuming run \(run.id) (attempt \(run.attempts))" : "run \(run.id): \(recipe.stages.count) stages -> \(output)")

        var produced: [String: (files: [String], hash: String)] = [:]
        for s in recipe.sources { produced[s.name] = (s.files, try ContentHash.files(s.files)) }
        do {
            if executor.kind == .slurm {
                try runOnSlurm(store: store, run: run.id, produced: &produced)
            } else {
                for n in recipe.stages.indices { try runStage(n, store: store, run: run.id, produced: &produced) }
            }
        } catch {
            try? store.finishRun(run.id, status: .failed, error: "\(error)")
            throw error
        }
        try store.finishRun(run.id, status: .succeeded)
        return Result(run: try store.run(run.id), resumed: resumed, stages: try store.stages(run: run.id))
    }

    /// What a stage is, given the outputs of the stages before it: its inputs, settings, fingerprint
    /// and output directory.
    struct PlannedStage {
        var n: Int
        var stage: RunRecipe.Stage
        var inputs: [StageRecord.Input]
        var stageInputs: [StageInput]
        var settings: String
        var fingerprint: String
        var directory: String
        var label: String
        var spec: StageSpec { stage.spec }
    }

    var sourceNames: Set<String> { Set(recipe.sources.map(\.name)) }

    func plan(_ n: Int, produced: [String: (files: [String], hash: String)]) -> PlannedStage {
        let stage = recipe.stages[n]
        let spec = stage.spec
        let sources = sourceNames
        let inputs = spec.inputs.map { i -> StageRecord.Input in
            let p = produced[i.name] ?? ([], "")
            return StageRecord.Input(name: i.name, kind: sources.contains(i.name) ? "source" : "stage", contentHash: p.hash, files: p.files)
        }
        let settings = JSONWriter.string(stage.runner.settings)
        let fingerprint = Self.fingerprint(kind: spec.kind, settings: settings, inputs: inputs)
        let stageInputs = spec.inputs.map { i in
            StageInput(name: i.name, kind: sources.contains(i.name) ? "source" : "stage", files: produced[i.name]?.files ?? [])
        }
        return PlannedStage(n: n, stage: stage, inputs: inputs, stageInputs: stageInputs, settings: settings, fingerprint: fingerprint,
                            directory: stageDirectory(name: spec.name, kind: spec.kind, fingerprint: fingerprint),
                            label: "[\(n + 1)/\(recipe.stages.count)] \(spec.name) (\(spec.kind))")
    }

    /// Skips the stage when a finished one can stand in for it (recording it under this run), and says so.
    func skipIfReusable(_ p: PlannedStage, store: RunStore, run: Int64, produced: inout [String: (files: [String], hash: String)]) throws -> Bool {
        let spec = p.spec
        let candidates = try verifiedCandidates(store: store, run: run, name: spec.name, fingerprint: p.fingerprint, dir: p.directory)
        if let reused = reusable(candidates) {
            // Recorded under this stage's name unless it is this very record (a resumed run): the output may
            // come from another stage of this run with the same kind, settings and inputs (shared stages).
            if reused.runID != run || reused.name != spec.name {
                try store.startStage(run: run, name: spec.name, kind: spec.kind, position: spec.position, fingerprint: p.fingerprint,
                                     settings: p.settings, inputs: p.inputs, outputDirectory: p.directory, toolBuild: reused.toolBuild)
                try store.finishStage(run: run, name: spec.name, status: .skipped, recordsIn: reused.recordsIn, recordsOut: reused.recordsOut,
                                      dropped: Dictionary(RunStore.droppedCounts(reused.dropped), uniquingKeysWith: +),
                                      outputManifest: reused.outputManifest, outputHash: reused.outputHash, reusedFromRun: reused.runID)
            }
            produced[spec.name] = (reused.manifestFiles(p.directory), reused.outputHash ?? "")
            log("\(p.label): skipped, inputs and settings unchanged and outputs verify (from run \(reused.reusedFromRun ?? reused.runID))")
            return true
        }
        if let other = candidates.first {
            log("\(p.label): outputs from another build of the tool (\(other.toolBuild.map { String($0.prefix(12)) } ?? "unrecorded")) are redone (--reuse-outputs keeps them)")
        }
        return false
    }

    /// Marks the stage started in the store, its old manifest removed first (a stage killed midway never
    /// leaves outputs that look complete).
    func start(_ p: PlannedStage, store: RunStore, run: Int64) throws {
        try? FileManager.default.removeItem(atPath: Manifest.path(directory: p.directory, prefix: "part"))
        try store.startStage(run: run, name: p.spec.name, kind: p.spec.kind, position: p.spec.position, fingerprint: p.fingerprint,
                             settings: p.settings, inputs: p.inputs, outputDirectory: p.directory, toolBuild: tool.build)
    }

    /// Records a finished stage and passes its outputs on.
    func record(_ p: PlannedStage, _ outcome: StageOutcome, store: RunStore, run: Int64, produced: inout [String: (files: [String], hash: String)],
                ranFrom: (started: Date, finished: Date)? = nil) throws {
        let manifestBytes = try outcome.manifest.jsonBytes()
        let hash = ContentHash.bytes(manifestBytes)
        try store.finishStage(run: run, name: p.spec.name, status: .done, recordsIn: outcome.report.recordsIn,
                              recordsOut: outcome.report.recordsOut, dropped: outcome.report.dropped,
                              outputManifest: String(decoding: manifestBytes, as: UTF8.self), outputHash: hash, ranFrom: ranFrom)
        produced[p.spec.name] = (outcome.manifest.shards.map { (p.directory as NSString).appendingPathComponent($0.file) }, hash)
        let r = outcome.report
        log("\(p.label): \(r.recordsIn) in, \(r.recordsOut) out, \(r.droppedTotal) dropped, \(outcome.manifest.records) written -> \(p.directory)")
        if !context.quiet && !outcome.summary.isEmpty { log(outcome.summary) }
    }

    /// One stage in this process (inline), or as tasks of this machine (`--executor local`).
    func runStage(_ n: Int, store: RunStore, run: Int64, produced: inout [String: (files: [String], hash: String)]) throws {
        let p = plan(n, produced: produced)
        if try skipIfReusable(p, store: store, run: run, produced: &produced) { return }
        log("\(p.label): running")
        try start(p, store: store, run: run)
        TestHooks.stageStarted()
        let outcome: StageOutcome
        do {
            if executor.runsAsTasks(p.stage.runner) {
                log("\(p.label): as \(executor.tasks) tasks (\(executor.kind.rawValue) executor)")
                outcome = try LocalExecutor(settings: executor, log: log).run(taskStage(p, run: run))
            } else {
                // An inline run: task files of an earlier tasks run no longer describe this stage's output.
                try? FileManager.default.removeItem(atPath: TaskFile.path(directory: p.directory))
                outcome = try p.stage.runner.run(inputs: p.stageInputs, output: p.directory, context: context)
            }
            try outcome.report.write(to: (p.directory as NSString).appendingPathComponent("report.json"))
        } catch {
            try? store.finishStage(run: run, name: p.spec.name, status: .failed, error: "\(error)")
            throw error
        }
        try record(p, outcome, store: store, run: run, produced: &produced)
    }

    /// The stage as an executor sees it.
    func taskStage(_ p: PlannedStage, run: Int64) -> LocalExecutor.Stage {
        LocalExecutor.Stage(spec: p.spec, runner: p.stage.runner, inputs: p.stageInputs, directory: p.directory, fingerprint: p.fingerprint,
                            settings: p.settings, run: run, recipePath: recipePath, context: context)
    }

    /// A finished stage whose outputs can stand in for running this one: same name and fingerprint,
    /// its manifest on disk is the one recorded, and every shard verifies.
    /// The verified candidate that can stand in for running the stage: only one this build produced,
    /// unless `reuseOutputs` is set.
    func reusable(_ candidates: [StageRecord]) -> StageRecord? {
        candidates.first { reuseOutputs || $0.toolBuild == tool.build }
    }

    /// Finished stages with this name and fingerprint whose recorded manifest is on disk and verifies.
    func verifiedCandidates(store: RunStore, run: Int64, name: String, fingerprint: String, dir: String) throws -> [StageRecord] {
        var candidates: [StageRecord] = []
        if let own = try store.stage(run: run, name: name), own.fingerprint == fingerprint, own.status == .done || own.status == .skipped {
            candidates.append(own)
        }
        if let prev = try store.lastDone(name: name, fingerprint: fingerprint), !candidates.contains(where: { $0.id == prev.id }) {
            candidates.append(prev)
        }
        if sharedStages != nil, let prev = try store.lastDone(fingerprint: fingerprint, outputDirectory: dir),
           !candidates.contains(where: { $0.id == prev.id }) {
            candidates.append(prev)
        }
        return candidates.filter { c in
            guard c.outputDirectory == dir else { return false }
            let path = Manifest.path(directory: dir, prefix: "part")
            guard let bytes = FileManager.default.contents(atPath: path), ContentHash.bytes([UInt8](bytes)) == c.outputHash,
                  let m = try? Manifest.load(path), m.verify(directory: dir).isEmpty else { return false }
            return true
        }
    }

    static func fingerprint(kind: String, settings: String, inputs: [StageRecord.Input]) -> String {
        var o = JSONObject()
        o["kind"] = .string(kind)
        o["settings"] = .string(settings)
        o["inputs"] = .array(inputs.map { .object(JSONObject([.init(key: "name", value: .string($0.name)), .init(key: "hash", value: .string($0.contentHash))])) })
        o["tool"] = .string("curate-tool 0.1.0")
        return ContentHash.bytes(JSONWriter.bytes(.object(o)))
    }
}

extension StageRecord {
    /// The shard files its recorded manifest lists.
    func manifestFiles(_ dir: String) -> [String] {
        guard let text = outputManifest, let m = try? JSONDecoder().decode(Manifest.self, from: Data(text.utf8)) else { return [] }
        return m.shards.map { (dir as NSString).appendingPathComponent($0.file) }
    }
}
