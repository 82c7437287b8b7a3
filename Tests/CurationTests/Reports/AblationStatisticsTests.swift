import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Curation

/// Scores for `variants` x `seeds` x `items`, each item correct with the variant's probability
/// (plus a per-item difficulty shared by all variants, so pairing matters).
private func simulated(rates: [String: Double], seeds: Int, items: Int, seed: UInt64, order: [String]) throws -> PairedScores {
    var rng = SeededRandom(seed: seed)
    var table = [[[Double]]](repeating: [], count: order.count)
    for _ in 0..<seeds {
        let difficulty = (0..<items).map { _ in rng.unitDouble() - 0.5 }
        for (v, name) in order.enumerated() {
            let p = rates[name] ?? 0
            table[v].append(difficulty.map { d in rng.unitDouble() < min(1, max(0, p - 0.4 * d)) ? 1 : 0 })
        }
    }
    return try PairedScores(variants: order, seeds: (0..<seeds).map { UInt64($0 + 1) }, scores: table)
}

@Suite struct AblationStatisticsTests {
    @Test func identicalVariantsHaveAZeroDifference() throws {
        let base = try simulated(rates: ["a": 0.5], seeds: 3, items: 200, seed: 1, order: ["a"])
        let scores = try PairedScores(variants: ["a", "b"], seeds: base.seeds, scores: [base.scores[0], base.scores[0]])
        let r = try PairedBootstrap(options: .init(resamples: 1000)).analyze(scores, baseline: "a")
        let d = try #require(r.differences["b"])
        #expect(d.diff == 0 && d.ci.lo == 0 && d.ci.hi == 0)
        #expect(d.pValue == 1)
        #expect(r.differences["a"] == nil)
        let claim = try Claim(metric: "acc", variant: "b", baseline: "a", direction: .equivalent, margin: 0.01)
        #expect(claim.verdict(for: d.ci) == .supported)
    }

    @Test func aLargeEffectIsSignificantAndSupportsItsClaim() throws {
        let s = try simulated(rates: ["base": 0.3, "better": 0.6], seeds: 3, items: 500, seed: 7, order: ["base", "better"])
        let r = try PairedBootstrap(options: .init(resamples: 2000)).analyze(s, baseline: "base")
        let d = try #require(r.differences["better"])
        #expect(abs(d.diff - 0.3) < 0.06)
        #expect(d.ci.lo > 0.15 && d.ci.contains(d.diff))
        #expect(d.pValue < 0.01)
        #expect(try Claim(metric: "acc", variant: "better", baseline: "base", direction: .greater, margin: 0.05).verdict(for: d.ci) == .supported)
        #expect(try Claim(metric: "acc", variant: "better", baseline: "base", direction: .less, margin: 0).verdict(for: d.ci) == .contradicted)
        let sb = try #require(r.summaries["base"])
        #expect(sb.nSeeds == 3 && sb.nItems == 1500 && sb.perSeed.count == 3)
        #expect(sb.ci.contains(sb.mean))
    }

    @Test func pairingNarrowsTheDifferenceInterval() throws {
        // The variant answers like the baseline except on 5% of items: its own interval is as wide as the
        // baseline's, but the paired difference's interval is far narrower.
        let base = try simulated(rates: ["a": 0.5], seeds: 3, items: 400, seed: 3, order: ["a"])
        var rng = SeededRandom(seed: 11)
        let flipped = base.scores[0].map { items in items.map { rng.unitDouble() < 0.05 ? 1 - $0 : $0 } }
        let s = try PairedScores(variants: ["a", "b"], seeds: base.seeds, scores: [base.scores[0], flipped])
        let r = try PairedBootstrap(options: .init(resamples: 2000)).analyze(s, baseline: "a")
        let own = try #require(r.summaries["b"]).ci.width, diff = try #require(r.differences["b"]).ci.width
        #expect(diff < own / 2, "paired difference width \(diff) vs the variant's own \(own)")
    }

    @Test func theSameScoresGiveTheSameReport() throws {
        let s = try simulated(rates: ["a": 0.4, "b": 0.45], seeds: 3, items: 100, seed: 5, order: ["a", "b"])
        let one = try PairedBootstrap(options: .init(resamples: 500)).analyze(s, baseline: "a")
        let two = try PairedBootstrap(options: .init(resamples: 500)).analyze(s, baseline: "a")
        #expect(one == two)
        let other = try PairedBootstrap(options: .init(resamples: 500, seed: 99)).analyze(s, baseline: "a")
        #expect(other.differences["b"]?.ci != one.differences["b"]?.ci)
    }

