import Foundation

extension StageReport {
    /// Reads a report back from its JSON (a share's record): counts, settings, warnings, and every
    /// other key as `extra` in its order.
    public init(json: JSONValue) throws {
        guard let o = json.objectValue, let stage = o["stage"]?.stringValue else {
            throw CurationError.invalidArgument("not a stage report: no \"stage\"")
        }
        self.init(stage: stage)
        recordsIn = o["records_in"]?.intValue ?? 0
        recordsOut = o["records_out"]?.intValue ?? 0
        for e in o["dropped"]?.objectValue?.entries ?? [] { dropped[e.key] = e.value.intValue ?? 0 }
        bytesIn = o["bytes_in"]?.intValue ?? 0
        bytesOut = o["bytes_out"]?.intValue ?? 0
        seconds = o["seconds"]?.doubleValue ?? 0
        for e in o["settings"]?.objectValue?.entries ?? [] { settings[e.key] = e.value }
        warnings = (o["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        let known: Set<String> = ["stage", "records_in", "records_out", "dropped_total", "dropped", "bytes_in", "bytes_out",
                                  "seconds", "mb_per_s", "settings", "warnings"]
        for e in o.entries where !known.contains(e.key) { extra[e.key] = e.value }
    }

    /// The report of a stage run as shares, from the shares' reports in share order: counts and
    /// bytes add, the slowest share's time is the stage's, settings are share 0's without `shard`,
    /// warnings are kept once each in order, and each `extra` key merges by `mergeExtra` (whole
    /// numbers add, objects merge key by key, other equal values stay, arrays concatenate).
    public static func merged(_ reports: [StageReport]) throws -> StageReport {
        guard let first = reports.first else { throw CurationError.invalidArgument("no share reports to merge") }
        var m = StageReport(stage: first.stage)
        var seenWarnings = Set<String>()
        for r in reports {
            guard r.stage == first.stage else { throw CurationError.invalidArgument("share reports of different stages (\(first.stage), \(r.stage))") }
            m.recordsIn += r.recordsIn
            m.recordsOut += r.recordsOut
            for (k, v) in r.dropped { m.dropped[k, default: 0] += v }
            m.bytesIn += r.bytesIn
            m.bytesOut += r.bytesOut
            m.seconds = max(m.seconds, r.seconds)
            for w in r.warnings where seenWarnings.insert(w).inserted { m.warnings.append(w) }
        }
        m.settings = first.settings
        m.settings["shard"] = nil
        var keys: [String] = []
        for r in reports { for k in r.extra.keys where !keys.contains(k) { keys.append(k) } }
        for k in keys {
            let values = reports.compactMap { $0.extra[k] }
            m.extra[k] = mergeExtra(values)
        }
        try m.check()
        return m
    }

    /// Merges one `extra` value across shares (see `merged`). Objects merge key by key even when every
    /// share's is the same: they hold counts (`rules`, `per_source`, a backend's requests), and equal
    /// shares of a uniform input have equal counts, which add like any others.
    public static func mergeExtra(_ values: [JSONValue]) -> JSONValue {
        guard let first = values.first else { return .null }
        if values.allSatisfy({ $0.intValue != nil && !$0.isDoubleText }) { return .int(values.reduce(0) { $0 + ($1.intValue ?? 0) }) }
        if values.allSatisfy({ $0.objectValue != nil }) {
            var keys: [String] = []
            for v in values { for k in v.objectValue?.keys ?? [] where !keys.contains(k) { keys.append(k) } }
            var o = JSONObject()
            for k in keys { o[k] = mergeExtra(values.compactMap { $0.objectValue?[k] }) }
            return .object(o)
        }
        if values.allSatisfy({ $0 == first }) { return first }
        if values.allSatisfy({ $0.arrayValue != nil }) { return .array(values.flatMap { $0.arrayValue ?? [] }) }
        return first
    }
}

extension JSONValue {
    /// A number written with a fraction or exponent (`1.0`, `2e3`): a measurement, not a count.
    var isDoubleText: Bool {
        if case .number(let n) = self { return n.contains(".") || n.contains("e") || n.contains("E") }
        return false
    }
}
