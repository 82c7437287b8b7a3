import Curation
import Foundation
import Testing

/// Issue 13 items 4, 9 and 20 through the binary: `--max-line-bytes`, `--allow-incomplete`, fsync.
@Suite struct DataPlaneCLITests {
    /// A zstd JSONL file of `lines` (written by ShardedWriter, which does not validate).
    func zstdInput(_ dir: String, _ lines: [[UInt8]]) throws -> String {
        let w = try ShardedWriter(directory: dir, options: ShardOptions(prefix: "in", compression: .zstd))
        for l in lines { try l.withUnsafeBytes { try w.write(line: $0) } }
        let m = try w.finish()
        return dir + "/" + m.shards[0].file
    }

    static func record(_ id: String, text: String) -> [UInt8] { Array(#"{"id":"\#(id)","text":"\#(text)"}"#.utf8) }

    /// Peak resident memory of one run of the tool, in KB (via /usr/bin/time).
    func peakKB(_ args: [String]) throws -> (CLI.Result, Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "maxrss=%M", CLI.binary] + args
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let kb = e.split(separator: "\n").last { $0.hasPrefix("maxrss=") }.flatMap { Int($0.dropFirst("maxrss=".count)) } ?? -1
        return (CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: e), kb)
    }

    @Test func statsSkipsALongLineInBoundedMemory() throws {
        let dir = CLI.tempDir("longline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = try zstdInput(dir + "/small", [Self.record("a", text: "one"), Self.record("b", text: "two")])
        let big = try zstdInput(dir + "/big", [Self.record("a", text: "one"), Self.record("x", text: String(repeating: "a", count: 48_000_000)),
                                               Self.record("b", text: "two")])
        let args = ["stats", "--max-line-bytes", "1KB", "--on-error", "skip", "--json", "--quiet", "--threads", "1"]
        let (r0, base) = try peakKB(args + ["--rejected-dir", dir + "/rej0", small])
        let (r1, peak) = try peakKB(args + ["--rejected-dir", dir + "/rej1", big])
        #expect(r0.status == 0, "\(r0.stderr)")
        #expect(r1.status == 0, "\(r1.stderr)")
        let report = try JSONParser.parse(r1.stdout)
        #expect(report["summary"]?["records"]?.intValue == 2)
        #expect(report["records_in"]?.intValue == 3)
        #expect(report["dropped"]?["rejected:line-too-long"]?.intValue == 1, "\(r1.stdout)")
        // The 48 MB line costs no more than a few buffers: memory does not grow with the line.
        #expect(base > 0 && peak > 0)
        #expect(peak - base < 16_000, "peak RSS \(peak) KB vs \(base) KB without the long line")
        // rejected.jsonl holds the line's first 1 KB only.
        let kept = try #require(FileManager.default.contents(atPath: dir + "/rej1/rejected.jsonl"))
        #expect(kept.count == 1001)
        // Under --on-error fail the long line is fatal, naming file, line and the limit.
        let f = try CLI.run(["stats", "--max-line-bytes", "1KB", "--quiet", big])
        #expect(f.status != 0)
        #expect(f.stderr.contains(":2 ") && f.stderr.contains("--max-line-bytes"), "\(f.stderr)")
    }

    @Test func incompleteOutputIsRefusedUnlessAllowed() throws {
        let dir = CLI.tempDir("incomplete")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/out"
        let c = try CLI.run(["convert", CLI.fixture("train/chat.jsonl"), "-o", out, "--quiet", "--max-records", "20"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/part.incomplete"))
        // A killed re-run: the marker is back, the manifest gone.
        try Data("x".utf8).write(to: URL(fileURLWithPath: out + "/part.incomplete"))
        try FileManager.default.removeItem(atPath: out + "/part.manifest.json")
        let refused = try CLI.run(["stats", out, "--json", "--quiet"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("incomplete") && refused.stderr.contains("--allow-incomplete"), "\(refused.stderr)")
        let allowed = try CLI.run(["stats", out, "--json", "--quiet", "--allow-incomplete"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try JSONParser.parse(allowed.stdout)["summary"]?["records"]?.intValue == 80)
    }

    /// Every finished file is fsynced before its rename, and its directory after (checked with strace).
    @Test func outputsAreFsyncedBeforeTheirRename() throws {
        let probe = try? CLI.runProgram("/usr/bin/strace", ["-f", "-e", "trace=none", "true"])
        guard let probe, probe.status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("strace is needed for this test in CI") }
            return
        }
        let dir = CLI.tempDir("fsync")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trace = dir + "/trace.txt"
        let r = try CLI.runProgram("/usr/bin/strace", ["-f", "-o", trace, "-e", "trace=fsync,rename,renameat,renameat2",
                                                       CLI.binary, "convert", CLI.fixture("train/chat.jsonl"), "-o", dir + "/out",
                                                       "--quiet", "--max-records", "30"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        // Per thread, the call before each rename into place is an fsync (of the file) and the call after
        // it is an fsync (of the directory).
        var byThread: [String: [String]] = [:]
        for l in lines { byThread[String(l.prefix { $0 != " " }), default: []].append(l) }
        var renames = 0
        for (_, calls) in byThread {
            for (k, c) in calls.enumerated() where c.contains("rename") && c.contains(".tmp-") {
                renames += 1
                #expect(k > 0 && calls[k - 1].contains("fsync("), "\(c) not preceded by fsync")
                #expect(k + 1 < calls.count && calls[k + 1].contains("fsync("), "\(c) not followed by a directory fsync")
            }
        }
        #expect(renames >= 4) // 3 shards, the marker, the manifest
    }
}
