import Curation
import Foundation

extension RecipeRunner {
    /// `run --executor slurm`: the recipe as one submission of Slurm jobs, each stage after the stages it
    /// reads (`afterok`), so the cluster runs the whole graph without this process in the loop; then this
    /// process waits for it and records each stage, in order, from what its jobs left on shared storage.
    ///
    /// A stage whose inputs are all there (sources, stages finished earlier) is planned as an inline run
    /// plans it: its fingerprint, and skipped when finished outputs stand in for it. A stage reading a stage
    /// of the same submission is submitted with its inputs *deferred*: its jobs read them from that stage's
    /// manifest when they start, and it is fingerprinted and recorded once that stage is. (Under
    /// `--shared-stages` a stage's directory is named by its fingerprint, so such a stage waits for the next
    /// submission instead.)
    ///
    /// When a job fails, Slurm cancels the jobs after it (`--kill-on-invalid-dep=yes`). What finished is
    /// recorded and kept (finished shares too); the rest is submitted again, up to `--retries` times, and
    /// a re-run of the command does the same from the records.
    func runOnSlurm(store: RunStore, run: Int64, produced: inout [String: (files: [String], hash: String)]) throws {
        let slurm = SlurmExecutor(settings: executor, log: log)
        try slurm.checkAvailable()
        let config = try SlurmConfig.load(using: slurm.commands)
        let sources = sourceNames
        var finished = Set<String>()
        var failures = 0
        while finished.count < recipe.stages.count {
            var submitted: [(n: Int, planned: PlannedStage?, jobs: SlurmExecutor.Submitted)] = []
            var last: [String: String] = [:]
            var directories: [String: String] = [:]
            do {
                for n in recipe.stages.indices {
                    let stage = recipe.stages[n]
                    let name = stage.spec.name
                    guard !finished.contains(name) else { continue }
                    let inputs = stage.spec.inputs.map(\.name)
                    let waiting = inputs.filter { last[$0] != nil }
                    // An input neither there nor submitted (a stage that waits for the next submission): so does this one.
                    guard inputs.allSatisfy({ sources.contains($0) || finished.contains($0) || last[$0] != nil }) else { continue }
                    if waiting.isEmpty {
                        let p = plan(n, produced: produced)
                        if try skipIfReusable(p, store: store, run: run, produced: &produced) { finished.insert(name); continue }
                        log("\(p.label): submitting")
                        try start(p, store: store, run: run)
                        TestHooks.stageStarted()
                        let jobs: SlurmExecutor.Submitted
                        do { jobs = try slurm.submit(taskStage(p, run: run), after: [], deferred: [:], config: config) } catch {
                            try? store.finishStage(run: run, name: name, status: .failed, error: "\(error)")
                            throw error
                        }
                        submitted.append((n, p, jobs))
                        last[name] = jobs.last
                        directories[name] = p.directory
                    } else {
                        guard sharedStages == nil else { continue }
                        var p = plan(n, produced: produced)
                        p.fingerprint = TaskFile.deferredFingerprint
                        var deferred: [String: String] = [:]
                        for i in waiting { deferred[i] = directories[i] }
                        log("\(p.label): submitting, after \(waiting.joined(separator: ", "))")
                        try? FileManager.default.removeItem(atPath: Manifest.path(directory: p.directory, prefix: "part"))
                        let jobs = try slurm.submit(taskStage(p, run: run), after: waiting.compactMap { last[$0] }, deferred: deferred, config: config,
                                                   afterStages: waiting)
                        submitted.append((n, nil, jobs))
                        last[name] = jobs.last
                        directories[name] = p.directory
                    }
                }
            } catch {
                // A submission that could not be completed: nothing of it may run on.
                try? SlurmCancel(commands: slurm.commands).cancel(submitted.flatMap(\.jobs.jobs))
                throw error
            }
            guard !submitted.isEmpty else {
                if finished.count == recipe.stages.count { break }
                throw CurationError.invalidArgument("no stage of the recipe can be submitted: check the stages' inputs")
            }
            let all = submitted.flatMap(\.jobs.jobs)
            log("waiting for \(all.count) Slurm job\(all.count == 1 ? "" : "s") of \(submitted.count) stage\(submitted.count == 1 ? "" : "s") (run \(run); task states and logs in each STAGE/tasks/)")
            do { try slurm.wait(all) } catch {
                for s in submitted where s.planned != nil {
                    try? store.finishStage(run: run, name: recipe.stages[s.n].spec.name, status: .failed, error: "\(error)")
                }
                throw error
            }

            var failure: (any Error)? = nil
            for s in submitted {
                let spec = recipe.stages[s.n].spec
                let p: PlannedStage
                if let planned = s.planned {
                    p = planned
                } else {
                    // Deferred: it ran only if every stage it read finished; it is planned now that they are recorded.
                    guard spec.inputs.allSatisfy({ sources.contains($0.name) || finished.contains($0.name) }) else {
                        slurm.notRun(s.jobs)
                        continue
                    }
                    p = plan(s.n, produced: produced)
                    try store.startStage(run: run, name: spec.name, kind: spec.kind, position: spec.position, fingerprint: p.fingerprint,
                                         settings: p.settings, inputs: p.inputs, outputDirectory: p.directory, toolBuild: tool.build)
                    // What its tasks did is now this work's, so a next submission keeps its finished shares.
                    if var task = try? TaskFile.load(TaskFile.path(directory: p.directory)) {
                        task.fingerprint = p.fingerprint
                        task.inputs = p.stageInputs
                        task.deferredInputs = [:]
                        try task.write()
                    }
                }
                switch try slurm.collect(s.jobs) {
                case .done(let outcome, let started, let ended):
                    try record(p, outcome, store: store, run: run, produced: &produced, ranFrom: (started, ended))
                    finished.insert(spec.name)
                case .failed(let error):
                    try? store.finishStage(run: run, name: spec.name, status: .failed, error: "\(error)")
                    log("\(p.label): failed: \(error)")
                    if failure == nil { failure = error }
                }
            }
            if let failure {
                failures += 1
                if failures > executor.retries { throw failure }
                log("resubmitting what did not finish (submission \(failures + 1) of at most \(executor.retries + 1))")
            }
        }
    }
}
