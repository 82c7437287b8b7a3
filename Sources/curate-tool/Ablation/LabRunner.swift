import Curation
import Foundation
import Mixer

/// Runs an ablation lab: every variant x seed as a recipe run in one run store, each distinct stage
/// computed once (stage outputs are content-addressed, so identical stages of different variants, seeds
/// or labs share one directory), then the metrics, the bootstrap, the claims and the report.
///
/// Resuming: a killed lab re-run with the same file redoes only what had not finished, through the
/// recipe runner's own skipping; the report depends only on stage outputs, never on timings or run
/// ids, so it comes out byte for byte the same.
struct LabRunner {
    var lab: LabFile
    var quick: Bool
    var output: String
    /// Where stage outputs go (content-addressed): `OUTPUT/stages` unless given, and a directory shared
    /// by several labs lets them share their common stages (the base model of a seed).
    var stagesDirectory: String
    var context: StageContext
    var log: (String) -> Void
    var reuseOutputs = false
    var bootstrap = PairedBootstrap.Options()

    /// One planned run: a variant at a seed, with its recipe.
    struct PlannedRun {
        var variant: String
        var seed: UInt64
        var recipePath: String
        var recipe: RunRecipe
        /// Per stage (in run order): name, kind, plan key (equal keys = the same computation).
        var stages: [(name: String, kind: String, key: String, settings: String)]
    }

    /// Writes each variant x seed recipe into `directory` and loads it (a bad override fails here, before
    /// anything runs). Seed-major order: a seed's variants run together, sharing its base stages.
    func plan(recipesDirectory directory: String) throws -> [PlannedRun] {
        let maker = try LabRecipes(lab: lab, quick: quick)
        var out: [PlannedRun] = []
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var sourceHashes: [[String]: String] = [:]
        for seed in maker.seeds {
            for v in lab.variants {
                let text = try maker.recipeText(variant: v, seed: seed)
                let path = (directory as NSString).appendingPathComponent("\(v.name).seed-\(seed).yaml")
                if FileManager.default.contents(atPath: path) != Data(text.utf8) { try AtomicFileWriter.write(text, to: path) }
                let recipe: RunRecipe
                do { recipe = try RunRecipe.load(path: path) } catch {
                    throw LabError.run(variant: v.name, seed: seed, "its recipe \(path) does not load: \(error)")
                }
                var keys: [String: String] = [:]
                for s in recipe.sources {
                    if sourceHashes[s.files] == nil { sourceHashes[s.files] = try ContentHash.files(s.files) }
                    keys[s.name] = sourceHashes[s.files]
                }
                var stages: [(name: String, kind: String, key: String, settings: String)] = []
                for st in recipe.stages {
                    let settings = JSONWriter.string(st.runner.settings)
                    let inputs = st.spec.inputs.map { StageRecord.Input(name: $0.name, kind: "", contentHash: keys[$0.name] ?? "", files: []) }
                    let key = RecipeRunner.fingerprint(kind: st.spec.kind, settings: settings, inputs: inputs)
                    keys[st.spec.name] = key
                    stages.append((st.spec.name, st.spec.kind, key, settings))
                }
                out.append(PlannedRun(variant: v.name, seed: seed, recipePath: path, recipe: recipe, stages: stages))
            }
        }
        return out
    }

    /// The plan as text: runs, stage executions, distinct computations (shared ones counted once), and
    /// an estimate of the time from earlier runs of the same stages in this store.
    func describe(_ plan: [PlannedRun]) throws -> String {
        var distinct: [String: (name: String, kind: String, settings: String, users: Int)] = [:]
        var order: [String] = []
        for r in plan {
            for s in r.stages {
                if distinct[s.key] == nil { order.append(s.key); distinct[s.key] = (s.name, s.kind, s.settings, 0) }
                distinct[s.key]?.users += 1
            }
        }
        let executions = plan.reduce(0) { $0 + $1.stages.count }
        var s = "lab \(lab.lab)\(quick ? " (--quick)" : ""): \(lab.variants.count) variants x \(Set(plan.map(\.seed)).count) seeds = \(plan.count) recipe runs\n"
        s += "stages: \(executions) in all, \(distinct.count) distinct computations (\(executions - distinct.count) shared)\n"
        let timings = try pastTimings()
        var known = 0.0, unknown = 0
        var rows: [[String]] = []
        var byStage: [String: (kind: String, count: Int, shared: Int, seconds: Double?, untimed: Int)] = [:]
        var stageOrder: [String] = []
        for key in order {
            guard let d = distinct[key] else { continue }
            if byStage[d.name] == nil { stageOrder.append(d.name); byStage[d.name] = (d.kind, 0, 0, nil, 0) }
            byStage[d.name]?.count += 1
            if d.users > 1 { byStage[d.name]?.shared += 1 }
            if let t = timings[d.kind + "\u{0}" + d.settings] {
                known += t
                let before = byStage[d.name]?.seconds ?? 0
                byStage[d.name]?.seconds = before + t
            } else {
                unknown += 1
                byStage[d.name]?.untimed += 1
            }
        }
        for name in stageOrder {
            guard let b = byStage[name] else { continue }
            let est = b.seconds.map { String(format: "%.0f s", $0) } ?? "-"
            rows.append([name, b.kind, "\(b.count)", "\(b.shared)", est + (b.untimed > 0 && b.seconds != nil ? " (+\(b.untimed) untimed)" : "")])
        }
        s += TextTable.render(header: ["stage", "kind", "computations", "shared by several runs", "estimated time"], rows: rows, rightAlign: [2, 3])
        if unknown == 0 {
            s += String(format: "estimated time: %.1f min (from earlier runs of the same stages in this store)\n", known / 60)
        } else {
            s += String(format: "estimated time: %.1f min for the %d computations timed in earlier runs; %d never ran in this store (run the lab with --quick first, or once, to time them)\n",
                        known / 60, distinct.count - unknown, unknown)
        }
        return s
    }