    @Test func intervalsCoverTheTruthAtAboutTheirLevel() throws {
        // 120 labs whose variant has a true rate of 0.5 and no seed effect: the 95% interval of the mean
        // contains 0.5 in roughly 95% of them (a loose band: 120 trials, binomial noise).
        var covered = 0
        let trials = 120
        for t in 0..<trials {
            var rng = SeededRandom(seed: UInt64(1000 + t))
            let table = (0..<3).map { _ in (0..<150).map { _ in rng.unitDouble() < 0.5 ? 1.0 : 0.0 } }
            let s = try PairedScores(variants: ["v"], seeds: [1, 2, 3], scores: [table])
            let r = try PairedBootstrap(options: .init(resamples: 400, seed: UInt64(t))).analyze(s, baseline: "v")
            if try #require(r.summaries["v"]).ci.contains(0.5) { covered += 1 }
        }
        #expect(covered >= 104 && covered <= 120, "covered \(covered) of \(trials)")
    }

    @Test func perRunMetricsResampleSeedsOnly() throws {
        let s = try PairedScores(variants: ["a", "b"], seeds: [1, 2, 3], scores: [[[0.10], [0.12], [0.11]], [[0.20], [0.22], [0.21]]])
        let r = try PairedBootstrap(options: .init(resamples: 500)).analyze(s, baseline: "a")
        let d = try #require(r.differences["b"])
        #expect(abs(d.diff - 0.10) < 1e-12)
        #expect(abs(d.ci.lo - 0.10) < 1e-9 && abs(d.ci.hi - 0.10) < 1e-9)
        let a = try #require(r.summaries["a"])
        #expect(a.ci.lo >= 0.10 - 1e-12 && a.ci.hi <= 0.12 + 1e-12)
    }

    @Test func verdictsReadTheWholeInterval() throws {
        typealias I = PairedBootstrap.Interval
        let noWorse = try Claim(metric: "m", variant: "v", baseline: "b", direction: .noWorse, margin: 0.02)
        #expect(noWorse.verdict(for: I(-0.01, 0.03)) == .supported)
        #expect(noWorse.verdict(for: I(-0.03, 0.01)) == .inconclusive)
        #expect(noWorse.verdict(for: I(-0.08, -0.03)) == .contradicted)
        let greater = try Claim(metric: "m", variant: "v", baseline: "b", direction: .greater, margin: 0)
        #expect(greater.verdict(for: I(0.001, 0.2)) == .supported)
        #expect(greater.verdict(for: I(-0.01, 0.2)) == .inconclusive)
        #expect(greater.verdict(for: I(-0.2, -0.01)) == .contradicted)
        let noBetter = try Claim(metric: "m", variant: "v", baseline: "b", direction: .noBetter, margin: 0.05)
        #expect(noBetter.verdict(for: I(0.0, 0.04)) == .supported)
        #expect(noBetter.verdict(for: I(0.06, 0.1)) == .contradicted)
        let eq = try Claim(metric: "m", variant: "v", baseline: "b", direction: .equivalent, margin: 0.05)
        #expect(eq.verdict(for: I(-0.04, 0.04)) == .supported)
        #expect(eq.verdict(for: I(-0.04, 0.06)) == .inconclusive)
        #expect(eq.verdict(for: I(0.06, 0.09)) == .contradicted)
        #expect(throws: StatisticsError.self) { try Claim(metric: "m", variant: "v", baseline: "b", direction: .equivalent, margin: 0) }
        #expect(throws: StatisticsError.self) { try Claim(metric: "m", variant: "v", baseline: "b", direction: .greater, margin: -1) }
    }

    @Test func badShapesAreErrorsNotTraps() throws {
        #expect(throws: StatisticsError.self) { try PairedScores(variants: ["a", "b"], seeds: [1], scores: [[[1, 0]], [[1]]]) }
        #expect(throws: StatisticsError.self) { try PairedScores(variants: ["a"], seeds: [1, 2], scores: [[[1]]]) }
        #expect(throws: StatisticsError.self) { try PairedScores(variants: ["a"], seeds: [1], scores: [[[]]]) }
        #expect(throws: StatisticsError.self) { try PairedScores(variants: ["a"], seeds: [1], scores: [[[.nan]]]) }
        #expect(throws: StatisticsError.self) { try PairedScores(variants: ["a", "a"], seeds: [1], scores: [[[1]], [[1]]]) }
        let s = try PairedScores(variants: ["a"], seeds: [1], scores: [[[1, 0]]])
        #expect(throws: StatisticsError.self) { try PairedBootstrap().analyze(s, baseline: "zzz") }
        #expect(throws: StatisticsError.self) { try PairedBootstrap(options: .init(resamples: 5)).analyze(s, baseline: "a") }
    }

