/// Reading the report section back and adding shares' statistics: a vote run as N shares reports the
/// same section as one run (the percentages are recomputed from the summed counts).
extension VoteStatistics {
    public init(json v: JSONValue) {
        self.init()
        instances = v["instances_in"]?.intValue ?? 0
        kept = v["instances_kept"]?.intValue ?? 0
        for r in VoteDropReason.allCases {
            if let n = v["instances_dropped"]?[r.rawValue]?.intValue, n > 0 { dropped[r] = n }
        }
        completions = v["completions_in"]?.intValue ?? 0
        answered = v["completions_answered"]?.intValue ?? 0
        completionsKept = v["completions_kept"]?.intValue ?? 0
        for i in 0...10 { agreementHistogram[i] = v["agreement_histogram"]?[Self.binLabel(i)]?.intValue ?? 0 }
        for e in v["rules"]?.objectValue?.entries ?? [] { rules[e.key] = e.value.intValue ?? 0 }
        for e in v["per_source"]?.objectValue?.entries ?? [] {
            var s = PerSource()
            s.instances = e.value["instances"]?.intValue ?? 0
            s.kept = e.value["kept"]?.intValue ?? 0
            for r in VoteDropReason.allCases {
                if let n = e.value[r.rawValue]?.intValue, n > 0 { s.dropped[r] = n }
            }
            perSource[e.key] = s
        }
    }

    /// Adds another share's statistics.
    public mutating func add(_ o: VoteStatistics) {
        instances += o.instances
        kept += o.kept
        for (r, n) in o.dropped { dropped[r, default: 0] += n }
        completions += o.completions
        answered += o.answered
        completionsKept += o.completionsKept
        for i in agreementHistogram.indices where i < o.agreementHistogram.count { agreementHistogram[i] += o.agreementHistogram[i] }
        for (k, n) in o.rules { rules[k, default: 0] += n }
        for (k, s) in o.perSource {
            var t = perSource[k] ?? PerSource()
            t.instances += s.instances
            t.kept += s.kept
            for (r, n) in s.dropped { t.dropped[r, default: 0] += n }
            perSource[k] = t
        }
    }
}
