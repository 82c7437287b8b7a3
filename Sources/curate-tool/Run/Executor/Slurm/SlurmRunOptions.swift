import ArgumentParser
import Foundation

/// `run --executor slurm`'s job options, written as `#SBATCH` lines of every array and job it submits.
struct SlurmRunOptions: ParsableArguments {
    @Option(name: .long, help: "Slurm: the partition to submit to (--executor slurm).")
    var partition: String?

    @Option(name: .long, help: "Slurm: the account to charge.")
    var account: String?

    @Option(name: .customLong("time"), help: "Slurm: each task's time limit, in Slurm's format (30, 1:00:00, 1-00:00:00).")
    var timeLimit: String?

    @Option(name: .long, help: "Slurm: memory per node for each task (e.g. 4G).")
    var mem: String?

    @Option(name: .long, help: "Slurm: CPUs per task (also the task's thread count).")
    var cpusPerTask: Int?

    @Option(name: .long, parsing: .singleValue, help: "Slurm: a further sbatch option, written verbatim (one --option[=value] word; repeatable).")
    var sbatchArg: [String] = []

    @Option(name: .long, help: "Slurm: give up waiting for a stage's tasks after this many seconds (default one week).")
    var slurmTimeout: Double = 7 * 24 * 3600

    var sbatchOptions: SbatchOptions {
        SbatchOptions(partition: partition, account: account, time: timeLimit, mem: mem, cpusPerTask: cpusPerTask, extra: sbatchArg)
    }

    func validate() throws {
        if let c = cpusPerTask, !(1...4096).contains(c) { throw ValidationError("--cpus-per-task should be 1 to 4096, got \(c)") }
        if !(slurmTimeout > 0) { throw ValidationError("--slurm-timeout should be a positive number of seconds") }
        if sbatchArg.count > 64 { throw ValidationError("at most 64 --sbatch-arg options") }
    }
}
