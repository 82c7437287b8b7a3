import Foundation

/// An ablation lab's results turned into its report: per metric and variant the mean with a 95%
/// interval, the paired difference to the baseline with its interval and p-value, each claim's
/// verdict, the minimum detectable difference, and the earlier runs of the same lab made with other
/// settings (so a result obtained after changing the lab cannot hide the ones before it).
///
/// Library code with no I/O: `json` is report.json, `markdown(chartFile:)` is report.md, `charts`
/// are the SVG files it links to. The lab runner supplies the scores; the same scores and options
/// always give the same bytes (the bootstrap draws from a fixed seed; numbers are printed with fixed
/// precision; everything is in the order given).
public struct AblationTable: Sendable {
    public struct Metric: Sendable {
        public var name: String
        public var description: String
        public var baseline: String
        public var scores: PairedScores
        /// A proportion in [0, 1] (accuracy, a rate): its minimum detectable difference has a closed form.
        public var isProportion: Bool

        public init(name: String, description: String = "", baseline: String, scores: PairedScores, isProportion: Bool = true) {
            self.name = name
            self.description = description
            self.baseline = baseline
            self.scores = scores
            self.isProportion = isProportion
        }
    }

    /// A finished earlier run of the same lab (by name) whose lab file had another hash.
    public struct EarlierRun: Sendable, Equatable {
        public var labHash: String
        public var finishedAt: String
        /// Claim text -> verdict, as that run's report gave them.
        public var verdicts: [String: String]
        public init(labHash: String, finishedAt: String, verdicts: [String: String]) {
            self.labHash = labHash
            self.finishedAt = finishedAt
            self.verdicts = verdicts
        }
    }

    public var lab: String
    public var labHash: String
    public var toolVersion: String
    /// Every setting of the lab as run (rendered verbatim into report.json).
    public var settings: JSONObject
    public var metrics: [Metric]
    public var claims: [Claim]
    public var earlierRuns: [EarlierRun]
    public var options: PairedBootstrap.Options

    public init(lab: String, labHash: String, toolVersion: String, settings: JSONObject = JSONObject(), metrics: [Metric],
                claims: [Claim] = [], earlierRuns: [EarlierRun] = [], options: PairedBootstrap.Options = .init()) {
        self.lab = lab
        self.labHash = labHash
        self.toolVersion = toolVersion
        self.settings = settings
        self.metrics = metrics
        self.claims = claims
        self.earlierRuns = earlierRuns
        self.options = options
    }

    /// One claim, judged.
    public struct JudgedClaim: Sendable, Equatable {
        public var claim: Claim
        public var difference: PairedBootstrap.Difference
        public var verdict: Claim.Verdict
    }

    /// The analysed table.
    public struct Result: Sendable {
        public var table: AblationTable
        /// Metric name -> the analysis against the metric's baseline.
        public var analyses: [String: PairedBootstrap.Result]
        public var claims: [JudgedClaim]
    }

    /// Runs the bootstrap for every metric (and for every other baseline a claim compares against:
    /// the same draws, since the seed is the same) and judges the claims.
    public func evaluate() throws -> Result {
        var analyses: [String: PairedBootstrap.Result] = [:]
        var byBaseline: [String: PairedBootstrap.Result] = [:]
        let bootstrap = PairedBootstrap(options: options)
        guard Set(metrics.map(\.name)).count == metrics.count else { throw StatisticsError.invalidInput("duplicate metric names") }
        for m in metrics {
            let r = try bootstrap.analyze(m.scores, baseline: m.baseline)
            analyses[m.name] = r
            byBaseline[m.name + "\u{0}" + m.baseline] = r
        }
        var judged: [JudgedClaim] = []
        for c in claims {
            guard let m = metrics.first(where: { $0.name == c.metric }) else {
                throw StatisticsError.invalidInput("claim \"\(c.text)\" names metric \(c.metric), which the lab does not measure")
            }
            for v in [c.variant, c.baseline] where m.scores.index(of: v) == nil {
                throw StatisticsError.invalidInput("claim \"\(c.text)\" names variant \(v), which metric \(m.name) does not have")
            }
            let key = m.name + "\u{0}" + c.baseline
            let r: PairedBootstrap.Result
            if let cached = byBaseline[key] { r = cached } else {
                r = try bootstrap.analyze(m.scores, baseline: c.baseline)
                byBaseline[key] = r
            }
            guard c.variant != c.baseline, let d = r.differences[c.variant] else {
                throw StatisticsError.invalidInput("claim \"\(c.text)\" compares \(c.variant) with itself")
            }
            // One number from one seed has no spread to resample: its interval is a point, which would
            // "support" any claim its point estimate favours. Such a claim cannot be judged.
            let noSpread = m.scores.seeds.count < 2 && m.scores.itemsPerSeed.allSatisfy { $0 < 2 }
            judged.append(JudgedClaim(claim: c, difference: d, verdict: noSpread ? .inconclusive : c.verdict(for: d.ci)))
        }
        return Result(table: self, analyses: analyses, claims: judged)
    }
}

