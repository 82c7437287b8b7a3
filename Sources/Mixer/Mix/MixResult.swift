import Curation

/// What a mix wrote and how it went: the manifest, the stage report (with the per-source table and
/// realised proportions next to the asked ones), and the shuffle's spill statistics.
public struct MixResult: Sendable {
    public var manifest: Manifest
    public var report: StageReport
    public var sources: [SourceSummary]
    public var seed: UInt64
    public var tokenCounter: String
    public var runsSpilled: Int
    public var bytesSpilled: Int
    public var memoryLimit: Int

    /// Records written, copies included (the manifest's count).
    public var recordsWritten: Int { manifest.records }

    func withReportSections() -> MixResult {
        var r = self
        let takenTokens = sources.reduce(0) { $0 + $1.takenTokens }
        let takenRecords = sources.reduce(0) { $0 + $1.takenRecords }
        let asked = sources.reduce(0.0) { $0 + $1.askedTokens }
        func ratio(_ a: Double, _ b: Double) -> JSONValue { .double(b > 0 ? (a / b * 1e4).rounded() / 1e4 : 0) }
        var rows: [JSONValue] = []
        for s in sources {
            var o = JSONObject()
            o["name"] = .string(s.name)
            o["amount"] = .object(JSONObject([.init(key: s.amount.unit, value: s.amount.unit == "count" || s.amount.unit == "tokens" ? .int(Int(s.amount.value)) : .double(s.amount.value))]))
            o["files"] = .int(s.files.count)
            o["records_read"] = .int(s.recordsRead + s.rejected)
            o["rejected"] = .int(s.rejected)
            o["filtered"] = .object(JSONObject(s.filtered.keys.sorted().map { .init(key: $0, value: .int(s.filtered[$0] ?? 0)) }))
            o["duplicates"] = .int(s.duplicates)
            o["available_records"] = .int(s.availableRecords)
            o["available_tokens"] = .int(s.availableTokens)
            o["target"] = .double((s.target * 1000).rounded() / 1000)
            o["target_unit"] = .string(s.amount.unit == "tokens" || s.amount.unit == "share" ? "tokens" : "records")
            o["taken_records"] = .int(s.takenRecords)
            o["taken_distinct"] = .int(s.takenDistinct)
            o["repeated"] = .int(s.repeated)
            o["taken_tokens"] = .int(s.takenTokens)
            o["not_sampled"] = .int(s.notSampled)
            o["asked_share_tokens"] = ratio(s.askedTokens, asked)
            o["realised_share_tokens"] = ratio(Double(s.takenTokens), Double(takenTokens))
            o["realised_share_records"] = ratio(Double(s.takenRecords), Double(takenRecords))
            rows.append(.object(o))
        }
        r.report.extra["records_written"] = .int(manifest.records)
        r.report.extra["extra_copies"] = .int(manifest.records - r.report.recordsOut)
        r.report.extra["tokens_written"] = .int(takenTokens)
        r.report.extra["sources"] = .array(rows)
        r.report.extra["shuffle"] = .object(JSONObject([
            .init(key: "memory_limit", value: .int(memoryLimit)), .init(key: "runs_spilled", value: .int(runsSpilled)),
            .init(key: "bytes_spilled", value: .int(bytesSpilled))]))
        r.report.extra["shards"] = .int(manifest.shards.count)
        r.report.settings["seed"] = .string(String(seed))
        r.report.settings["token_counter"] = .string(tokenCounter)
        return r
    }

    /// The per-source table for stderr.
    public func sourceTable() -> String {
        let takenTokens = sources.reduce(0) { $0 + $1.takenTokens }
        let asked = sources.reduce(0.0) { $0 + $1.askedTokens }
        func pct(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%.1f%%", 100 * a / b) : "-" }
        let rows = sources.map { s in
            [s.name, s.amount.description, "\(s.availableRecords)", "\(s.availableTokens)", "\(s.takenRecords)", "\(s.repeated)",
             "\(s.takenTokens)", pct(s.askedTokens, asked), pct(Double(s.takenTokens), Double(takenTokens))]
        }
        return TextTable.render(header: ["source", "amount", "avail rec", "avail tok", "taken", "repeated", "taken tok", "asked", "realised"],
                                rows: rows, rightAlign: [2, 3, 4, 5, 6, 7, 8])
    }
}
