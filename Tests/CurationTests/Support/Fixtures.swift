import Foundation

/// Paths into the package's Fixtures folder, found from this file's location.
enum FixturePath {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()
    static func path(_ rel: String) -> String { root + "/Fixtures/" + rel }
}

/// A fresh temporary directory, removed by the caller when wanted.
func temporaryDirectory(_ name: String = "t") -> String {
    let p = NSTemporaryDirectory() + "curate-tests-\(name)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}
