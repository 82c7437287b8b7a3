import Foundation

/// Runs the built `curate-tool` (next to the test bundle, in the same build configuration). Every
/// CLI suite goes through this one helper so they all test the same binary.
enum CLI {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    static let binary: String = {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundleDir, bundleDir.deletingLastPathComponent()] {
            let p = dir.appendingPathComponent("curate-tool").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        for config in ["release", "debug"] {
            let p = root + "/.build/\(config)/curate-tool"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return root + "/.build/debug/curate-tool"
    }()

    struct Result {
        var status: Int32
        /// The tool died by a signal (`status` is then the signal number).
        var signaled = false
        var stdout: String
        var stderr: String
    }

    /// Runs the tool to completion, in `cwd` if given, with `env` added to this process's environment.
    @discardableResult
    static func run(_ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        try runProgram(binary, args, cwd: cwd, env: env)
    }

    /// Runs any program to completion (the tool, or a wrapper such as strace).
    @discardableResult
    static func runProgram(_ path: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func fixture(_ rel: String) -> String { root + "/Fixtures/" + rel }

    static func tempDir(_ name: String) -> String {
        let p = NSTemporaryDirectory() + "curate-cli-\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
