import Foundation
import TestDependencies
import Testing

/// Tests that need something from outside the repository find it one way (one environment variable)
/// and, under CI=true, fail instead of skipping (issue 13 item 17).
@Suite struct ExternalDependencyTests {
    static let variable = "CURATE_TEST_DEPENDENCY"

    @Test func aMissingDependencyFailsUnderCI() throws {
        let d = ExternalDependency(name: "a model", variable: Self.variable, environment: ["CI": "true"])
        #expect(d.shouldRun, "under CI the test must run (and fail), not skip")
        let error = try #require(throws: MissingDependency.self) { try d.require() }
        #expect(error.description.contains(Self.variable) && error.description.contains("CI=true"))
    }

    @Test func aMissingDependencySkipsWithANoteOutsideCI() throws {
        for env in [[:], ["CI": "false"], [Self.variable: ""], [Self.variable: "/nonexistent/model.gguf"]] {
            let d = ExternalDependency(name: "a model", variable: Self.variable, environment: env)
            #expect(!d.shouldRun && d.path == nil)
            #expect(d.skipNote.contains(Self.variable) && d.skipNote.contains("scripts/fetch-test-deps.sh"))
        }
        let wrong = ExternalDependency(name: "a model", variable: Self.variable, environment: [Self.variable: "/nonexistent/m"])
        let error = try #require(throws: MissingDependency.self) { try wrong.require() }
        #expect(error.description.contains("/nonexistent/m"))
    }

    @Test func aPresentDependencyIsItsVariablesPath() throws {
        let file = CLI.tempDir("dependency") + "/model.gguf"
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        for ci in ["true", "false"] {
            let d = ExternalDependency(name: "a model", variable: Self.variable, environment: [Self.variable: file, "CI": ci])
            #expect(d.shouldRun)
            #expect(try d.require() == file)
        }
    }

    /// No test looks for a dependency another way: no hard-coded /tmp paths, no direct lookups of
    /// the dependencies' variables, no "skipping" notes printed by a test that then passes.
    @Test func testsFindDependenciesOnlyThroughTheHelper() throws {
        let tests = CLI.root + "/Tests"
        let forbidden = ["\"/tmp" + "/", "environment[\"SMOLLM2" + "_GGUF\"]", "print(\"skip" + "ping", "\"import " + "openai\"]"]
        var offenders: [String] = []
        let files = FileManager.default.enumerator(atPath: tests)?.compactMap { $0 as? String } ?? []
        for rel in files where rel.hasSuffix(".swift") {
            let text = try String(contentsOfFile: tests + "/" + rel, encoding: .utf8)
            for f in forbidden where text.contains(f) { offenders.append("\(rel): \(f)") }
        }
        #expect(files.count > 20)
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
