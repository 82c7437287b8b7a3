import Curation
import Foundation

/// A scan's report: the stage counts (in = kept + removed + rejected), the settings, and the
/// contamination summary; written as JSON, shown as tables, and rendered as Markdown to publish.
public struct ScanReport: Sendable {
    public var stage: StageReport
    public var summary: ContaminationSummary
    /// The shards this report covers (one for a `--shard` run, several after merging; empty: all inputs).
    public var shards: [Int] = []
    public var shardCount: Int?
    /// The manifests of the scan's outputs (kept, then removed), for a share's completion record; not
    /// part of the JSON.
    public var outputs: [Manifest] = []
    /// What the scan read (files, or a share's slices); not part of the JSON.
    public var slices: [String] = []

    public init(stage: StageReport, summary: ContaminationSummary) {
        self.stage = stage
        self.summary = summary
    }

    public var json: JSONValue {
        var s = stage
        if let n = shardCount { s.extra["shard"] = .object(JSONObject(["count": .int(n), "covered": .array(shards.map { .int($0) })])) }
        s.extra["contamination"] = summary.json
        return s.json
    }

    public func write(to path: String) throws {
        try stage.check()
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: path)
    }

    // MARK: - Reading and merging

    /// Reads a report written by `write`.
    public static func load(_ path: String) throws -> ScanReport {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CurationError.io(path: path, reason: "cannot read report: \(error.localizedDescription)")
        }
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch { throw CurationError.invalidArgument("\(path): not JSON: \(error)") }
        return try ScanReport(json: v, file: path)
    }

    /// Reads a report's JSON (`file` names it in errors).
    public init(json v: JSONValue, file path: String) throws {
        guard case .object(let o) = v, o["stage"]?.stringValue == "decontam-scan", let c = o["contamination"] else {
            throw CurationError.invalidArgument("\(path): not a decontam scan report")
        }
        var stage = StageReport(stage: "decontam-scan")
        stage.recordsIn = o["records_in"]?.intValue ?? 0
        stage.recordsOut = o["records_out"]?.intValue ?? 0
        for d in o["dropped"]?.objectValue ?? JSONObject() { stage.dropped[d.key] = d.value.intValue ?? 0 }
        stage.bytesIn = o["bytes_in"]?.intValue ?? 0
        stage.bytesOut = o["bytes_out"]?.intValue ?? 0
        stage.seconds = o["seconds"]?.doubleValue ?? 0
        for s in o["settings"]?.objectValue ?? JSONObject() { stage.settings[s.key] = s.value }
        stage.warnings = (o["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        for key in ["lines_written", "pieces_written", "documents_masked", "no_text"] { if let x = o[key] { stage.extra[key] = x } }
        self.init(stage: stage, summary: try ContaminationSummary(json: c, file: path))
        if let sh = o["shard"] {
            shardCount = sh["count"]?.intValue
            shards = (sh["covered"]?.arrayValue ?? []).compactMap(\.intValue)
        }
    }

    /// Merges reports of `--shard` runs (or any runs with the same settings) exactly: counts add, found
    /// instances union. Refuses reports of other settings or shards given twice.
    public static func merge(_ reports: [ScanReport]) throws -> ScanReport {
        guard var out = reports.first else { throw CurationError.invalidArgument("merge-reports needs at least one report") }
        let settings = out.stage.settings
        var covered = Set(out.shards)
        for r in reports.dropFirst() {
            guard r.stage.settings == settings else {
                let diff = Set(settings.keys).union(r.stage.settings.keys).filter { settings[$0] != r.stage.settings[$0] }.sorted()
                throw CurationError.invalidArgument("reports were made with different settings (\(diff.joined(separator: ", "))): they cannot be merged")
            }
            guard r.shardCount == out.shardCount else { throw CurationError.invalidArgument("reports come from different --shard splits (of \(out.shardCount.map(String.init) ?? "none") and \(r.shardCount.map(String.init) ?? "none"))") }
            for s in r.shards where !covered.insert(s).inserted {
                throw CurationError.invalidArgument("shard \(s) of \(r.shardCount ?? 0) is in two of the reports")
            }
            try out.summary.merge(r.summary)
            out.stage.recordsIn += r.stage.recordsIn
            out.stage.recordsOut += r.stage.recordsOut
            for (k, n) in r.stage.dropped { out.stage.dropped[k, default: 0] += n }
            out.stage.bytesIn += r.stage.bytesIn
            out.stage.bytesOut += r.stage.bytesOut
            out.stage.seconds += r.stage.seconds
            for w in r.stage.warnings where !out.stage.warnings.contains(w) { out.stage.warnings.append(w) }
            for key in ["lines_written", "pieces_written", "documents_masked", "no_text"] where out.stage.extra[key] != nil || r.stage.extra[key] != nil {
                out.stage.extra[key] = .int((out.stage.extra[key]?.intValue ?? 0) + (r.stage.extra[key]?.intValue ?? 0))
            }
        }
        // Count-bearing warnings are rewritten from the merged count, where the first share's stood.
        if let n = out.stage.extra["no_text"]?.intValue, n > 0,
           let policy = out.stage.settings["on_no_text"]?.stringValue.flatMap(NoTextPolicy.init(rawValue:)) {
            let isNoText: (String) -> Bool = { $0.contains("record(s) with no text to scan") }
            if let at = out.stage.warnings.firstIndex(where: isNoText) {
                out.stage.warnings.removeAll(where: isNoText)
                out.stage.warnings.insert(DecontamScan.noTextWarning(n, policy: policy), at: min(at, out.stage.warnings.count))
            }
        }
        out.shards = covered.sorted()
        if let n = out.shardCount, covered.count < n {
            let missing = (0..<n).filter { !covered.contains($0) }
            out.stage.warnings.append("merged \(covered.count) of \(n) shards; missing: \(missing.map(String.init).joined(separator: ", "))")
        }
        try out.stage.check()
        return out
    }

    // MARK: - Tables

    /// The per-source and per-eval-set tables, for stderr.
    public func tables() -> String {
        let sets = summary.evalSets
        var rows: [[String]] = []
        for s in summary.sources {
            rows.append([s.source, "\(s.scanned)", "\(s.contaminated)", Format.percent(s.contaminated, s.scanned)]
                        + sets.map { "\(s.bySet[$0.name] ?? 0)" })
        }
        rows.append(["total", "\(summary.scanned)", "\(summary.contaminated)", Format.percent(summary.contaminated, summary.scanned)]
                    + sets.map { e in "\(summary.sources.reduce(0) { $0 + ($1.bySet[e.name] ?? 0) })" })
        var out = "== train records contaminated, by source and eval set ==\n"
        out += TextTable.render(header: ["source", "scanned", "contaminated", "%"] + sets.map(\.name), rows: rows,
                                rightAlign: Set(1..<(4 + sets.count)))
        out += "\n== eval instances found in the training data ==\n"
        out += TextTable.render(header: ["eval set", "instances", "found", "%"],
                                rows: sets.map { [$0.name, "\($0.instances)", "\($0.found.count)", Format.percent($0.found.count, $0.instances)] },
                                rightAlign: [1, 2, 3])
        return out
    }

    // MARK: - Markdown

    /// A report fit to publish: tool version, settings, eval files with hashes, the tables, examples.
    public func markdown(toolVersion: String) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        func setting(_ k: String) -> String {
            guard let v = stage.settings[k], !v.isNull else { return "none" }
            return v.stringValue ?? JSONWriter.string(v)
        }
        let sets = summary.evalSets
        var md = "# Decontamination report\n\n"
        md += "Produced by `\(toolVersion)` (`decontam scan`).\n\n"
        md += "## Settings\n\n"
        md += "| setting | value |\n|---|---|\n"
        md += "| n-gram length | \(setting("ngram")) |\n"
        md += "| normalisation | \(cell(setting("normalization"))) |\n"
        md += "| n-gram hash | \(cell(NGramSettings.hashDescription)) |\n"
        md += "| rule | \(cell(setting("rule"))) |\n"
        md += "| action | \(setting("action")) |\n"
        md += "| boilerplate cut-off (max eval frequency) | \(setting("max_eval_frequency")) |\n"
        md += "| text scanned | \(cell(setting("fields"))) |\n"
        if let n = shardCount { md += "| shards merged | \(shards.count) of \(n) |\n" }
        md += "\n## Eval sets\n\n| eval set | file | xxh3-128 | read as | instances |\n|---|---|---|---|---:|\n"
        for e in sets { md += "| \(cell(e.name)) | `\(cell(e.path))` | `\(e.fileHash)` | \(cell(e.reading)) | \(e.instances) |\n" }
        md += "\n## Training records contaminated\n\n"
        md += "| source | scanned | contaminated | % |" + sets.map { " \(cell($0.name)) |" }.joined() + "\n"
        md += "|---|---:|---:|---:|" + String(repeating: "---:|", count: sets.count) + "\n"
        for s in summary.sources {
            md += "| `\(cell(s.source))` | \(s.scanned) | \(s.contaminated) | \(Format.percent(s.contaminated, s.scanned)) |"
                + sets.map { " \(s.bySet[$0.name] ?? 0) |" }.joined() + "\n"
        }
        md += "| **total** | \(summary.scanned) | \(summary.contaminated) | \(Format.percent(summary.contaminated, summary.scanned)) |"
            + sets.map { e in " \(summary.sources.reduce(0) { $0 + ($1.bySet[e.name] ?? 0) }) |" }.joined() + "\n"
        md += "\n## Eval instances found in the training data\n\n| eval set | instances | found | % |\n|---|---:|---:|---:|\n"
        for e in sets { md += "| \(cell(e.name)) | \(e.instances) | \(e.found.count) | \(Format.percent(e.found.count, e.instances)) |\n" }
        md += "\n## Records\n\n"
        md += "Records in: \(stage.recordsIn); kept: \(stage.recordsOut); removed: \(stage.droppedTotal)"
        if !stage.dropped.isEmpty { md += " (" + stage.dropped.keys.sorted().map { "\($0): \(stage.dropped[$0] ?? 0)" }.joined(separator: ", ") + ")" }
        md += ".\n"
        md += "\n## Example matches\n"
        for e in sets {
            let list = summary.examples[e.name] ?? []
            md += "\n### \(cell(e.name))\n\n"
            if list.isEmpty { md += "No matches.\n"; continue }
            md += "| train record | source | eval instance | overlap | eval text |\n|---|---|---|---:|---|\n"
            for x in list {
                let preview = x.evalPreview.count > 120 ? String(x.evalPreview.prefix(120)) + "…" : x.evalPreview
                md += "| `\(cell(x.id))` | `\(cell(x.source))` | `\(cell(x.evalID))` | \(String(format: "%.3f", x.overlap)) | \(cell(preview)) |\n"
            }
        }
        if !stage.warnings.isEmpty { md += "\n## Warnings\n\n" + stage.warnings.map { "- \(cell($0))\n" }.joined() }
        return md
    }
}
