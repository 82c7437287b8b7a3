import Foundation

/// Which tool made an output: its version and its build. The build is the XXH3-128 of the running
/// executable's bytes, computed once per process: robust where an embedded git commit is not (a
/// dirty tree, a local patch, a different compiler or flags all give another binary, and so another
/// build). The run store records it, so a re-run redoes a stage whose outputs another build produced
/// (issue 13, item 20) unless the person asks to keep them.
public struct ToolBuild: Sendable, Equatable {
    public var version: String
    public var build: String

    public init(version: String, build: String) { self.version = version; self.build = build }

    /// The running executable's identity under `version`.
    public static func current(version: String) -> ToolBuild { ToolBuild(version: version, build: executableHash) }

    /// The hash of the running executable (`unknown-…` when it cannot be read: then every run counts
    /// as another build, which redoes work rather than trusting outputs of an unknown tool).
    public static let executableHash: String = {
        let path = executablePath
        if let h = try? ContentHash.files([path]) { return h }
        return "unknown-\(UUID().uuidString)"
    }()

    static var executablePath: String {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments.first ?? ""
    }
}
