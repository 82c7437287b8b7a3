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
        let sourceNames = Set(recipe.sources.map(\.name))
        do {
            for (n, stage) in recipe.stages.enumerated() {
                let spec = stage.spec
                let inputs = spec.inputs.map { i -> StageRecord.Input in
                    let p = produced[i.name] ?? ([], "")
                    return StageRecord.Input(name: i.name, kind: sourceNames.contains(i.name) ? "source" : "stage", contentHash: p.hash, files: p.files)
                }
                let settings = JSONWriter.string(stage.runner.settings)
                let fingerprint = Self.fingerprint(kind: spec.kind, settings: settings, inputs: inputs)
                let dir = stageDirectory(name: spec.name, kind: spec.kind, fingerprint: fingerprint)
                let label = "[\(n + 1)/\(recipe.stages.count)] \(spec.name) (\(spec.kind))"

                let candidates = try verifiedCandidates(store: store, run: run.id, name: spec.name, fingerprint: fingerprint, dir: dir)
                if let reused = reusable(candidates) {
                    // Recorded under this stage's name unless it is this very record (a resumed run): the output may
                    // come from another stage of this run with the same kind, settings and inputs (shared stages).
                    if reused.runID != run.id || reused.name != spec.name {
                        try store.startStage(run: run.id, name: spec.name, kind: spec.kind, position: spec.position, fingerprint: fingerprint,
                                             settings: settings, inputs: inputs, outputDirectory: dir, toolBuild: reused.toolBuild)
                        try store.finishStage(run: run.id, name: spec.name, status: .skipped, recordsIn: reused.recordsIn, recordsOut: reused.recordsOut,
                                              dropped: Dictionary(RunStore.droppedCounts(reused.dropped), uniquingKeysWith: +),
                                              outputManifest: reused.outputManifest, outputHash: reused.outputHash, reusedFromRun: reused.runID)
                    }
                    produced[spec.name] = (reused.manifestFiles(dir), reused.outputHash ?? "")
                    log("\(label): skipped, inputs and settings unchanged and outputs verify (from run \(reused.reusedFromRun ?? reused.runID))")
                    continue
                }

                if let other = candidates.first {
                    log("\(label): outputs from another build of the tool (\(other.toolBuild.map { String($0.prefix(12)) } ?? "unrecorded")) are redone (--reuse-outputs keeps them)")
                }
                log("\(label): running")
                try? FileManager.default.removeItem(atPath: Manifest.path(directory: dir, prefix: "part"))
                try store.startStage(run: run.id, name: spec.name, kind: spec.kind, position: spec.position, fingerprint: fingerprint,
                                     settings: settings, inputs: inputs, outputDirectory: dir, toolBuild: tool.build)
                TestHooks.stageStarted()
                let stageInputs = spec.inputs.map { i in
                    StageInput(name: i.name, kind: sourceNames.contains(i.name) ? "source" : "stage", files: produced[i.name]?.files ?? [])
                }
                let outcome: StageOutcome
                do {
                    if executor.runsAsTasks(stage.runner) {
                        log("\(label): as \(executor.tasks) tasks (\(executor.kind.rawValue) executor)")
                        let tasks = LocalExecutor.Stage(
                            spec: spec, runner: stage.runner, inputs: stageInputs, directory: dir, fingerprint: fingerprint, settings: settings,
                            run: run.id, recipePath: recipePath, context: context)
                        if executor.kind == .slurm {
                            outcome = try SlurmExecutor(settings: executor, log: log).run(tasks)
                        } else {
                            outcome = try LocalExecutor(settings: executor, log: log).run(tasks)
                        }
                    } else {
                        // An inline run: task files of an earlier tasks run no longer describe this stage's output.
                        try? FileManager.default.removeItem(atPath: TaskFile.path(directory: dir))
                        outcome = try stage.runner.run(inputs: stageInputs, output: dir, context: context)
                    }
                    try outcome.report.write(to: (dir as NSString).appendingPathComponent("report.json"))
                } catch {
                    try? store.finishStage(run: run.id, name: spec.name, status: .failed, error: "\(error)")
                    throw error
                }
                let manifestBytes = try outcome.manifest.jsonBytes()
                let hash = ContentHash.bytes(manifestBytes)
                try store.finishStage(run: run.id, name: spec.name, status: .done, recordsIn: outcome.report.recordsIn,
                                      recordsOut: outcome.report.recordsOut, dropped: outcome.report.dropped,
                                      outputManifest: String(decoding: manifestBytes, as: UTF8.self), outputHash: hash)
                produced[spec.name] = (outcome.manifest.shards.map { (dir as NSString).appendingPathComponent($0.file) }, hash)
                let r = outcome.report
                log("\(label): \(r.recordsIn) in, \(r.recordsOut) out, \(r.droppedTotal) dropped, \(outcome.manifest.records) written -> \(dir)")
                if !context.quiet && !outcome.summary.isEmpty { log(outcome.summary) }
            }
        } catch {
            try? store.finishRun(run.id, status: .failed, error: "\(error)")
            throw error
        }
        try store.finishRun(run.id, status: .succeeded)
        return Result(run: try store.run(run.id), resumed: resumed, stages: try store.stages(run: run.id))
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
