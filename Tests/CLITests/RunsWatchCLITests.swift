import Curation
import Foundation
import Testing

/// `runs watch ID`: follows a run another process is writing until it ends (stage starts and ends with
/// their counts, each task's state changes), exits 0 when it succeeded, 1 when it failed and 124 at
/// `--timeout`; a run that already ended gives its summary at once; bad ids and options are errors.
@Suite struct RunsWatchCLITests {
    /// `runs show --json`'s stages of a run, by name.
    static func stages(_ out: String, run: Int = 1) throws -> [String: JSONValue] {
        let shown = try CLI.run(["runs", "show", "\(run)", "--store", out, "--json"])
        var byName: [String: JSONValue] = [:]
        for st in try JSONParser.parse(shown.stdout)["stages"]?.arrayValue ?? [] { byName[st["name"]?.stringValue ?? ""] = st }
        return byName
    }

    /// The line a finished stage gets, from what the store recorded.
    static func doneLine(_ st: JSONValue, kind: String) -> String {
        let dropped = st["dropped"]?.objectValue?.entries.reduce(0) { $0 + ($1.value.intValue ?? 0) } ?? -1
        return "stage \(st["name"]?.stringValue ?? "?") (\(kind)): done, \(st["records_in"]?.intValue ?? -1) in, \(st["records_out"]?.intValue ?? -1) out, \(dropped) dropped"
    }

    @Test func followsARunUntilItSucceeds() throws {
        let dir = CLI.tempDir("watch-follow")
        let recipe = try ExecutorCLITests.recipe(dir)
        let out = dir + "/tasks"
        var env = ExecutorCLITests.unitEnv
        // Share 1 of the convert stage waits 8 s: the run is surely still going while it is watched.
        env["CURATE_TEST_SLOW_SHARE"] = "1:8"
        env["CURATE_TEST_SLOW_KIND"] = "convert"
        let run = try BackgroundCLI(["run", (recipe as NSString).lastPathComponent, "--output", out, "--quiet",
                                     "--executor", "local", "--tasks", "2"], cwd: dir, env: env)
        defer { run.stop() }
        let started = BackgroundCLI.waitFor(60) { (try? CLI.run(["runs", "show", "1", "--store", out]))?.status == 0 }
        #expect(started, "the run never appeared in its store: \(run.stderrSoFar)")

        // Not yet over: --timeout ends the watch with 124 and says so.
        let early = try CLI.run(["runs", "watch", "1", "--store", out, "--timeout", "0.5", "--interval", "0.2"])
        #expect(early.status == 124 && early.stderr.contains("run 1 is still running after 0.50 s (--timeout)"), "\(early.status) \(early.stderr)")
        #expect(early.stdout.contains("run 1: running"), "\(early.stdout)")

        let watched = try CLI.run(["runs", "watch", "1", "--store", out, "--interval", "0.2", "--timeout", "300"])
        let finished = run.wait()
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(watched.status == 0, "\(watched.stderr)")
        let lines = watched.stdout.split(separator: "\n").map(String.init)
        func index(_ s: String) -> Int? { lines.firstIndex { $0.contains(s) } }
        // It followed the run as it went: the stage and the slow task seen running, then done.
        #expect(lines.first?.contains("run 1: running") == true, "\(watched.stdout)")
        let stageRunning = index("stage converted (convert): running"), taskRunning = index("converted share 1/2: running (attempt 1, pid ")
        let taskDone = index("converted share 1/2: done (attempt 1, exit 0"), stages = try Self.stages(out)
        let convertDone = index(Self.doneLine(try #require(stages["converted"]), kind: "convert"))
        let cleanDone = index(Self.doneLine(try #require(stages["clean"]), kind: "decontam"))
        #expect(stageRunning != nil && taskRunning != nil && taskDone != nil && convertDone != nil && cleanDone != nil, "\(watched.stdout)")
        if let stageRunning, let taskRunning, let taskDone, let convertDone, let cleanDone {
            #expect(stageRunning < taskRunning && taskRunning < taskDone && taskDone < convertDone && convertDone < cleanDone, "\(watched.stdout)")
        }
        #expect(lines.last?.contains("run 1 succeeded: 2 stages (2 ran, 0 skipped)") == true, "\(watched.stdout)")
        #expect(lines.allSatisfy { $0.hasPrefix("[") }, "every line of a followed run is stamped: \(watched.stdout)")
        // The convert stage's counts add up and name its drop reasons (the bad line).
        #expect(watched.stdout.contains(Self.doneLine(try #require(stages["converted"]), kind: "convert") + " ("), "\(watched.stdout)")

        // Watched again, the run has ended: its summary, at once, without following lines.
        let t0 = Date()
        let again = try CLI.run(["runs", "watch", "1", "--store", out, "--interval", "60"])
        #expect(again.status == 0 && Date().timeIntervalSince(t0) < 30, "\(again.stderr)")
        #expect(again.stdout.contains(Self.doneLine(try #require(stages["clean"]), kind: "decontam")) && !again.stdout.contains("running"), "\(again.stdout)")
        #expect(again.stdout.split(separator: "\n").last?.hasPrefix("run 1 succeeded") == true, "\(again.stdout)")
    }

    @Test func aFailedRunEndsTheWatchNamingItsTask() throws {
        let dir = CLI.tempDir("watch-failed")
        let recipe = try ExecutorCLITests.recipe(dir)
        let out = dir + "/tasks"
        var env = ExecutorCLITests.unitEnv
        env["CURATE_TEST_KILL_SHARE"] = "1"
        env["CURATE_TEST_KILL_KIND"] = "convert"
        let killed = try ExecutorCLITests.run(recipe, out, ["--executor", "local", "--tasks", "2", "--retries", "0"], env: env)
        #expect(killed.status != 0)
        let watched = try CLI.run(["runs", "watch", "1", "--store", out])
        #expect(watched.status == 1, "\(watched.stderr)")
        #expect(watched.stdout.contains("converted share 1/2: failed (attempt 1, exit 137 (signal 9)") && watched.stdout.contains("s1of2.log"), "\(watched.stdout)")
        #expect(!watched.stdout.contains("share 0/2"), "a finished run's summary lists only the failed tasks: \(watched.stdout)")
        #expect(watched.stdout.contains("stage converted (convert): failed") && watched.stdout.contains("run 1 failed"), "\(watched.stdout)")
        #expect(watched.stderr.contains("run 1 failed: ") && watched.stderr.contains("share 1/2"), "\(watched.stderr)")

        // Errors: a run that is not there, a store that is not there, options out of bounds.
        let unknown = try CLI.run(["runs", "watch", "7", "--store", out])
        #expect(unknown.status == 1 && unknown.stderr.contains("no run with id 7 (runs here: 1)"), "\(unknown.stderr)")
        let noStore = try CLI.run(["runs", "watch", "1", "--store", dir + "/nowhere"])
        #expect(noStore.status != 0 && noStore.stderr.contains("no run store here"), "\(noStore.stderr)")
        for (args, message) in [(["--interval", "0.1"], "--interval must be between 0.2 and 60"), (["--interval", "61"], "--interval must be between"),
                                (["--interval", "nan"], "--interval"), (["--timeout", "0"], "--timeout must be more than 0"),
                                (["--timeout", "1e9"], "--timeout must be more than 0 and at most 604800")] {
            let r = try CLI.run(["runs", "watch", "1", "--store", out] + args)
            #expect(r.status != 0 && r.stderr.contains(message) && r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
    }
}
