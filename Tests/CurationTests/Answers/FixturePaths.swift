import Foundation

/// Finds the package's Fixtures directory from this source file's location.
enum AnswerFixtures {
    static var root: URL {
        var u = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while u.path != "/" {
            if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { return u.appendingPathComponent("Fixtures") }
            u.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "Fixtures")
    }
    static func url(_ name: String) -> URL { root.appendingPathComponent("answers").appendingPathComponent(name) }
}
