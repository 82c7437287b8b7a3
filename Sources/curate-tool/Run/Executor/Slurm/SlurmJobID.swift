import Foundation

/// Job ids as passed to Slurm's commands: `123` (a job or a whole array) or `123_4` (one array task).
/// Checked before they reach a command line, since they come from command output and files.
public enum SlurmJobID {
    public static func isValid(_ id: String) -> Bool {
        let parts = id.split(separator: "_", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), id.count <= 40 else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    static func validate(_ ids: [String], for command: String) throws {
        guard !ids.isEmpty else { throw SlurmError.invalidArgument("\(command) needs at least one job id") }
        if let bad = ids.first(where: { !isValid($0) }) {
            throw SlurmError.invalidArgument("\(command): \"\(bad)\" is not a Slurm job id (123 or 123_4)")
        }
    }
}
