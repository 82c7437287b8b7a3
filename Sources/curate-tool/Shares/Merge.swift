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

    @Argument(help: "The stage's output: the directory every share wrote to (its records in DIR/shares), or a single output file (records in FILE.shares, e.g. verify --output FILE).")
    var directory: String

    @Option(name: .long, help: "The share count N to merge (needed only when records of two counts are present).")
    var count: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let count, !(1...1_000_000).contains(count) { throw ValidationError("--count should be 1 to 1000000, got \(count)") }
    }

    func run() throws {
        let report = try runStage { try ShareMerging.merge(directory: directory, count: count) }
        Console.show(report, options: global)
    }
}

/// The merge itself, also run by the local executor after a stage's tasks.
enum ShareMerging {
    /// Merges the shares of `path`: a stage directory, or a single output file whose shares wrote
    /// `FILE-sIofN.ext` pieces (records in `FILE.shares`). Returns the merged stage report (already written).
    @discardableResult
    static func merge(directory path: String, count: Int? = nil) throws -> StageReport {
        var isDir: ObjCBool = false
        let fileOutput = !FileManager.default.fileExists(atPath: ShareRecord.folder(directory: path), isDirectory: &isDir)
            && FileManager.default.fileExists(atPath: ShareRecord.folder(outputFile: path), isDirectory: &isDir) && isDir.boolValue
        let folder = fileOutput ? ShareRecord.folder(outputFile: path) : ShareRecord.folder(directory: path)
        let directory = fileOutput ? (path as NSString).deletingLastPathComponent : path
        let records = try ShareRecord.loadAll(folder: folder, expectedCount: count)
        guard let first = records.first else { throw CurationError.io(path: directory, reason: "no shares to merge") }
        let reportPath = first.reportFile.hasPrefix("/") ? first.reportFile : (directory as NSString).appendingPathComponent(first.reportFile)
        let stage: StageReport
        switch first.stage {
        case "mix":
            throw CurationError.invalidArgument("\(folder) holds the shares of a mix run as tasks: its merge is `curate-tool mix` with the same arguments and --merge-shares \(records.count)")
        case "select-screen":
            throw CurationError.invalidArgument("\(folder) holds the shares of a sharded select: its final sampling is `curate-tool select` with the same arguments and --merge-shares")
        case "decontam-scan":
            var merged = try ScanReport.merge(try records.map { try ScanReport(json: $0.report, file: ShareRecord.path(folder: folder, share: $0.share)) })
            // All N shares: the report of the whole input, as one machine's scan writes it.
            merged.shardCount = nil
            merged.shards = []
            try merged.write(to: reportPath)
            stage = merged.stage
        case "vote":
            try VoteShareCheck.check(records, folder: folder)
            var merged = try StageReport.merged(try records.map { try StageReport(json: $0.report) })
            var statistics = VoteStatistics()
            for r in records { if let v = r.report["vote"] { statistics.add(VoteStatistics(json: v)) } }
            merged.extra["vote"] = statistics.json
            try merged.write(to: reportPath)
            stage = merged
            // A vote partitioned by id (`vote --phase`) kept its working files beside the share records.
            try PhaseRecord.removeAll(directory: folder)
        case let name where name.hasPrefix("persona-"):
            let reports = try records.map { try StageReport(json: $0.report) }
            var merged = try StageReport.merged(reports)
            try PersonaReportMerge.fix(&merged, shares: reports)
            try merged.write(to: reportPath)
            stage = merged
        case "verify":
            var merged = try StageReport.merged(try records.map { try StageReport(json: $0.report) })
            merged.extra["per_dataset"] = VerifyReportMerge.perDataset(records.map(\.report))
            try merged.write(to: reportPath)
            stage = merged
        default:
            let merged = try StageReport.merged(try records.map { try StageReport(json: $0.report) })
            try merged.write(to: reportPath)
            stage = merged
        }
        try ShareMerge.merge(directory: directory.isEmpty ? "." : directory, records: records)
        for warning in ParquetShareSchemas.differences(records, directory: directory.isEmpty ? "." : directory) { Console.warn(warning) }
        return stage
    }
}

