import Curation
import Foundation

/// Everything the CLI shows a person goes through here: libraries never print.
enum Console {
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    static func error(_ message: String) { FileHandle.standardError.write(Data(("error: " + message + "\n").utf8)) }
    static func warn(_ message: String) { FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8)) }
    static func info(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    static func stdout(_ message: String) { FileHandle.standardOutput.write(Data((message + "\n").utf8)) }

    /// Shows a report: the table on stderr unless quiet, the JSON on stdout with --json.
    static func show(_ report: StageReport, options: GlobalOptions) {
        if !options.quiet { info(report.table()) }
        if options.json { stdout(PrettyJSON.string(report.json)) }
    }
}

/// A progress line on stderr (records/s, MB/s, ETA), only when stderr is a terminal.
final class Progress {
    private let enabled: Bool
    private let start = Date()
    private var last = Date.distantPast
    private let label: String

    init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && Console.stderrIsTerminal
    }

    /// `done`/`total` are bytes on disk (total 0 when unknown).
    func update(records: Int, bytes: Int, done: Int, total: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.25 else { return }
        last = now
        let t = max(1e-6, now.timeIntervalSince(start))
        var line = String(format: "\r%@: %d records, %.0f rec/s, %.1f MB/s", label, records, Double(records) / t, Double(bytes) / 1e6 / t)
        if total > 0 && done > 0 && done <= total {
            let eta = t * Double(total - done) / Double(done)
            line += String(format: ", %.0f%%, ETA %.0f s", 100 * Double(done) / Double(total), eta)
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Renders library errors as `error: ...` and exits non-zero, without argument-parser's usage text.
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
}
