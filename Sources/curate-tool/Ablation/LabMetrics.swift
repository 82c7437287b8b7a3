import Curation
import Foundation
import Mixer

/// Reads a lab's metrics out of its finished runs: for every variant and seed, the stage outputs the
/// run store recorded. Per-item metrics (eval scores) keep their items in id order so the bootstrap
/// pairs them across variants; every other metric is one number per run.
struct LabMetrics {
    /// One finished run of the lab: its variant, seed and stages by name.
    struct Run {
        var variant: String
        var seed: UInt64
        var stages: [String: StageRecord]
    }

    /// A metric's values for one run: item ids (empty for a per-run number) and scores.
    struct Values {
        var ids: [String]
        var scores: [Double]
        var mean: Double { scores.isEmpty ? .nan : scores.reduce(0, +) / Double(scores.count) }
    }

    var lab: LabFile
    var variants: [String]
    var seeds: [UInt64]
    /// [variant][seed].
    var runs: [[Run]]
    /// Records of files already read, by file list (every variant reads the same eval set).
    private var cache: [[String]: [RawRecord]] = [:]

    init(lab: LabFile, variants: [String], seeds: [UInt64], runs: [[Run]]) {
        self.lab = lab
        self.variants = variants
        self.seeds = seeds
        self.runs = runs
    }

    /// Every metric as paired scores, in the lab's order.
    mutating func table() throws -> [AblationTable.Metric] {
        var values: [String: [[Values]]] = [:]
        var out: [AblationTable.Metric] = []
        for m in lab.metrics {
            var perVariant: [[Values]] = []
            for (v, variantRuns) in runs.enumerated() {
                var perSeed: [Values] = []
                for (s, run) in variantRuns.enumerated() {
                    do { perSeed.append(try value(m, run: run, variant: v, seed: s, earlier: values)) } catch let e as LabError {
                        throw e
                    } catch {
                        throw LabError.metric(m.name, "variant \(run.variant) seed \(run.seed): \(error)")
                    }
                }
                perVariant.append(perSeed)
            }
            // Per-item metrics pair items across variants: the same ids for every variant of a seed.
            for s in seeds.indices {
                let ids = perVariant[0][s].ids
                for v in perVariant.indices where perVariant[v][s].ids != ids {
                    throw LabError.metric(m.name, "seed \(seeds[s]): variant \(variants[v]) was scored on other items than \(variants[0]) "
                        + "(\(perVariant[v][s].ids.count) vs \(ids.count)); every variant must be evaluated on the same items")
                }
            }
            values[m.name] = perVariant
            let scores = try PairedScores(variants: variants, seeds: seeds, scores: perVariant.map { $0.map(\.scores) })
            out.append(AblationTable.Metric(name: m.name, description: m.description, baseline: lab.baseline, scores: scores, isProportion: m.isProportion))
        }
        return out
    }

    private mutating func value(_ m: LabFile.Metric, run: Run, variant v: Int, seed s: Int, earlier: [String: [[Values]]]) throws -> Values {
        func stage(_ name: String) throws -> StageRecord {
            guard let r = run.stages[name], r.status == .done || r.status == .skipped else {
                throw LabError.metric(m.name, "variant \(run.variant) seed \(run.seed): stage \"\(name)\" did not finish in this run")
            }
            return r
        }
        switch m.source {
        case .eval(let name, let field, let filter):
            let st = try stage(name)
            let graded = try records(st.manifestFiles(st.outputDirectory))
            var keep: Set<String>?
            if let filter {
                var ids = Set<String>()
                for r in try records(st.inputs.flatMap(\.files)) {
                    guard let id = try? r.string("id") else { continue }
                    if try filter.matches(r) { ids.insert(id) }
                }
                keep = ids
            }
            var items: [(String, Double)] = []
            for r in graded {
                guard let id = try r.string("id") else { throw LabError.metric(m.name, "stage \(name): a graded record has no id") }
                if let keep, !keep.contains(id) { continue }
                let score: Double
                switch try r.value(field) {
                case .bool(let b)?: score = b ? 1 : 0
                case let value?:
                    guard let d = value.doubleValue, d.isFinite else { throw LabError.metric(m.name, "stage \(name) item \(id): \(field) is not a number") }
                    score = d
                case nil: throw LabError.metric(m.name, "stage \(name) item \(id): no field \(field)")
                }
                items.append((id, score))
            }
            guard !items.isEmpty else {
                throw LabError.metric(m.name, "variant \(run.variant) seed \(run.seed): no eval item of stage \(name) passes the metric's `where`")
            }
            items.sort { $0.0 < $1.0 }
            return Values(ids: items.map(\.0), scores: items.map(\.1))

        case .removed(let from, let by, let filter):
            let f = try stage(from), b = try stage(by)
            var candidates = Set<String>()
            for r in try records(f.manifestFiles(f.outputDirectory)) {
                guard let id = try? r.string("id") else { continue }
                if try filter?.matches(r) ?? true { candidates.insert(id) }
            }
            guard !candidates.isEmpty else {
                throw LabError.metric(m.name, "variant \(run.variant) seed \(run.seed): no record of stage \(from) passes the metric's `where`")
            }
            var read = Set<String>()
            for r in try records(b.inputs.flatMap(\.files)) { if let id = try? r.string("id") { read.insert(id) } }
            let removed = candidates.subtracting(read).count
            return Values(ids: [], scores: [Double(removed) / Double(candidates.count)])

        case .difference(let a, let b):
            guard let va = earlier[a]?[v][s], let vb = earlier[b]?[v][s] else { throw LabError.metric(m.name, "difference of unknown metrics") }
            return Values(ids: [], scores: [va.mean - vb.mean])

        case .report(let name, let field):
            let st = try stage(name)
            let path = (st.outputDirectory as NSString).appendingPathComponent("report.json")
            guard let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse([UInt8](data)) else {
                throw LabError.metric(m.name, "cannot read \(path)")
            }
            var node: JSONValue? = json
            for key in field.split(separator: ".") { node = node?[String(key)] }
            guard let d = node?.doubleValue, d.isFinite else { throw LabError.metric(m.name, "\(path): \(field) is not a number") }
            return Values(ids: [], scores: [d])
        }
    }

