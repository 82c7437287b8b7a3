import Foundation
import Testing
import curate_tool

/// The one-node Slurm cluster of scripts/slurm-cluster.sh, for the tests that submit real jobs.
///
/// Outside CI a missing cluster skips those tests with a note; under `CI=true` (.ci/run starts the cluster
/// first) they run and fail in `require()`: a CI run never passes by silently skipping them.
enum SlurmTestCluster {
    static let commands = SlurmCommands(timeout: 30)

    /// Held by every test that submits to the cluster: suites run side by side, and a test that changes
    /// MaxArraySize restarts slurmctld under any other test's jobs.
    static let lock = NSLock()

    static var inCI: Bool { ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "") }

    /// Why the cluster is unusable, or nil when its node accepts jobs.
    static let problem: String? = {
        guard commands.available("sbatch") else { return "Slurm's commands (sbatch) are not installed" }
        guard let r = try? commands.run("sinfo", ["-h", "-o", "%t"], timeout: 10) else { return "sinfo did not answer" }
        let states = r.stdout.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " *~#!%$@^-")) }
        guard r.status == 0, states.contains(where: { ["idle", "mix", "alloc", "comp"].contains($0) }) else {
            return "no usable node (sinfo: \((r.stdout.isEmpty ? r.stderr : r.stdout).trimmingCharacters(in: .whitespacesAndNewlines)))"
        }
        return nil
    }()

    /// True when the cluster is up.
    static func available() -> Bool { problem == nil }

    /// Run the cluster tests when it is up, and always in CI (where `require()` then fails).
    static var shouldRun: Bool { available() || inCI }

    static var skipNote: String {
        "no Slurm cluster: \(problem ?? "?"); run scripts/slurm-cluster.sh (CI=true makes this a failure)"
    }

    static func require() throws {
        if let problem { throw MissingCluster(problem: problem) }
    }

    struct MissingCluster: Error, CustomStringConvertible {
        var problem: String
        var description: String { "a Slurm cluster is required\(SlurmTestCluster.inCI ? " in CI (CI=true)" : ""): \(problem); run scripts/slurm-cluster.sh" }
    }

    /// Runs scripts/slurm-cluster.sh with `args` (it restarts the daemons when the config changes).
    static func script(_ args: [String]) throws -> CLI.Result {
        try CLI.runProgram("/bin/bash", [CLI.root + "/scripts/slurm-cluster.sh"] + args)
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips the test, with a note, when no Slurm cluster is up, except under CI (the test then fails).
    static var requiresSlurm: Self { .enabled(if: SlurmTestCluster.shouldRun, Comment(rawValue: SlurmTestCluster.skipNote)) }
}
