/// Instance-level counts of a vote run, for the report: kept %, reasons, agreement histogram, extraction
/// rules and a per-source breakdown. Record-level counts (in = out + dropped) live in `StageReport`.
public struct VoteStatistics: Sendable {
    public struct PerSource: Sendable {
        public var instances = 0
        public var kept = 0
        public var dropped: [VoteDropReason: Int] = [:]
    }

    public var instances = 0
    public var kept = 0
    public var dropped: [VoteDropReason: Int] = [:]
    public var completions = 0
    public var answered = 0
    public var completionsKept = 0
    /// Instances by agreement: bins [0.0, 0.1), ..., [0.9, 1.0), and exactly 1.0 (index 10).
    public var agreementHistogram = [Int](repeating: 0, count: 11)
    /// Completions by the extraction rule that fired; "none" when no answer was found.
    public var rules: [String: Int] = [:]
    public var perSource: [String: PerSource] = [:]

    public init() {}

    mutating func add(_ t: VoteTally, source: String) {
        instances += 1
        completions += t.total
        answered += t.answered
        completionsKept += t.selected.count
        let bin = t.total == 0 ? 0 : min(10, t.votes * 10 / t.total)
        agreementHistogram[bin] += 1
        for a in t.answers { rules[a?.rule.rawValue ?? "none", default: 0] += 1 }
        var s = perSource[source] ?? PerSource()
        s.instances += 1
        if let r = t.dropReason {
            dropped[r, default: 0] += 1
            s.dropped[r, default: 0] += 1
        } else {
            kept += 1
            s.kept += 1
        }
        perSource[source] = s
    }

    public static func binLabel(_ i: Int) -> String {
        i == 10 ? "1.0" : "[\(Double(i) / 10), \(Double(i + 1) / 10))"
    }

    /// The report section.
    public var json: JSONValue {
        var o = JSONObject()
        o["instances_in"] = .int(instances)
        o["instances_kept"] = .int(kept)
        o["kept_percent"] = .double(instances == 0 ? 0 : (Double(kept) * 1000 / Double(instances)).rounded() / 10)
        o["instances_dropped"] = .object(JSONObject(VoteDropReason.allCases.map { .init(key: $0.rawValue, value: .int(dropped[$0] ?? 0)) }))
        o["completions_in"] = .int(completions)
        o["completions_answered"] = .int(answered)
        o["completions_kept"] = .int(completionsKept)
        o["agreement_histogram"] = .object(JSONObject((0...10).map { .init(key: VoteStatistics.binLabel($0), value: .int(agreementHistogram[$0])) }))
        o["rules"] = .object(JSONObject(rules.keys.sorted().map { .init(key: $0, value: .int(rules[$0] ?? 0)) }))
        o["per_source"] = .object(JSONObject(perSource.keys.sorted().map { k in
            let s = perSource[k] ?? PerSource()
            var e = JSONObject()
            e["instances"] = .int(s.instances)
            e["kept"] = .int(s.kept)
            e["kept_percent"] = .double(s.instances == 0 ? 0 : (Double(s.kept) * 1000 / Double(s.instances)).rounded() / 10)
            for r in VoteDropReason.allCases { e[r.rawValue] = .int(s.dropped[r] ?? 0) }
            return .init(key: k, value: .object(e))
        }))
        return .object(o)
    }

    /// Readable tables for stderr.
    public func table() -> String {
        var rows: [[String]] = [["instances in", "\(instances)"], ["kept", "\(kept) (\(Format.percent(kept, instances)))"]]
        for r in VoteDropReason.allCases { rows.append(["dropped: \(r.rawValue)", "\(dropped[r] ?? 0)"]) }
        rows.append(["completions answered", "\(answered) of \(completions)"])
        var out = TextTable.render(header: nil, rows: rows, rightAlign: [1])
        out += "agreement (majority votes / completions):\n"
        out += TextTable.render(header: ["bin", "instances"], rows: (0...10).map { [VoteStatistics.binLabel($0), "\(agreementHistogram[$0])"] }, rightAlign: [1])
        out += TextTable.render(header: ["source", "instances", "kept", "kept %"] + VoteDropReason.allCases.map(\.rawValue),
                                rows: perSource.keys.sorted().map { k in
                                    let s = perSource[k] ?? PerSource()
                                    return [k, "\(s.instances)", "\(s.kept)", Format.percent(s.kept, s.instances)] + VoteDropReason.allCases.map { "\(s.dropped[$0] ?? 0)" }
                                }, rightAlign: Set(1...(3 + VoteDropReason.allCases.count)))
        return out
    }
}
