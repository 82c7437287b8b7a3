import Curation
import Foundation
import Testing

/// Issue 13 items 3, 6, 11, 19 and 20 as the CLI shows them.
@Suite struct RecipeHardeningTests {
    /// A copy of the fixture run recipe in `dir` pointing at the fixtures, so it can be edited.
    static func runRecipe(in dir: String, edit: (String) -> String = { $0 }) throws -> String {
        let recipe = dir + "/run.yaml"
        let text = try String(contentsOfFile: MixCLI.fixture("run.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "paths: [", with: "paths: [\(MixCLI.fixture("chat.jsonl").dropLast("chat.jsonl".count))")
        try edit(text).write(toFile: recipe, atomically: true, encoding: .utf8)
        return recipe
    }

    static func statuses(_ r: CLI.Result) throws -> [String] {
        let shown = try #require(try JSONParser.parse(r.stdout).objectValue, "\(r.stderr)")
        return shown["stages"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" } ?? []
    }

    /// Item 3: the alias bomb from the issue fails fast in `mix` and `run`, with file:line.
    @Test func aliasBombFailsFastInMixAndRun() throws {
        let dir = MixCLI.tempDir()
        var text = "a: &a [x, x]\n"
        for i in 1..<12 { text += "a\(i): &a\(i) [*\(i == 1 ? "a" : "a\(i - 1)"), *\(i == 1 ? "a" : "a\(i - 1)")]\n" }
        text += "? *a11\n: v\n"
        try text.write(toFile: dir + "/bomb.yaml", atomically: true, encoding: .utf8)
        for args in [["mix", "--recipe", dir + "/bomb.yaml", "-o", dir + "/m"], ["run", dir + "/bomb.yaml", "-o", dir + "/r"]] {
            let start = Date()
            let r = try CLI.run(args)
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(r.status != 0)
            #expect(r.stderr.contains("bomb.yaml:13:") && r.stderr.contains("keys must be plain names"), "\(r.stderr)")
        }
    }

    /// Item 6: `--threads` 0 is an error; far above the cores it is clamped with a warning.
    @Test func threadsAreBounded() throws {
        let dir = MixCLI.tempDir()
        let zero = try CLI.run(["convert", MixCLI.fixture("chat.jsonl"), "-o", dir + "/z", "--threads", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--threads must be at least 1, found 0"), "\(zero.stderr)")
        let neg = try CLI.run(["convert", MixCLI.fixture("chat.jsonl"), "-o", dir + "/n", "--threads=-3"])
        #expect(neg.status != 0 && neg.stderr.contains("at least 1"), "\(neg.stderr)")
        let many = try CLI.run(["convert", MixCLI.fixture("chat.jsonl"), "-o", dir + "/m", "--threads", "20000", "--quiet"])
        #expect(many.status == 0, "\(many.stderr)")
        let limit = ThreadLimit.maximum()
        #expect(many.stderr.contains("warning: --threads 20000 is more than 4 per core") && many.stderr.contains("using \(limit)"), "\(many.stderr)")
        #expect(try ThreadLimit.resolve(20000, cores: 2) == ThreadLimit.Choice(threads: 8, warning: "--threads 20000 is more than 4 per core on this 2-core machine: using 8"))
        #expect(try ThreadLimit.resolve(8, cores: 2).warning == nil)
        #expect(throws: CurationError.self) { try ThreadLimit.resolve(-1) }
    }

    /// Item 11: a source inside the run directory, or a run directory inside a source directory, is
    /// refused before anything runs (it used to grow 80 -> 160 -> 240 records over re-runs).
    @Test func overlappingSourceAndRunDirectoryAreRefused() throws {
        let dir = MixCLI.tempDir()
        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out + "/mix", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: MixCLI.fixture("chat.jsonl"), toPath: out + "/mix/old.jsonl")
        let inside = try Self.runRecipe(in: dir) { $0.replacingOccurrences(of: "chat: {paths: [\(MixCLI.fixture("chat.jsonl"))]}", with: "chat: {paths: [out/mix]}") }
        let r = try CLI.run(["run", inside, "-o", out])
        #expect(r.status != 0)
        #expect(r.stderr.contains("run.yaml:6:") && r.stderr.contains("lies inside the run directory"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/runs.sqlite"))

        // The run directory inside a source directory.
        let data = dir + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: MixCLI.fixture("chat.jsonl"), toPath: data + "/chat.jsonl")
        let holder = try Self.runRecipe(in: dir) { $0.replacingOccurrences(of: "chat: {paths: [\(MixCLI.fixture("chat.jsonl"))]}", with: "chat: {paths: [data]}") }
        let r2 = try CLI.run(["run", holder, "-o", data + "/run"])
        #expect(r2.status != 0)
        #expect(r2.stderr.contains("run.yaml:6:") && r2.stderr.contains("lies inside the source directory"), "\(r2.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data + "/run/runs.sqlite"))

        // `mix` refuses a source inside its own output directory.
        try "seed: 1\nsources:\n  - name: a\n    paths: [out/mix/old.jsonl]\n    fraction: 1\n".write(toFile: dir + "/mix.yaml", atomically: true, encoding: .utf8)
        let m = try CLI.run(["mix", "--recipe", dir + "/mix.yaml", "-o", out])
        #expect(m.status != 0 && m.stderr.contains("lies inside the output directory"), "\(m.stderr)")
    }

    /// Item 19: sizes out of range say so; a bad stage setting fails before any stage runs, with
    /// file:line; a level out of its codec's range is refused, not clamped.
    @Test func messagesSayWhatIsWrong() throws {
        let dir = MixCLI.tempDir()
        let huge = try CLI.run(["convert", MixCLI.fixture("chat.jsonl"), "-o", dir + "/h", "--max-bytes", "1e300GB"])
        #expect(huge.status != 0 && huge.stderr.contains("too large") && !huge.stderr.contains("at least 1"), "\(huge.stderr)")
        let gz = try CLI.run(["convert", MixCLI.fixture("chat.jsonl"), "-o", dir + "/g", "--compression", "gzip", "--level", "99"])
        #expect(gz.status != 0 && gz.stderr.contains("level 99 is out of range for gzip (1 to 9)"), "\(gz.stderr)")

        for (setting, message) in [("compression: gzip\n    level: 99", "level 99 is out of range for gzip (1 to 9)"),
                                   ("level: -5", "level -5 is out of range for zstd (1 to 22)")] {
            let recipe = try Self.runRecipe(in: dir) { $0.replacingOccurrences(of: "inputs: [web, forum]", with: "inputs: [web, forum]\n    \(setting)") }
            let r = try CLI.run(["run", recipe, "-o", dir + "/out"])
            #expect(r.status != 0)
            let line = setting.hasPrefix("compression") ? 19 : 18
            #expect(r.stderr.contains("run.yaml:\(line):") && r.stderr.contains("stages[1] \"docs\"") && r.stderr.contains(message), "\(r.stderr)")
            // Nothing ran: the first stage (chat_shards) did not write its outputs.
            #expect(!FileManager.default.fileExists(atPath: dir + "/out/chat_shards"), "\(r.stderr)")
        }
    }

    /// Item 20: the run store records the tool's version and build; outputs another build produced are
    /// redone, unless `--reuse-outputs`.
    @Test func outputsOfAnotherBuildAreRedoneUnlessReused() throws {
        let dir = MixCLI.tempDir()
        let recipe = try Self.runRecipe(in: dir)
        let out = dir + "/out"
        // Another build: the same binary with one byte more (a different executable hash).
        let other = dir + "/curate-tool-other"
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: other)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: other))
        try h.seekToEnd(); try h.write(contentsOf: Data([0])); try h.close()

        let first = try CLI.run(["run", recipe, "-o", out, "--json", "--quiet"])
        #expect(try Self.statuses(first) == ["done", "done", "done"])
        #expect(try Self.statuses(CLI.run(["run", recipe, "-o", out, "--json", "--quiet"])) == ["skipped", "skipped", "skipped"])

        let p = Process()
        p.executableURL = URL(fileURLWithPath: other)
        p.arguments = ["run", recipe, "-o", out]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(log)")
        #expect(log.contains("outputs from another build of the tool") && log.contains("--reuse-outputs keeps them"), "\(log)")

        let store = try RunStore(path: out + "/runs.sqlite")
        let runs = try store.runs()
        #expect(runs.count == 3)
        #expect(runs.allSatisfy { $0.toolVersion == "0.1.0" && ($0.toolBuild?.count ?? 0) == 32 })
        #expect(runs[0].toolBuild == runs[1].toolBuild && runs[1].toolBuild != runs[2].toolBuild)
        #expect(try store.stages(run: 3).map(\.status) == [.done, .done, .done])
        #expect(try store.stages(run: 3).allSatisfy { $0.toolBuild == runs[2].toolBuild })

        // Back to the first build: the other build's outputs are redone, or kept with --reuse-outputs.
        let kept = try CLI.run(["run", recipe, "-o", out, "--json", "--quiet", "--reuse-outputs"])
        #expect(try Self.statuses(kept) == ["skipped", "skipped", "skipped"])
        #expect(try store.stages(run: 4).allSatisfy { $0.toolBuild == runs[2].toolBuild }) // the build that produced them
        let redone = try CLI.run(["run", recipe, "-o", out, "--json", "--quiet"])
        #expect(try Self.statuses(redone) == ["done", "done", "done"])
    }
}