    /// Every record of the files (cached: variants read the same inputs).
    mutating func records(_ files: [String]) throws -> [RawRecord] {
        if let c = cache[files] { return c }
        let (recs, _) = try TrainingSupport.readRecords(files)
        cache[files] = recs
        return recs
    }

    /// Per variant, the mean thinking tokens of the first completion over the eval metric's items and seeds.
    mutating func thinkingTokens(metric name: String) throws -> [Double] {
        guard let m = lab.metrics.first(where: { $0.name == name }), case .eval(let stage, _, _) = m.source else { return [] }
        var out: [Double] = []
        for variantRuns in runs {
            var total = 0.0, n = 0
            for run in variantRuns {
                guard let st = run.stages[stage] else { continue }
                for r in try records(st.manifestFiles(st.outputDirectory)) {
                    if let t = try r.value("completion_meta")?.arrayValue?.first?["thinking_tokens"]?.doubleValue { total += t; n += 1 }
                }
            }
            out.append(n > 0 ? total / Double(n) : .nan)
        }
        return out
    }

    /// Mean training (and eval) loss per step over the seeds, per variant, for a training stage.
    mutating func lossSeries(stage: String) throws -> [SVGChart.Series] {
        var series: [SVGChart.Series] = []
        for (v, variantRuns) in runs.enumerated() {
            var train: [Int: [Double]] = [:], eval: [Int: [Double]] = [:]
            for run in variantRuns {
                guard let st = run.stages[stage] else { throw LabError.metric("loss plot", "variant \(run.variant) has no stage \(stage)") }
                for r in try records(st.manifestFiles(st.outputDirectory)) {
                    guard let step = try r.value("step")?.intValue else { continue }
                    if let l = try r.value("loss")?.doubleValue, l.isFinite { train[step, default: []].append(l) }
                    if let l = try r.value("eval_loss")?.doubleValue, l.isFinite { eval[step, default: []].append(l) }
                }
            }
            func points(_ d: [Int: [Double]]) -> [SVGChart.Point] {
                d.keys.sorted().compactMap { k in
                    guard let xs = d[k], xs.count == variantRuns.count else { return nil }
                    return SVGChart.Point(x: Double(k), y: xs.reduce(0, +) / Double(xs.count))
                }
            }
            if !train.isEmpty { series.append(SVGChart.Series(name: variants[v], points: points(train))) }
            if !eval.isEmpty { series.append(SVGChart.Series(name: variants[v] + " (eval)", points: points(eval))) }
        }
        return series
    }
}

/// What goes wrong running a lab, beyond a recipe's own errors.
enum LabError: Error, CustomStringConvertible {
    case metric(String, String)
    case run(variant: String, seed: UInt64, String)

    var description: String {
        switch self {
        case .metric(let name, let why): return "lab metric \(name): \(why)"
        case .run(let v, let s, let why): return "lab run of variant \(v), seed \(s): \(why)"
        }
    }
}
