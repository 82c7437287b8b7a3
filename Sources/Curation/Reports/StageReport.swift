import Foundation

/// The accounting every stage keeps (DESIGN.md section 6): records in, out, and dropped by reason,
/// with in = out + dropped checked before the report is written.
public struct StageReport: Sendable {
    public var stage: String
    public var recordsIn = 0
    public var recordsOut = 0
    /// Reason -> count. Rendered sorted by reason, so reports are stable.
    public var dropped: [String: Int] = [:]
    public var bytesIn = 0
    public var bytesOut = 0
    public var seconds = 0.0
    public var settings: [String: JSONValue] = [:]
    public var warnings: [String] = []
    /// Stage-specific sections (tables, histograms), kept in insertion order.
    public var extra = JSONObject()

    public init(stage: String) { self.stage = stage }

    public var droppedTotal: Int { dropped.values.reduce(0, +) }

    public mutating func drop(_ reason: String, count: Int = 1) { dropped[reason, default: 0] += count }

    /// Adds a reader's counts: records read plus lines rejected are the stage's input; rejected lines
    /// are dropped under their reasons; empty files become warnings.
    public mutating func absorb(_ read: ReadCounts) {
        recordsIn += read.records + read.rejected
        for (r, n) in read.rejectedByReason { drop("rejected:\(r)", count: n) }
        bytesIn += read.bytes
        for f in read.emptyFiles { warnings.append("empty input file: \(f)") }
    }

    /// Throws when the counts do not add up.
    public func check() throws {
        if recordsIn != recordsOut + droppedTotal {
            throw CurationError.accountingMismatch(stage: stage, recordsIn: recordsIn, out: recordsOut, dropped: droppedTotal)
        }
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["stage"] = .string(stage)
        o["records_in"] = .int(recordsIn)
        o["records_out"] = .int(recordsOut)
        o["dropped_total"] = .int(droppedTotal)
        o["dropped"] = .object(JSONObject(dropped.keys.sorted().map { .init(key: $0, value: .int(dropped[$0] ?? 0)) }))
        o["bytes_in"] = .int(bytesIn)
        o["bytes_out"] = .int(bytesOut)
        o["seconds"] = .double((seconds * 1000).rounded() / 1000)
        o["mb_per_s"] = .double(seconds > 0 ? (Double(bytesIn) / 1e6 / seconds * 10).rounded() / 10 : 0)
        o["settings"] = .object(JSONObject(settings.keys.sorted().map { .init(key: $0, value: settings[$0] ?? .null) }))
        o["warnings"] = .array(warnings.map { .string($0) })
        for e in extra.entries { o[e.key] = e.value }
        return .object(o)
    }

    /// Checks the counts, then writes the report atomically as pretty JSON.
    public func write(to path: String) throws {
        try check()
        try AtomicFileWriter.write(PrettyJSON.string(json) + "\n", to: path)
    }

    /// The readable table for stderr.
    public func table() -> String {
        var rows: [(String, String)] = [("records in", "\(recordsIn)"), ("records out", "\(recordsOut)")]
        for r in dropped.keys.sorted() { rows.append(("dropped: \(r)", "\(dropped[r] ?? 0)")) }
        rows.append(("bytes in", Format.bytes(bytesIn)))
        if bytesOut > 0 { rows.append(("bytes out", Format.bytes(bytesOut))) }
        rows.append(("time", String(format: "%.2f s", seconds)))
        if seconds > 0 && bytesIn > 0 { rows.append(("rate", String(format: "%.1f MB/s", Double(bytesIn) / 1e6 / seconds))) }
        var out = "== \(stage) ==\n" + TextTable.render(header: nil, rows: rows.map { [$0.0, $0.1] }, rightAlign: [1])
        for w in warnings { out += "warning: \(w)\n" }
        return out
    }
}

/// Plain-text tables for stderr reports.
public enum TextTable {
    public static func render(header: [String]?, rows: [[String]], rightAlign: Set<Int> = []) -> String {
        let all = (header.map { [$0] } ?? []) + rows
        let cols = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: cols)
        for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            var s = ""
            for i in 0..<cols {
                let c = i < r.count ? r[i] : ""
                let pad = String(repeating: " ", count: widths[i] - c.count)
                s += (i > 0 ? "  " : "") + (rightAlign.contains(i) ? pad + c : c + pad)
            }
            while s.hasSuffix(" ") { s.removeLast() }
            return s + "\n"
        }
        var out = ""
        if let h = header {
            out += line(h)
            out += line(widths.map { String(repeating: "-", count: $0) })
        }
        for r in rows { out += line(r) }
        return out
    }
}

public enum Format {
    public static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if d >= 1e9 { return String(format: "%.2f GB", d / 1e9) }
        if d >= 1e6 { return String(format: "%.2f MB", d / 1e6) }
        if d >= 1e3 { return String(format: "%.1f KB", d / 1e3) }
        return "\(n) B"
    }
    public static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "0.0%" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }
}

/// Indented JSON with keys in stored order (reports people read and diff).
public enum PrettyJSON {
    public static func string(_ v: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch v {
        case .array(let a):
            if a.isEmpty { return "[]" }
            if a.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) && a.count <= 16 {
                return "[" + a.map { JSONWriter.string($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + a.map { pad + string($0, indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let o):
            if o.entries.isEmpty { return "{}" }
            return "{\n" + o.entries.map { pad + JSONWriter.string(.string($0.key)) + ": " + string($0.value, indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + close + "}"
        default: return JSONWriter.string(v)
        }
    }
}
