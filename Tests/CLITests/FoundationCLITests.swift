import Curation
import Foundation
import Testing

@Suite struct FoundationCLITests {
    @Test func helpListsSubcommands() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for cmd in ["stats", "convert"] { #expect(r.stdout.contains(cmd)) }
    }

    @Test func statsCountsSchemasAndSources() throws {
        let r = try CLI.run(["stats", CLI.fixture("train"), "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONParser.parse(r.stdout)
        let s = try #require(v["summary"])
        #expect(s["records"]?.intValue == 425)
        #expect(s["schemas"]?["chat"]?.intValue == 240)
        #expect(s["schemas"]?["preference"]?.intValue == 30)
        #expect(s["sources"]?["ultrafeedback"]?.intValue == 30)
        #expect((s["whitespace_tokens"]?.intValue ?? 0) > 10_000)
    }

    @Test func convertOutputIsIdenticalForAnyThreadCount() throws {
        let a = CLI.tempDir("t1"), b = CLI.tempDir("t2")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        for (dir, t) in [(a, "1"), (b, "2")] {
            let r = try CLI.run(["convert", CLI.fixture("train"), "-o", dir, "--max-records", "37", "--threads", t, "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let ma = try Manifest.load(Manifest.path(directory: a, prefix: "part"))
        let mb = try Manifest.load(Manifest.path(directory: b, prefix: "part"))
        #expect(ma == mb)
        #expect(ma.records == 425)
        for s in ma.shards {
            #expect(FileManager.default.contents(atPath: a + "/" + s.file) == FileManager.default.contents(atPath: b + "/" + s.file))
        }
    }

    @Test func badInputExitsNonZeroWithLocation() throws {
        let dir = CLI.tempDir("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["convert", CLI.fixture("broken/malformed.jsonl"), "-o", dir, "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("malformed.jsonl:3"))
        let skip = try CLI.run(["convert", CLI.fixture("broken/malformed.jsonl"), "-o", dir, "--on-error", "skip", "--json", "--quiet"])
        #expect(skip.status == 0)
        let rep = try JSONParser.parse(skip.stdout)
        #expect(rep["records_in"]?.intValue == 4)
        #expect(rep["records_out"]?.intValue == 3)
    }

    /// A writer killed mid-run leaves only hidden temporary files, never a file named like a complete shard.
    @Test func killedConvertLeavesNoCompleteLookingShard() throws {
        let dir = CLI.tempDir("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A large enough input: the fixture chats repeated into one zstd file.
        let input = dir + "/big.jsonl"
        let one = try String(contentsOfFile: CLI.fixture("train/chat.jsonl"), encoding: .utf8)
        try String(repeating: one, count: 400).write(toFile: input, atomically: true, encoding: .utf8)
        let out = dir + "/out"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["convert", input, "-o", out, "--quiet", "--level", "19"]
        try p.run()
        usleep(300_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        if FileManager.default.fileExists(atPath: out + "/part.manifest.json") {
            // The run finished before the kill: everything present must verify.
            #expect(try Manifest.load(out + "/part.manifest.json").verify(directory: out).isEmpty)
        } else {
            // Killed mid-way: shards still being written carry a temporary name; a shard under its final
            // name was renamed only once complete (the kill may fall between that rename and the
            // manifest), so it must read to the end without error.
            for name in names where name.hasPrefix("part-") {
                #expect(throws: Never.self, "\(name) has its final name but is incomplete") {
                    try LineReader(path: out + "/" + name).forEachLine { _, _, _ in }
                }
            }
        }
    }
}