extension AblationTable.Result {
    /// report.json.
    public var json: JSONValue {
        let t = table
        var o = JSONObject()
        o["lab"] = .string(t.lab)
        o["lab_hash"] = .string(t.labHash)
        o["tool_version"] = .string(t.toolVersion)
        o["confidence"] = .double(t.options.confidence)
        o["bootstrap"] = .object(JSONObject(["method": .string("two-level paired (seeds, then items)"),
                                             "resamples": .int(t.options.resamples), "seed": .string(String(t.options.seed))]))
        o["settings"] = .object(t.settings)
        var metrics: [JSONValue] = []
        for m in t.metrics {
            guard let a = analyses[m.name] else { continue }
            var mo = JSONObject()
            mo["name"] = .string(m.name)
            if !m.description.isEmpty { mo["description"] = .string(m.description) }
            mo["baseline"] = .string(m.baseline)
            mo["seeds"] = .array(m.scores.seeds.map { .string(String($0)) })
            var variants: [JSONValue] = []
            for v in m.scores.variants {
                guard let s = a.summaries[v] else { continue }
                var vo = JSONObject()
                vo["variant"] = .string(v)
                vo["mean"] = .double(Self.round(s.mean))
                vo["ci95"] = .array([.double(Self.round(s.ci.lo)), .double(Self.round(s.ci.hi))])
                vo["n_seeds"] = .int(s.nSeeds)
                vo["n_items"] = .int(s.nItems)
                vo["per_seed"] = .array(s.perSeed.map { .double(Self.round($0)) })
                if let d = a.differences[v] {
                    vo["diff"] = .double(Self.round(d.diff))
                    vo["diff_ci95"] = .array([.double(Self.round(d.ci.lo)), .double(Self.round(d.ci.hi))])
                    vo["p_value"] = .double(Self.round(d.pValue))
                    vo["diff_se"] = .double(Self.round(d.standardError))
                }
                variants.append(.object(vo))
            }
            mo["variants"] = .array(variants)
            mo["minimum_detectable_difference"] = mde(m, a).map { .double(Self.round($0)) } ?? .null
            metrics.append(.object(mo))
        }
        o["metrics"] = .array(metrics)
        o["claims"] = .array(claims.map { j in
            .object(JSONObject([
                "text": .string(j.claim.text), "metric": .string(j.claim.metric), "variant": .string(j.claim.variant),
                "baseline": .string(j.claim.baseline), "direction": .string(j.claim.direction.rawValue),
                "margin": .double(j.claim.margin), "diff": .double(Self.round(j.difference.diff)),
                "diff_ci95": .array([.double(Self.round(j.difference.ci.lo)), .double(Self.round(j.difference.ci.hi))]),
                "p_value": .double(Self.round(j.difference.pValue)), "verdict": .string(j.verdict.rawValue),
            ]))
        })
        o["earlier_runs"] = .array(t.earlierRuns.map { e in
            .object(JSONObject([
                "lab_hash": .string(e.labHash), "finished_at": .string(e.finishedAt),
                "verdicts": .object(JSONObject(e.verdicts.keys.sorted().map { .init(key: $0, value: .string(e.verdicts[$0] ?? "")) })),
            ]))
        })
        return .object(o)
    }

    /// The smallest difference the lab could detect for a metric (80% power, 5% two-sided): from the
    /// binomial formula at the baseline's rate for a proportion, else from the comparisons' median
    /// standard error; nil when neither applies.
    func mde(_ m: AblationTable.Metric, _ a: PairedBootstrap.Result) -> Double? {
        if m.isProportion, let base = a.summaries[m.baseline], base.mean > 0, base.mean < 1 {
            let seeds = m.scores.seeds.count
            return DetectableDifference.forAccuracy(rate: base.mean, items: max(1, m.scores.totalItems / seeds), seeds: seeds)
        }
        let ses = a.differences.values.map(\.standardError).sorted()
        guard !ses.isEmpty, m.scores.seeds.count > 1 || m.scores.itemsPerSeed.contains(where: { $0 > 1 }) else { return nil }
        return DetectableDifference.fromStandardError(ses[ses.count / 2])
    }