/// Each share of a Parquet output encodes its shards under the union schema of its own records, where one
/// run has one union schema over every shard: when a column is absent from some shares (no record of theirs
/// has the field) or typed differently (integers in one, floats in another), readers that take one file's
/// schema (`datasets`) or refuse conflicting ones see a difference the rows themselves do not have. The
/// merge says so (the rows and their order are one run's; absent columns read as null).
enum ParquetShareSchemas {
    static func differences(_ records: [ShareRecord], directory: String) -> [String] {
        guard let first = records.first else { return [] }
        var out: [String] = []
        for (p, m0) in first.manifests.enumerated() where m0.format == .parquet {
            let place = ShareRecord.location(prefix: m0.prefix, directory: directory)
            var seen: [(share: Int, columns: [String])] = []
            for r in records where p < r.manifests.count {
                guard let shard = r.manifests[p].shards.first,
                      let file = try? ParquetFile(path: (place.directory as NSString).appendingPathComponent(shard.file)) else { continue }
                seen.append((r.share.index, file.schema.columns.map { "\($0.dottedPath) \($0.physicalType) \($0.logicalType)" }))
            }
            guard let base = seen.first else { continue }
            let differing = seen.filter { $0.columns != base.columns }.map(\.share)
            if !differing.isEmpty {
                out.append("\((place.directory as NSString).appendingPathComponent(place.prefix)): the Parquet shards of share(s) \(differing.prefix(10).map(String.init).joined(separator: ", ")) have another schema than share \(base.share)'s (each share writes the union schema of its own records; a column none of a share's records has is absent there): the rows are one run's, but readers that take one file's schema (datasets) need the schemas unified; run the stage inline, or write JSONL and convert the merged output to Parquet")
            }
        }
        return out
    }
}

/// Persona synthesis across shares: every share loads, dedupes and samples all the personas, so what it
/// reports about them (and the input's bytes) is the whole input's, taken once from share 0; the vote's
/// removed share is recomputed from the summed counts; the preference pairs' report merges as a report.
enum PersonaReportMerge {
    static func fix(_ m: inout StageReport, shares: [StageReport]) throws {
        guard let first = shares.first else { return }
        m.bytesIn = first.bytesIn
        for k in ["personas", "personas_loaded", "personas_after_dedupe"] where first.extra[k] != nil { m.extra[k] = first.extra[k] }
        if var p = m.extra["persona"]?.objectValue, let voted = p["voted"]?.intValue, let removed = p["vote_removed"]?.intValue {
            p["vote_removed_share"] = .double(voted == 0 ? 0 : (Double(removed) / Double(voted) * 10000).rounded() / 10000)
            m.extra["persona"] = .object(p)
        }
        let prefs = shares.compactMap { $0.extra["preferences"] }
        if !prefs.isEmpty { m.extra["preferences"] = try StageReport.merged(prefs.map { try StageReport(json: $0) }).json }
        try m.check()
    }
}

/// `verify`'s per-dataset table across shares: records add, the mean reward is recomputed from the
/// shares' reward sums (as one run computes it from its own).
enum VerifyReportMerge {
    static func perDataset(_ reports: [JSONValue]) -> JSONValue {
        var order: [String] = []
        var totals: [String: (n: Int, sum: Double)] = [:]
        for r in reports {
            for e in r["per_dataset"]?.objectValue?.entries ?? [] {
                if totals[e.key] == nil { order.append(e.key) }
                let n = e.value["records"]?.intValue ?? 0
                let sum = e.value["reward_sum"]?.doubleValue ?? (e.value["mean_reward"]?.doubleValue ?? 0) * Double(n)
                totals[e.key, default: (0, 0)].n += n
                totals[e.key, default: (0, 0)].sum += sum
            }
        }
        return .object(JSONObject(order.sorted().map { k in
            let t = totals[k] ?? (0, 0)
            return .init(key: k, value: VerifyReport.perDatasetEntry(records: t.n, rewardSum: t.sum))
        }))
    }
}

/// What makes a sharded `vote` equal to one run, checked before its shares are joined: one run votes
/// every completion of an id as one group, so no id may have completions in two shares; and it writes
/// the instances that came with a `completions` list as it reads them and the per-completion groups
/// at the end, so no share's list instances may follow an earlier share's groups.
enum VoteShareCheck {
    static func check(_ records: [ShareRecord], folder: String) throws {
        var owner: [String: Int] = [:]
        var groupsBefore = false
        for r in records {
            let where_ = ShareRecord.path(folder: folder, share: r.share)
            if groupsBefore, (r.extra["list_instances"]?.intValue ?? 0) > 0 {
                throw CurationError.io(path: where_, reason: "share \(r.share.index) of \(r.share.count) has instances with a completions list after an earlier share's per-completion groups: one run writes all list instances first; run vote unsharded, or give it one layout")
            }
            let ids = (r.extra["groups"]?.arrayValue ?? []).compactMap(\.stringValue)
            for id in ids {
                if let first = owner[id], first != r.share.index {
                    throw CurationError.io(path: where_, reason: "instance id \"\(id.prefix(80))\" has completions in shares \(first) and \(r.share.index): one run votes them as one group; run vote unsharded, or keep each id's completions together in the input")
                }
                owner[id] = r.share.index
            }
            if !ids.isEmpty { groupsBefore = true }
        }
    }
}