    @Test func minimumDetectableDifference() {
        #expect(abs(DetectableDifference.normalQuantile(0.975) - 1.959964) < 1e-6)
        #expect(abs(DetectableDifference.normalQuantile(0.8) - 0.841621) < 1e-6)
        #expect(abs(DetectableDifference.normalQuantile(0.001) + 3.090232) < 1e-6)
        let mde = DetectableDifference.forAccuracy(rate: 0.5, items: 500, seeds: 3)
        #expect(abs(mde - 2.801585 * (0.5 / 1500).squareRoot()) < 1e-5)
        // More items or seeds detect smaller differences; pairing (correlated answers) too.
        #expect(DetectableDifference.forAccuracy(rate: 0.5, items: 2000, seeds: 3) < mde)
        #expect(DetectableDifference.forAccuracy(rate: 0.5, items: 500, seeds: 3, itemCorrelation: 0.5) < mde)
        #expect(DetectableDifference.forAccuracy(rate: 0, items: 500, seeds: 3).isNaN)
    }
}

@Suite struct SVGChartTests {
    private func elements(_ svg: String) throws -> [String: Int] {
        final class Counter: NSObject, XMLParserDelegate {
            var counts: [String: Int] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                counts[name, default: 0] += 1
            }
        }
        let parser = XMLParser(data: Data(svg.utf8)), counter = Counter()
        parser.delegate = counter
        #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return counter.counts
    }

    @Test func barsAreWellFormedWithOneRectPerBar() throws {
        let chart = SVGChart(title: "accuracy <planted & clean>", yLabel: "accuracy")
        let svg = chart.bars([
            .init(label: "baseline", value: 0.41, interval: .init(0.38, 0.44)),
            .init(label: "dose \"32\"", value: 0.63, interval: .init(0.59, 0.67)),
            .init(label: "broken", value: .nan),
        ])
        let counts = try elements(svg)
        // Background + two bars (the NaN bar is left out).
        #expect(counts["rect"] == 3)
        #expect(svg.contains("accuracy &lt;planted &amp; clean&gt;"))
        #expect(svg.contains("dose &quot;32&quot;"))
        #expect(!svg.contains("nan"))
        #expect(chart.bars([]) == chart.bars([]))
    }

    @Test func linesHaveAPolylinePerSeriesAndALegend() throws {
        let svg = SVGChart(title: "budget", xLabel: "thinking tokens", yLabel: "accuracy").lines([
            .init(name: "s1", points: [.init(x: 256, y: 0.3, interval: .init(0.25, 0.35)), .init(x: 512, y: 0.4), .init(x: 1024, y: 0.45)]),
            .init(name: "no wait", points: [.init(x: 256, y: 0.28), .init(x: .infinity, y: 0.5), .init(x: 1024, y: 0.33)]),
        ])
        let counts = try elements(svg)
        #expect(counts["polyline"] == 2)
        #expect(counts["circle"] == 5)
        #expect(svg.contains(">no wait<"))
    }

    @Test func niceRangesCoverTheirValues() {
        let (lo, hi) = SVGChart.niceRange([0.13, 0.87])
        #expect(lo <= 0.13 && hi >= 0.87 && lo >= 0 && hi <= 1)
        let (a, b) = SVGChart.niceRange([5, 5])
        #expect(a < 5 && b > 5)
        #expect(SVGChart.niceRange([]) == (0, 1))
    }
}

@Suite struct AblationTableTests {
    private func table(earlier: [AblationTable.EarlierRun] = []) throws -> AblationTable {
        var rng = SeededRandom(seed: 42)
        let rates = ["clean": 0.35, "dose-32": 0.7, "decontaminated": 0.36]
        let order = ["clean", "dose-32", "decontaminated"]
        var table = [[[Double]]](repeating: [], count: order.count)
        for _ in 0..<3 {
            for (v, name) in order.enumerated() {
                table[v].append((0..<300).map { _ in rng.unitDouble() < (rates[name] ?? 0) ? 1 : 0 })
            }
        }
        let acc = try PairedScores(variants: order, seeds: [11, 12, 13], scores: table)
        let removed = try PairedScores(variants: order, seeds: [11, 12, 13],
                                       scores: [[[0], [0], [0]], [[0], [0], [0]], [[0.021], [0.019], [0.020]]])
        return AblationTable(
            lab: "decontamination", labHash: "abc123", toolVersion: "0.1.0",
            settings: JSONObject(["seeds": .array([.int(11), .int(12), .int(13)])]),
            metrics: [.init(name: "planted_accuracy", description: "Accuracy on the planted eval items.", baseline: "clean", scores: acc),
                      .init(name: "removed_fraction", baseline: "clean", scores: removed, isProportion: false)],
            claims: [try Claim(metric: "planted_accuracy", variant: "dose-32", baseline: "clean", direction: .greater, margin: 0.05, text: "contamination inflates"),
                     try Claim(metric: "planted_accuracy", variant: "decontaminated", baseline: "clean", direction: .noWorse, margin: 0.1, text: "decontamination removes it"),
                     try Claim(metric: "planted_accuracy", variant: "decontaminated", baseline: "dose-32", direction: .less, margin: 0.1, text: "lower than contaminated")],
            earlierRuns: earlier, options: .init(resamples: 1000))
    }