    /// The SVG chart file for a metric (a bar per variant with its 95% interval).
    public static func chartFile(_ metric: String) -> String {
        let safe = metric.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" }
        return "metric-" + String(safe) + ".svg"
    }

    /// File name -> SVG, one per metric.
    public var charts: [(file: String, svg: String)] {
        table.metrics.compactMap { m in
            guard let a = analyses[m.name] else { return nil }
            let bars = m.scores.variants.compactMap { v in a.summaries[v].map { SVGChart.Bar(label: v, value: $0.mean, interval: $0.ci) } }
            return (Self.chartFile(m.name), SVGChart(title: m.name, yLabel: m.name).bars(bars))
        }
    }

    /// report.md: the claims' verdicts first, then a table per metric with its chart.
    public var markdown: String {
        let t = table
        var s = "# Ablation lab: \(t.lab)\n\n"
        s += "Lab file hash `\(t.labHash)`, curate-tool \(t.toolVersion). Intervals: \(Int((t.options.confidence * 100).rounded()))%, "
        s += "two-level paired bootstrap (seeds, then eval items), \(t.options.resamples) resamples, fixed seed.\n\n"
        if !claims.isEmpty {
            s += "## Claims\n\n| claim | metric | comparison | difference | 95% interval | p | verdict |\n|---|---|---|---|---|---|---|\n"
            for j in claims {
                let c = j.claim
                s += "| \(Self.cell(c.text)) | \(Self.cell(c.metric)) | \(Self.cell(c.variant)) vs \(Self.cell(c.baseline)) (\(c.direction.rawValue), margin \(Self.fmt(c.margin))) "
                s += "| \(Self.signed(j.difference.diff)) | [\(Self.signed(j.difference.ci.lo)), \(Self.signed(j.difference.ci.hi))] | \(Self.fmtP(j.difference.pValue)) | **\(j.verdict.rawValue)** |\n"
            }
            s += "\n"
        }
        for m in t.metrics {
            guard let a = analyses[m.name] else { continue }
            s += "## \(m.name)\n\n"
            if !m.description.isEmpty { s += m.description + "\n\n" }
            s += "| variant | mean | 95% interval | vs \(Self.cell(m.baseline)) | 95% interval | p | per seed |\n|---|---|---|---|---|---|---|\n"
            for v in m.scores.variants {
                guard let sm = a.summaries[v] else { continue }
                s += "| \(Self.cell(v)) | \(Self.fmt(sm.mean)) | [\(Self.fmt(sm.ci.lo)), \(Self.fmt(sm.ci.hi))] | "
                if let d = a.differences[v] {
                    s += "\(Self.signed(d.diff)) | [\(Self.signed(d.ci.lo)), \(Self.signed(d.ci.hi))] | \(Self.fmtP(d.pValue)) | "
                } else {
                    s += "(baseline) | | | "
                }
                s += sm.perSeed.map(Self.fmt).joined(separator: ", ") + " |\n"
            }
            let seeds = m.scores.seeds.count
            s += "\n\(seeds) seeds, \(m.scores.totalItems / max(1, seeds)) items per seed."
            if let d = mde(m, a) { s += " Minimum detectable difference (80% power, 5% two-sided): \(Self.fmt(d))." }
            s += "\n\n![\(m.name)](\(Self.chartFile(m.name)))\n\n"
        }
        if !t.earlierRuns.isEmpty {
            s += "## Earlier runs of this lab with other settings\n\n| lab file hash | finished | verdicts |\n|---|---|---|\n"
            for e in t.earlierRuns {
                let v = e.verdicts.keys.sorted().map { "\(Self.cell($0)): \(e.verdicts[$0] ?? "")" }.joined(separator: "; ")
                s += "| `\(e.labHash)` | \(e.finishedAt) | \(v) |\n"
            }
            s += "\n"
        }
        return s
    }

    static func round(_ v: Double) -> Double { v.isFinite ? (v * 1e6).rounded() / 1e6 : v }
    static func fmt(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : "n/a" }
    static func signed(_ v: Double) -> String { v.isFinite ? String(format: "%+.4f", v) : "n/a" }
    static func fmtP(_ v: Double) -> String { v < 0.0001 ? "<0.0001" : String(format: "%.4f", v) }
    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
