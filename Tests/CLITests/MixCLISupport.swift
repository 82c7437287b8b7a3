import Curation
import Foundation

/// Runs the built `curate-tool` for the mix and run tests.
enum MixCLI {
    static let root: URL = {
        var u = URL(fileURLWithPath: #filePath)
        while u.path != "/" {
            u.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { return u }
        }
        return u
    }()

    /// The executable next to the test bundle (debug or release), else in .build.
    static let binary: String = {
        var candidates: [String] = []
        if let exe = Bundle.main.executablePath { candidates.append(((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("curate-tool")) }
        for b in Bundle.allBundles { candidates.append(((b.bundlePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("curate-tool")) }
        candidates += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/curate-tool").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    static func fixture(_ name: String) -> String { root.appendingPathComponent("Fixtures/mixer/\(name)").path }

    static func tempDir(_ tag: String = #function) -> String {
        let d = NSTemporaryDirectory() + "mixcli-\(tag.filter { $0.isLetter })-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    struct Output {
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: r, as: UTF8.self))
    }

    /// The shard files' bytes of an output directory, in manifest order.
    static func shards(_ dir: String) throws -> [Data] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        return m.shards.compactMap { FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent($0.file)) }
    }

    static func lines(_ dir: String) throws -> [String] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        var out: [String] = []
        for s in m.shards {
            try LineReader(path: (dir as NSString).appendingPathComponent(s.file)).forEachLine { l, _, _ in out.append(String(decoding: l, as: UTF8.self)) }
        }
        return out
    }
}
