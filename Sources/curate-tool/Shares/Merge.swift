import ArgumentParser
import Curation
import Decontam
import Foundation

/// `curate-tool merge STAGE_DIR`: joins the shares of a sharded stage into the output one machine
/// would have written. Checks that every share completed (its record in `STAGE_DIR/shares/`), merges
/// their reports (counts add up), lists their shards in one manifest per output, concatenates their
/// side files, and removes the `.incomplete` markers last.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the shares of a sharded stage (--shard i/N runs) into one output: manifest, report and side files.")

    @Argument(help: "The stage's output directory (the --output every share wrote to).")
    var directory: String

    @Option(name: .long, help: "The share count N to merge (needed only when records of two counts are present).")
    var count: Int?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let report = try runStage { try ShareMerging.merge(directory: directory, count: count) }
        Console.show(report, options: global)
    }
}

/// The merge itself, also run by the local executor after a stage's tasks.
enum ShareMerging {
    /// Merges the shares in `directory`; returns the merged stage report (already written).
    @discardableResult
    static func merge(directory: String, count: Int? = nil) throws -> StageReport {
        let records = try ShareRecord.loadAll(directory: directory, expectedCount: count)
        guard let first = records.first else { throw CurationError.io(path: directory, reason: "no shares to merge") }
        let reportPath = first.reportFile.hasPrefix("/") ? first.reportFile : (directory as NSString).appendingPathComponent(first.reportFile)
        let stage: StageReport
        switch first.stage {
        case "decontam-scan":
            var merged = try ScanReport.merge(try records.map { try ScanReport(json: $0.report, file: ShareRecord.path(directory: directory, share: $0.share)) })
            // All N shares: the report of the whole input, as one machine's scan writes it.
            merged.shardCount = nil
            merged.shards = []
            try merged.write(to: reportPath)
            stage = merged.stage
        default:
            let merged = try StageReport.merged(try records.map { try StageReport(json: $0.report) })
            try merged.write(to: reportPath)
            stage = merged
        }
        try ShareMerge.merge(directory: directory, records: records)
        return stage
    }
}
