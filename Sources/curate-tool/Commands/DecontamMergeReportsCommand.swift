import ArgumentParser
import Curation
import Decontam
import Foundation

/// `curate-tool decontam merge-reports REPORT... --output MERGED.json [--report-md FILE]`
struct DecontamMergeReportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-reports",
        abstract: "Merge the reports of `decontam scan --shard i/N` runs exactly (counts add, found eval instances union).")

    @Argument(help: "Report JSON files (globs allowed).")
    var reports: [String]

    @Option(name: .shortAndLong, help: "The merged report JSON.")
    var output: String

    @Option(name: .customLong("report-md"), help: "Also write the merged Markdown report.")
    var reportMd: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let merged = try runStage { () -> ScanReport in
            let paths = try InputFiles.resolve(reports)
            let m = try ScanReport.merge(try paths.map { try ScanReport.load($0) })
            try m.write(to: output)
            if let md = reportMd { try AtomicFileWriter.write(m.markdown(toolVersion: toolVersion), to: md) }
            return m
        }
        if !global.quiet {
            Console.info(merged.tables())
            for w in merged.stage.warnings { Console.warn(w) }
        }
        Console.show(merged.stage, options: GlobalOptions.quietJSON(global))
        if global.json { Console.stdout(PrettyJSON.string(merged.json)) }
    }
}
