import Curation
import Foundation

/// What a stage job on the cluster hands back to the process that records the run: the stage's report
/// and the summary lines an inline run would print, written last (atomically) as
/// `STAGE_DIR/tasks/outcome.json` by `run-task --step finish` (after the shares' merge) or
/// `run-task --step whole` (a stage run as one job). The stage's manifest stays where every stage
/// writes it (`part.manifest.json`); the outcome without it, or it without the outcome, is not done.
struct StageOutcomeRecord {
    var stage: String
    var report: StageReport
    var summary: String
    /// When the stage's work started (its single job, or its earliest share) and ended (this record):
    /// the run store records these, not the time the submitting process waited.
    var started: Date
    var finished: Date

    static let name = "outcome.json"

    static func path(directory: String) -> String {
        (TaskFile.folder(directory: directory) as NSString).appendingPathComponent(name)
    }

    func write(directory: String) throws {
        var o = JSONObject()
        o["version"] = .int(1)
        o["stage"] = .string(stage)
        o["report"] = report.json
        o["summary"] = .string(summary)
        o["started"] = .double(started.timeIntervalSince1970)
        o["finished"] = .double(finished.timeIntervalSince1970)
        try AtomicFileWriter.write(PrettyJSON.string(.object(o)) + "\n", to: Self.path(directory: directory))
    }

    /// The record of the stage in `directory`, or nil when there is none; a record that does not read is an error.
    static func load(directory: String, stage: String) throws -> StageOutcomeRecord? {
        let path = Self.path(directory: directory)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        func bad(_ why: String) -> CurationError { .io(path: path, reason: "not a stage outcome record: \(why)") }
        let v: JSONValue
        do { v = try JSONParser.parse([UInt8](data)) } catch { throw bad("\(error)") }
        guard v["version"]?.intValue == 1, let name = v["stage"]?.stringValue, let report = v["report"] else {
            throw bad("needs version 1, stage and report")
        }
        guard name == stage else { throw bad("it is stage \"\(name)\"'s, not \"\(stage)\"'s") }
        guard let started = v["started"]?.doubleValue, let finished = v["finished"]?.doubleValue, started <= finished else {
            throw bad("needs started <= finished (seconds since 1970)")
        }
        return StageOutcomeRecord(stage: name, report: try StageReport(json: report), summary: v["summary"]?.stringValue ?? "",
                                  started: Date(timeIntervalSince1970: started), finished: Date(timeIntervalSince1970: finished))
    }

    /// Removes the record (before the stage's jobs are submitted, so an old one never stands for them).
    static func remove(directory: String) {
        try? FileManager.default.removeItem(atPath: path(directory: directory))
    }
}