    /// kind + settings -> median seconds of the finished (not skipped) stages with them in the store.
    func pastTimings() throws -> [String: Double] {
        let path = RunStore.path(inDirectory: output)
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let store = try RunStore(path: path)
        var all: [String: [Double]] = [:]
        for run in try store.runs() {
            for st in try store.stages(run: run.id) where st.status == .done {
                if let sec = st.seconds { all[st.kind + "\u{0}" + st.settings, default: []].append(sec) }
            }
        }
        return all.mapValues { $0.sorted()[$0.count / 2] }
    }

    struct Outcome {
        var result: AblationTable.Result
        var reportDirectory: String
    }

    /// Runs the plan and writes the report.
    func run() throws -> Outcome {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let plan = try plan(recipesDirectory: (output as NSString).appendingPathComponent("recipes"))
        let labHash = try lab.hash()
        let storePath = RunStore.path(inDirectory: output)
        let labRun = try RunStore(path: storePath).beginLabRun(lab: lab.lab, labHash: labHash, quick: quick, seeds: Array(Set(plan.map(\.seed))).sorted())
        log(try describe(plan))
        let started = Date()
        var finished: [String: [UInt64: LabMetrics.Run]] = [:]
        do {
            for (i, planned) in plan.enumerated() {
                let label = "[run \(i + 1)/\(plan.count)] \(planned.variant), seed \(planned.seed)"
                let elapsed = Date().timeIntervalSince(started)
                let eta = i > 0 ? String(format: ", about %.1f min left", elapsed / Double(i) * Double(plan.count - i) / 60) : ""
                log("\(label) (\(String(format: "%.1f", elapsed / 60)) min elapsed\(eta))")
                var ctx = context
                ctx.seed = planned.recipe.seed
                let runner = RecipeRunner(recipe: planned.recipe, recipePath: planned.recipePath, output: output, context: ctx,
                                          log: { [log] in log("  " + $0) }, reuseOutputs: reuseOutputs, sharedStages: stagesDirectory)
                let result: RecipeRunner.Result
                do { result = try runner.run() } catch { throw LabError.run(variant: planned.variant, seed: planned.seed, "\(error)") }
                let stages = Dictionary(result.stages.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
                finished[planned.variant, default: [:]][planned.seed] = LabMetrics.Run(variant: planned.variant, seed: planned.seed, stages: stages)
            }
            let seeds = Array(Set(plan.map(\.seed))).sorted()
            let variants = lab.variants.map(\.name)
            let runs = try variants.map { v in
                try seeds.map { s in
                    guard let r = finished[v]?[s] else { throw LabError.run(variant: v, seed: s, "no finished run") }
                    return r
                }
            }
            var metrics = LabMetrics(lab: lab, variants: variants, seeds: seeds, runs: runs)
            let table = try metrics.table()
            let earlier = try RunStore(path: storePath).labRuns(lab: lab.lab).filter { $0.labHash != labHash && $0.status == "succeeded" }
            var ablation = AblationTable(lab: lab.lab, labHash: labHash, toolVersion: CurateTool.configuration.version,
                                         settings: settings(plan), metrics: table, claims: lab.claims,
                                         earlierRuns: earlier.map { e in
                                             AblationTable.EarlierRun(labHash: e.labHash + (e.quick ? " (--quick)" : ""),
                                                                      finishedAt: e.finishedAt.map(Self.timestamp) ?? "", verdicts: e.verdicts)
                                         },
                                         options: bootstrap)
            ablation.lab = lab.lab
            let result = try ablation.evaluate()
            try writeReport(result, metrics: &metrics)
            try RunStore(path: storePath).finishLabRun(labRun, status: "succeeded",
                                                       verdicts: Dictionary(result.claims.map { ($0.claim.text, $0.verdict.rawValue) }, uniquingKeysWith: { a, _ in a }))
            return Outcome(result: result, reportDirectory: output)
        } catch {
            try? RunStore(path: storePath).finishLabRun(labRun, status: "failed", verdicts: [:])
            throw error
        }
    }

    /// Every setting of the lab as run: the lab file, the seeds, --quick, threads, and per variant the
    /// settings of each stage it ran.
    func settings(_ plan: [PlannedRun]) -> JSONObject {
        var o = JSONObject()
        o["lab_file"] = lab.document.json(lab.document.root)
        if let base = try? YAMLDocument(path: lab.recipe) { o["recipe"] = base.json(base.root) }
        o["seeds"] = .array(Array(Set(plan.map(\.seed))).sorted().map { .string(String($0)) })
        o["quick"] = .bool(quick)
        o["threads"] = .int(context.threads)
        var variants = JSONObject()
        for v in lab.variants {
            guard let first = plan.first(where: { $0.variant == v.name }) else { continue }
            var stages = JSONObject()
            for s in first.stages {
                stages[s.name] = .object(JSONObject([.init(key: "kind", value: .string(s.kind)),
                                                    .init(key: "settings", value: (try? JSONParser.parse(s.settings)) ?? .string(s.settings))]))
            }
            variants[v.name] = .object(stages)
        }
        o["variants"] = .object(variants)
        return o
    }

    /// report.json, report.md and the SVG charts, each written atomically.
    func writeReport(_ result: AblationTable.Result, metrics: inout LabMetrics) throws {
        for (file, svg) in result.charts { try AtomicFileWriter.write(svg, to: (output as NSString).appendingPathComponent(file)) }
        var md = result.markdown
        if !lab.description.isEmpty || !lab.calibration.isEmpty {
            var head = ""
            if !lab.description.isEmpty { head += lab.description.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
            if !lab.calibration.isEmpty { head += "Calibration (from the lab file): " + lab.calibration.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n" }
            if let cut = md.range(of: "\n\n") { md.insert(contentsOf: "\n\n" + head.dropLast(2), at: cut.lowerBound) }
        }
        if !lab.skippedClaims.isEmpty {
            md += "## Claims not judged\n\nThese compare variants this run left out (`--variants`):\n\n"
            for c in lab.skippedClaims { md += "- \(c.text) (\(c.variant) vs \(c.baseline))\n" }
            md += "\n"
        }
        for name in lab.thinkingPlots {
            guard let a = result.analyses[name] else { continue }
            let x = try metrics.thinkingTokens(metric: name)
            let points = lab.variants.indices.compactMap { v -> SVGChart.Point? in
                guard let s = a.summaries[lab.variants[v].name] else { return nil }
                return SVGChart.Point(x: x[v], y: s.mean, interval: s.ci)
            }.sorted { $0.x < $1.x }
            let file = "thinking-\(AblationTable.Result.chartFile(name).dropFirst("metric-".count))"
            let svg = SVGChart(title: "\(name) against thinking tokens (a point per variant)", xLabel: "mean thinking tokens", yLabel: name)
                .lines([SVGChart.Series(name: name, points: points)])
            try AtomicFileWriter.write(svg, to: (output as NSString).appendingPathComponent(file))
            md += "## \(name) against thinking tokens\n\n| variant | mean thinking tokens | \(name) |\n|---|---|---|\n"
            for (v, variant) in lab.variants.enumerated() {
                md += "| \(variant.name) | \(String(format: "%.1f", x[v])) | \(String(format: "%.4f", a.summaries[variant.name]?.mean ?? .nan)) |\n"
            }
            md += "\n![\(name) against thinking tokens](\(file))\n\n"
        }
        if quick { md += "**--quick run**: tiny sizes that check the machinery; these numbers say nothing about the science.\n\n" }
        for stage in lab.lossPlots {
            let series = try metrics.lossSeries(stage: stage)
            guard !series.isEmpty else { continue }
            let file = "loss-\(AblationTable.Result.chartFile(stage).dropFirst("metric-".count))"
            let svg = SVGChart(title: "\(stage): loss per step (mean over seeds)", xLabel: "step", yLabel: "loss").lines(series)
            try AtomicFileWriter.write(svg, to: (output as NSString).appendingPathComponent(file))
            md += "## Loss: \(stage)\n\n![loss \(stage)](\(file))\n\n"
        }
        try AtomicFileWriter.write(md, to: (output as NSString).appendingPathComponent("report.md"))
        try AtomicFileWriter.write(PrettyJSON.string(result.json) + "\n", to: (output as NSString).appendingPathComponent("report.json"))
    }

    static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
