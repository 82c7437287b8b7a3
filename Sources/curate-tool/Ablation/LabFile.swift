import Curation
import Foundation
import Mixer
import Yams

/// An ablation lab file (`curate-tool ablate LAB.yaml`): a base run recipe, named variants of it, the
/// seeds, the metrics read from each run, and the claims judged from the metrics' intervals.
///
/// ```yaml
/// lab: decontamination
/// recipe: decontamination.recipe.yaml      # a `run` recipe, relative to this file
/// seeds: [1, 2, 3]
/// baseline: label-cleaned                  # the variant every difference is taken against
/// variants:
///   label-cleaned: {inputs: {finetune: [base, label-cleaned]}}
///   dose-32: {bypass: [decontaminated]}
///   dose-1: {bypass: [decontaminated], set: {synth-train: {plant_dose: 1}}}
/// metrics:
///   clean_accuracy: {eval: eval, where: {field: synth.planted_kind, present: false}}
///   inflation: {difference: [planted_accuracy, clean_accuracy]}
///   removed_share: {removed: {from: synth-train, by: finetune}}
///   final_loss: {report: {stage: finetune, field: final_loss}}
/// claims:
///   - {text: "...", metric: inflation, variant: dose-32, baseline: label-cleaned, expect: greater, margin: 0.05}
/// quick: {seeds: [1], set: {synth-eval: {eval_count: 40}}}
/// plots: {loss: [finetune]}
/// ```
///
/// A variant is a set of overrides of the base recipe: `set` (stage -> settings replaced or added),
/// `bypass` (stages left out: whoever reads one reads its first input instead), `inputs` (stage -> a
/// new inputs list) and `sources` (source -> new paths). Every variant is checked by building its recipe
/// for the first seed before anything runs, so a typo fails at once with the file and line.
struct LabFile {
    struct Variant {
        var name: String
        /// Stage -> (setting -> value node) to replace or add.
        var set: [(stage: String, settings: [(key: String, value: Node)])] = []
        var bypass: [String] = []
        var inputs: [(stage: String, inputs: [String])] = []
        var sources: [(source: String, paths: [String])] = []
        var description = ""
        /// Where the variant is written, for errors about its overrides.
        var node: Node? = nil
    }

    /// How a metric's per-run numbers are read.
    enum MetricSource {
        /// Per eval item of an eval stage: its `score` field (1/0 for booleans), for the items whose eval
        /// record (the stage's data input, matched by `id`) passes `where`.
        case eval(stage: String, score: String, filter: FieldPredicate?)
        /// One number per run: the share of the `from` stage's records (those passing `where`) that are
        /// missing from the records the `by` stage read.
        case removed(from: String, by: String, filter: FieldPredicate?)
        /// One number per run: metric a minus metric b (their per-run means).
        case difference(String, String)
        /// One number per run: a field of a stage's report.json (`final_loss`, `accuracy`, a count).
        case report(stage: String, field: String)

        /// Per-item (paired by eval item) rather than one number per run.
        var isPerItem: Bool { if case .eval = self { return true }; return false }
    }

    struct Metric {
        var name: String
        var description: String
        var source: MetricSource
        /// A proportion in [0, 1] (accuracy, a rate): the report gives its closed-form detectable difference.
        var isProportion: Bool
    }

    var path: String
    var document: YAMLDocument
    var lab: String
    var description: String
    var recipe: String
    var seeds: [UInt64]
    var baseline: String
    var variants: [Variant]
    var metrics: [Metric]
    var claims: [Claim]
    /// Applied on top of every variant with `--quick`: smaller counts and steps, to check the machinery.
    var quickSet: [(stage: String, settings: [(key: String, value: Node)])] = []
    var quickSeeds: [UInt64]?
    var calibration = ""
    /// Training stages whose loss curves are plotted per variant.
    var lossPlots: [String] = []
    /// Eval metrics plotted against the mean thinking tokens of their eval stage, a point per variant
    /// (budget sweeps: accuracy against how long the model thought).
    var thinkingPlots: [String] = []
    /// Claims left out because a variant they compare is not run (`ablate --variants`).
    var skippedClaims: [Claim] = []

    static let topKeys: Set<String> = ["lab", "description", "recipe", "seeds", "baseline", "variants", "metrics", "claims", "quick", "calibration", "plots"]
    /// Most variants, seeds and metrics a lab may name: each variant x seed is a recipe run.
    static let maxVariants = 64, maxSeeds = 64, maxMetrics = 64