    @Test func reportCarriesTheFieldsAndVerdicts() throws {
        let r = try table(earlier: [.init(labHash: "old999", finishedAt: "2026-12-01T10:00:00Z", verdicts: ["contamination inflates": "inconclusive"])]).evaluate()
        #expect(r.claims.map(\.verdict) == [.supported, .supported, .supported])
        let json = r.json
        let metrics = try #require(json["metrics"]?.arrayValue)
        let dose = try #require(metrics[0]["variants"]?.arrayValue?.first { $0["variant"]?.stringValue == "dose-32" })
        for key in ["mean", "ci95", "n_seeds", "n_items", "per_seed", "diff", "diff_ci95", "p_value"] { #expect(dose[key] != nil, "\(key)") }
        #expect(dose["n_seeds"]?.intValue == 3 && dose["n_items"]?.intValue == 900)
        #expect(metrics[0]["minimum_detectable_difference"]?.doubleValue ?? 0 > 0.01)
        #expect(json["lab_hash"]?.stringValue == "abc123" && json["tool_version"]?.stringValue == "0.1.0")
        #expect(json["earlier_runs"]?.arrayValue?.first?["lab_hash"]?.stringValue == "old999")
        let md = r.markdown
        #expect(md.contains("| contamination inflates |") && md.contains("**supported**"))
        #expect(md.contains("![planted_accuracy](metric-planted_accuracy.svg)"))
        #expect(md.contains("`old999`"))
        #expect(r.charts.map(\.file) == ["metric-planted_accuracy.svg", "metric-removed_fraction.svg"])
    }

    @Test func sameResultsSameBytes() throws {
        let a = try table().evaluate(), b = try table().evaluate()
        #expect(PrettyJSON.string(a.json) == PrettyJSON.string(b.json))
        #expect(a.markdown == b.markdown)
        #expect(a.charts.map(\.svg) == b.charts.map(\.svg))
    }

    @Test func claimsNamingUnknownMetricsOrVariantsAreErrors() throws {
        var t = try table()
        t.claims = [try Claim(metric: "nope", variant: "dose-32", baseline: "clean", direction: .greater, margin: 0)]
        #expect(throws: StatisticsError.self) { try t.evaluate() }
        t.claims = [try Claim(metric: "planted_accuracy", variant: "ghost", baseline: "clean", direction: .greater, margin: 0)]
        #expect(throws: StatisticsError.self) { try t.evaluate() }
        t.claims = [try Claim(metric: "planted_accuracy", variant: "clean", baseline: "clean", direction: .greater, margin: 0)]
        #expect(throws: StatisticsError.self) { try t.evaluate() }
    }

    /// One seed of a per-run number has no spread: its interval is a point, so a claim on it is never
    /// judged supported or contradicted, whatever the point estimate says.
    @Test func oneSeedOfAPerRunNumberIsInconclusive() throws {
        let scores = try PairedScores(variants: ["clean", "dose-32"], seeds: [7], scores: [[[0.0]], [[0.5]]])
        let t = AblationTable(lab: "one-seed", labHash: "h", toolVersion: "0.1.0",
                              metrics: [.init(name: "inflation", baseline: "clean", scores: scores, isProportion: false)],
                              claims: [try Claim(metric: "inflation", variant: "dose-32", baseline: "clean", direction: .greater, margin: 0.05)],
                              options: .init(resamples: 500))
        let r = try t.evaluate()
        #expect(r.claims.first?.verdict == .inconclusive)
        #expect(r.claims.first?.difference.diff == 0.5)
        // Two seeds give a spread, and a clear difference is judged.
        let two = try PairedScores(variants: ["clean", "dose-32"], seeds: [7, 8], scores: [[[0.0], [0.02]], [[0.5], [0.55]]])
        var t2 = t
        t2.metrics = [.init(name: "inflation", baseline: "clean", scores: two, isProportion: false)]
        #expect(try t2.evaluate().claims.first?.verdict == .supported)
    }
}
