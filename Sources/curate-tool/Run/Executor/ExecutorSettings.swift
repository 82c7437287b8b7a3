import Curation
import Foundation

/// How `run` executes its stages: `inline` (every stage in this process, the default) or `local`
/// (each shareable stage as `tasks` processes of this machine, at most `maxParallel` at once, each
/// retried up to `retries` times, then merged). Stages that cannot be shared run inline either way.
struct ExecutorSettings: Equatable {
    enum Kind: String, CaseIterable { case inline, local, slurm }

    var kind: Kind = .inline
    var tasks = 1
    /// nil: all `tasks` at once.
    var maxParallel: Int? = nil
    var retries = 2
    /// The Slurm executor's job options (`--partition`, `--account`, `--time`, `--mem`, `--cpus-per-task`,
    /// `--sbatch-arg`) and how long it waits for a stage's arrays.
    var slurm = SbatchOptions()
    var slurmTimeout: Double = 7 * 24 * 3600

    /// Tasks running at once.
    var parallel: Int { max(1, min(tasks, maxParallel ?? tasks)) }

    /// Whether a stage with this runner runs as tasks.
    func runsAsTasks(_ runner: any StageRunner) -> Bool { kind != .inline && tasks > 1 && type(of: runner).shareable }

    /// Checks the bounds (`LocalExecutor.maxTasks`, `maxParallel`, `maxRetries`); the message names the option.
    func validate() throws {
        guard (1...LocalExecutor.maxTasks).contains(tasks) else { throw CurationError.invalidArgument("--tasks should be 1 to \(LocalExecutor.maxTasks), got \(tasks)") }
        if let k = maxParallel, !(1...LocalExecutor.maxParallel).contains(k) {
            throw CurationError.invalidArgument("--max-parallel should be 1 to \(LocalExecutor.maxParallel), got \(k)")
        }
        if kind == .local, maxParallel == nil && tasks > LocalExecutor.maxParallel {
            throw CurationError.invalidArgument("--tasks \(tasks) would run \(tasks) processes at once: give --max-parallel (at most \(LocalExecutor.maxParallel))")
        }
        guard (0...LocalExecutor.maxRetries).contains(retries) else { throw CurationError.invalidArgument("--retries should be 0 to \(LocalExecutor.maxRetries), got \(retries)") }
        if kind == .inline && tasks > 1 { throw CurationError.invalidArgument("--tasks \(tasks) needs an executor that runs tasks: --executor local or slurm") }
    }
}