    static func load(path: String) throws -> LabFile {
        let doc = try YAMLDocument(path: path)
        var lab = LabFile(path: path, document: doc, lab: "", description: "", recipe: "", seeds: [], baseline: "", variants: [], metrics: [], claims: [])
        var claimNodes: Node?
        var metricsNode: Node?
        var thinkingNodes: Node?
        for (key, keyNode, value) in try doc.mapping(doc.root, "", allowed: topKeys) {
            switch key {
            case "lab": lab.lab = try doc.string(value, "lab")
            case "description": lab.description = try doc.string(value, "description")
            case "calibration": lab.calibration = try doc.string(value, "calibration")
            case "recipe":
                lab.recipe = doc.resolvePath(try doc.string(value, "recipe"))
                guard FileManager.default.fileExists(atPath: lab.recipe) else { throw doc.error(value, "recipe", "recipe file not found: \(lab.recipe)") }
            case "seeds": lab.seeds = try seedList(doc, value, "seeds")
            case "baseline": lab.baseline = try doc.string(value, "baseline")
            case "variants":
                for (name, nameNode, spec) in try doc.mapping(value, "variants", allowed: nil) {
                    guard lab.variants.count < maxVariants else { throw doc.error(nameNode, "variants", "more than \(maxVariants) variants") }
                    lab.variants.append(try variant(doc, name: name, node: spec))
                }
            case "metrics": metricsNode = value
            case "claims": claimNodes = value
            case "quick":
                for (k, _, v) in try doc.mapping(value, "quick", allowed: ["seeds", "set"]) {
                    if k == "seeds" { lab.quickSeeds = try seedList(doc, v, "quick seeds") } else { lab.quickSet = try stageSettings(doc, v, "quick set") }
                }
            case "plots":
                for (k, _, v) in try doc.mapping(value, "plots", allowed: ["loss", "thinking"]) {
                    if k == "loss" { lab.lossPlots = try doc.scalarList(v, "plots loss").map(\.0) } else { thinkingNodes = v }
                }
            default: _ = keyNode
            }
        }
        if lab.lab.isEmpty { lab.lab = ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
        guard !lab.recipe.isEmpty else { throw doc.error(doc.root, "", "a lab needs `recipe:` (the base run recipe)") }
        guard !lab.seeds.isEmpty else { throw doc.error(doc.root, "", "a lab needs `seeds:` (e.g. [1, 2, 3])") }
        guard !lab.variants.isEmpty else { throw doc.error(doc.root, "", "a lab needs `variants:`") }
        if lab.baseline.isEmpty { lab.baseline = lab.variants[0].name }
        guard lab.variants.contains(where: { $0.name == lab.baseline }) else {
            throw doc.error(doc.root, "baseline", "baseline \"\(lab.baseline)\" is not one of the variants (\(lab.variants.map(\.name).joined(separator: ", ")))")
        }
        guard let metricsNode else { throw doc.error(doc.root, "", "a lab needs `metrics:`") }
        for (name, nameNode, spec) in try doc.mapping(metricsNode, "metrics", allowed: nil) {
            guard lab.metrics.count < maxMetrics else { throw doc.error(nameNode, "metrics", "more than \(maxMetrics) metrics") }
            lab.metrics.append(try metric(doc, name: name, node: spec, earlier: lab.metrics))
        }
        guard !lab.metrics.isEmpty else { throw doc.error(metricsNode, "metrics", "a lab needs at least one metric") }
        if let thinkingNodes {
            for (name, node) in try doc.scalarList(thinkingNodes, "plots thinking") {
                guard let m = lab.metrics.first(where: { $0.name == name }), case .eval = m.source else {
                    throw doc.error(node, "plots thinking", "\"\(name)\" is not an eval metric of this lab")
                }
                lab.thinkingPlots.append(name)
            }
        }
        if let claimNodes {
            for (i, node) in try doc.sequence(claimNodes, "claims").enumerated() {
                lab.claims.append(try claim(doc, node, entry: "claims[\(i)]", lab: lab))
            }
        }
        return lab
    }

    static func seedList(_ doc: YAMLDocument, _ node: Node, _ entry: String) throws -> [UInt64] {
        let seeds = try doc.sequence(node, entry).map { try doc.seed($0, entry) }
        guard !seeds.isEmpty else { throw doc.error(node, entry, "the seed list is empty") }
        guard seeds.count <= maxSeeds else { throw doc.error(node, entry, "more than \(maxSeeds) seeds") }
        guard Set(seeds).count == seeds.count else { throw doc.error(node, entry, "a seed is listed twice") }
        return seeds
    }

    /// `stage: {key: value, ...}` pairs, kept as nodes (any YAML value a stage setting takes).
    static func stageSettings(_ doc: YAMLDocument, _ node: Node, _ entry: String) throws -> [(stage: String, settings: [(key: String, value: Node)])] {
        try doc.mapping(node, entry, allowed: nil).map { stage, _, settings in
            let pairs = try doc.mapping(settings, "\(entry) \(stage)", allowed: nil).map { (key: $0.key, value: $0.value) }
            if let bad = pairs.first(where: { ["name", "kind", "inputs"].contains($0.key) }) {
                throw doc.error(bad.value, "\(entry) \(stage)", "`set` changes settings; use `inputs:` or `bypass:` for the graph (\(bad.key))")
            }
            return (stage: stage, settings: pairs)
        }
    }

    static func variant(_ doc: YAMLDocument, name: String, node: Node) throws -> Variant {
        let entry = "variants \"\(name)\""
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.count <= 64 else {
            throw doc.error(node, entry, "a variant name must be a plain file name of at most 64 characters")
        }
        var v = Variant(name: name, node: node)
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "null" || s.string == "~" { return v }   // the base recipe as is
        for (key, _, value) in try doc.mapping(node, entry, allowed: ["set", "bypass", "inputs", "sources", "description"]) {
            switch key {
            case "set": v.set = try stageSettings(doc, value, "\(entry) set")
            case "bypass": v.bypass = try doc.scalarList(value, entry).map(\.0)
            case "inputs":
                v.inputs = try doc.mapping(value, "\(entry) inputs", allowed: nil).map { stage, _, list in
                    (stage: stage, inputs: try doc.scalarList(list, "\(entry) inputs \(stage)").map(\.0))
                }
            case "sources":
                v.sources = try doc.mapping(value, "\(entry) sources", allowed: nil).map { source, _, list in
                    (source: source, paths: try doc.scalarList(list, "\(entry) sources \(source)").map { doc.resolvePath($0.0) })
                }
            default: v.description = try doc.string(value, entry)
            }
        }
        return v
    }

    static func metric(_ doc: YAMLDocument, name: String, node: Node, earlier: [Metric]) throws -> Metric {
        let entry = "metrics \"\(name)\""
        guard !name.isEmpty, name.count <= 64 else { throw doc.error(node, entry, "a metric name must be 1-64 characters") }
        if earlier.contains(where: { $0.name == name }) { throw doc.error(node, entry, "two metrics are named \"\(name)\"") }
        let m = try doc.mapping(node, entry, allowed: ["eval", "score", "where", "removed", "difference", "report", "description", "proportion"])
        let kinds = m.map(\.key).filter { ["eval", "removed", "difference", "report"].contains($0) }
        guard kinds.count == 1 else { throw doc.error(node, entry, "a metric needs exactly one of eval, removed, difference, report") }
        var filter: FieldPredicate?
        if let w = m.first(where: { $0.key == "where" })?.value { filter = try FieldFilterSyntax.predicate(doc, w, entry: "\(entry) where") }
        let description = try m.first(where: { $0.key == "description" }).map { try doc.string($0.value, entry) } ?? ""
        let proportion = try m.first(where: { $0.key == "proportion" }).map { try doc.bool($0.value, entry, what: "proportion") }
        let source: MetricSource
        guard let body = m.first(where: { $0.key == kinds[0] })?.value else { throw doc.error(node, entry, "empty metric") }
        switch kinds[0] {
        case "eval":
            let score = try m.first(where: { $0.key == "score" }).map { try doc.string($0.value, entry) } ?? "correct"
            source = .eval(stage: try doc.string(body, entry), score: score, filter: filter)
        case "removed":
            var from = "", by = ""
            for (k, _, v) in try doc.mapping(body, "\(entry) removed", allowed: ["from", "by"]) {
                if k == "from" { from = try doc.string(v, entry) } else { by = try doc.string(v, entry) }
            }
            guard !from.isEmpty, !by.isEmpty else { throw doc.error(body, entry, "removed needs from: STAGE and by: STAGE") }
            source = .removed(from: from, by: by, filter: filter)
        case "difference":
            let pair = try doc.scalarList(body, entry)
            guard pair.count == 2 else { throw doc.error(body, entry, "difference needs two metrics: [a, b] (a - b per run)") }
            for (n, nNode) in pair where !earlier.contains(where: { $0.name == n }) {
                throw doc.error(nNode, entry, "difference of \"\(n)\": name a metric defined above this one")
            }
            source = .difference(pair[0].0, pair[1].0)
        default:
            var stage = "", field = ""
            for (k, _, v) in try doc.mapping(body, "\(entry) report", allowed: ["stage", "field"]) {
                if k == "stage" { stage = try doc.string(v, entry) } else { field = try doc.string(v, entry) }
            }
            guard !stage.isEmpty, !field.isEmpty else { throw doc.error(body, entry, "report needs stage: STAGE and field: FIELD") }
            source = .report(stage: stage, field: field)
        }
        let defaultProportion: Bool
        switch source {
        case .eval, .removed: defaultProportion = true
        case .difference, .report:
            if filter != nil { throw doc.error(node, entry, "`where` applies to eval and removed metrics") }
            defaultProportion = false
        }
        return Metric(name: name, description: description, source: source, isProportion: proportion ?? defaultProportion)
    }

    static func claim(_ doc: YAMLDocument, _ node: Node, entry: String, lab: LabFile) throws -> Claim {
        var text = "", metric = "", variant = "", baseline = lab.baseline, margin = 0.0
        var direction: Claim.Direction?
        for (k, _, v) in try doc.mapping(node, entry, allowed: ["text", "metric", "variant", "baseline", "expect", "margin"]) {
            switch k {
            case "text": text = try doc.string(v, entry)
            case "metric":
                metric = try doc.string(v, entry)
                guard lab.metrics.contains(where: { $0.name == metric }) else { throw doc.error(v, entry, "unknown metric \"\(metric)\"") }
            case "variant", "baseline":
                let name = try doc.string(v, entry)
                guard lab.variants.contains(where: { $0.name == name }) else { throw doc.error(v, entry, "unknown variant \"\(name)\"") }
                if k == "variant" { variant = name } else { baseline = name }
            case "expect":
                let s = try doc.string(v, entry)
                guard let d = Claim.Direction(rawValue: s) else {
                    throw doc.error(v, entry, "expect should be one of \(Claim.Direction.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                direction = d
            default: margin = try doc.double(v, entry, what: "margin")
            }
        }
        guard !metric.isEmpty, !variant.isEmpty, let direction else { throw doc.error(node, entry, "a claim needs metric, variant and expect") }
        guard variant != baseline else { throw doc.error(node, entry, "a claim compares a variant with another (variant = baseline = \(variant))") }
        if text.isEmpty { text = "\(metric): \(variant) \(direction.rawValue) \(baseline)" }
        do { return try Claim(metric: metric, variant: variant, baseline: baseline, direction: direction, margin: margin, text: text) } catch {
            throw doc.error(node, entry, "\(error)")
        }
    }

    /// Keeps only the named variants (and the baseline); claims comparing a left-out variant are set aside.
    mutating func restrict(to names: [String]) throws {
        for n in names where !variants.contains(where: { $0.name == n }) {
            throw CurationError.invalidArgument("--variants: \"\(n)\" is not a variant of \(path) (\(variants.map(\.name).joined(separator: ", ")))")
        }
        let keep = Set(names + [baseline])
        variants = variants.filter { keep.contains($0.name) }
        skippedClaims = claims.filter { !keep.contains($0.variant) || !keep.contains($0.baseline) }
        claims = claims.filter { keep.contains($0.variant) && keep.contains($0.baseline) }
    }

    /// The lab's identity for the run store: its bytes and its base recipe's bytes.
    func hash() throws -> String {
        let lab = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        let recipe = FileManager.default.contents(atPath: self.recipe).map { [UInt8]($0) } ?? []
        return ContentHash.bytes(Array(ContentHash.bytes(lab).utf8) + Array(ContentHash.bytes(recipe).utf8))
    }
}
