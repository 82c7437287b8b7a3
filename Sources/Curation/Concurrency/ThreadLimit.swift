import Foundation

/// The thread count a stage may use. More threads than cores never makes a stage faster, and each
/// thread costs a stack and its buffers: `--threads 20000` took 1.5 GB for a 411 MB convert (issue 13,
/// item 6). Up to `perCore` threads a core are allowed (room for I/O waits); more are clamped, with a
/// warning the caller shows (libraries never print).
public enum ThreadLimit {
    /// Threads allowed per core before clamping.
    public static let perCore = 4

    /// The count to use, and a warning when the request was clamped.
    public struct Choice: Sendable, Equatable {
        public var threads: Int
        public var warning: String?
        public init(threads: Int, warning: String?) { self.threads = threads; self.warning = warning }
    }

    /// The most threads allowed on a machine with `cores` cores.
    public static func maximum(cores: Int = defaultThreadCount) -> Int { perCore * max(1, cores) }

    /// Resolves a requested count (nil: one per core). Zero or negative is an error naming `option`.
    public static func resolve(_ requested: Int?, option: String = "--threads", cores: Int = defaultThreadCount) throws -> Choice {
        guard let requested else { return Choice(threads: max(1, cores), warning: nil) }
        guard requested >= 1 else { throw CurationError.invalidArgument("\(option) must be at least 1, found \(requested)") }
        let limit = maximum(cores: cores)
        guard requested <= limit else {
            return Choice(threads: limit, warning: "\(option) \(requested) is more than \(perCore) per core on this \(max(1, cores))-core machine: using \(limit)")
        }
        return Choice(threads: requested, warning: nil)
    }
}
