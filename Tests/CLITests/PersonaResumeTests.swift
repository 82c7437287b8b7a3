import Curation
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Persona synthesis against a real `curate-tool serve`: a run killed in the middle and run again makes no
/// repeated backend call (the SQLite request cache answers what the killed run already paid for), and ends
/// with the same records as an uninterrupted run.
@Suite(.serialized) struct PersonaResumeTests {
    /// Short edited templates, so prompts fit the tiny test model's 512 positions.
    func templates(_ dir: String) throws -> String {
        let t = dir + "/templates"
        try FileManager.default.createDirectory(atPath: t, withIntermediateDirectories: true)
        try "A Python question from {persona}:".write(toFile: t + "/code.txt", atomically: true, encoding: .utf8)
        try "{task}\nAnswer with a Python function.".write(toFile: t + "/code-solution.txt", atomically: true, encoding: .utf8)
        return t
    }

    func persona(_ url: String, _ out: String, templates: String) -> [String] {
        ["persona", "--skill", "code", "--personas", CLI.fixture("persona/personas.jsonl"), "--count", "6", "--samples", "1",
         "--backend", "openai:" + url, "--output", out, "--task-max-tokens", "8", "--solution-max-tokens", "8",
         "--templates", templates, "--concurrency", "1", "--batch-size", "1", "--seed", "5", "--quiet"]
    }

    func report(_ dir: String) throws -> JSONValue {
        try JSONParser.parse(try String(contentsOfFile: dir + "/report.json", encoding: .utf8))
    }

    @Test func killedRunResumesWithoutRepeatingABackendCall() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let dir = CLI.tempDir("persona-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try templates(dir)

        // The uninterrupted run: how many requests the job needs.
        let full = try CLI.run(persona(server.baseURL, dir + "/full", templates: t))
        #expect(full.status == 0, "\(full.stderr)")
        let needed = try #require(try report(dir + "/full")["backend"]?["requests_sent"]?.intValue)
        #expect(needed > 0)

        // A run killed part-way, then run again into the same output (and cache).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = persona(server.baseURL, dir + "/killed", templates: t)
        p.standardError = FileHandle.nullDevice
        try p.run()
        let cachePath = dir + "/killed/cache.sqlite"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, p.isRunning {
            if let n = try? RequestCache(path: cachePath).count(), n >= 2 { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let paidBefore = (try? RequestCache(path: cachePath).count()) ?? 0

        let again = try CLI.run(persona(server.baseURL, dir + "/killed", templates: t))
        #expect(again.status == 0, "\(again.stderr)")
        let sent = try #require(try report(dir + "/killed")["backend"]?["requests_sent"]?.intValue)
        // Nothing asked twice: what the killed run paid for plus what the re-run sent is what the job needs.
        #expect(paidBefore + sent == needed, "paid before kill \(paidBefore), sent after \(sent), needed \(needed)")
        #expect(try report(dir + "/killed")["records_out"] == report(dir + "/full")["records_out"])
    }
}
