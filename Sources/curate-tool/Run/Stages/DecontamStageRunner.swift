import Curation
import Decontam
import Foundation
import Mixer

/// `kind: decontam`: builds (or reuses) an eval index in the stage's directory and scans the inputs.
///
/// Settings: `evals` (a mapping name -> path, or name -> {path, select: FIELD=VALUE, fields: [...]}, or
/// name -> {input: STAGE, select, fields}: the output shards of STAGE, one of the stage's inputs, which is then an
/// eval set and not scanned; required), `ngram` (8), `threshold` (0.5) or `any: true`, `action` (drop|tag|mask),
/// `max_eval_frequency`, `fields` (training-record fields to scan). The eval files' content hashes are part of the
/// settings (an input stage's content hash is part of the fingerprint as every input's is), so a changed eval set
/// re-runs the stage. Removed records go to `removed-*` shards beside the kept `part-*`;
/// `report.md` is the publishable report. Shareable: each task scans a share of the scanned inputs
/// against the index the executor built before the tasks started; the merge joins outputs, matches and
/// reports, and `report.md` is rendered from the merged report.
struct DecontamStageRunner: StageRunner {
    static let kind = "decontam"
    static let shareable = true
    static let settingKeys: Set<String> = Set(["evals", "ngram", "threshold", "any", "action", "max_eval_frequency", "fields"]).union(MixOutputFormat.keys)
    /// The output format keys (`format: parquet`, ...), as a mix's `output:` takes them: the kept `part-*` and
    /// the `removed-*` shards are both written so.
    var outputFormat = MixOutputFormat()

    var sources: [EvalSource] = []
    /// Per source: the file's content hash, or nil for an eval set read from an input stage.
    var fileHashes: [String?] = []
    /// Eval set name -> the input stage whose output is that set.
    var evalInputs: [String: String] = [:]
    var ngram = 8
    var threshold = 0.5
    var any = false
    var action: DecontamAction = .drop
    var maxEvalFrequency: Int?
    var fields: [String]?

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        var sawEvals = false
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "evals":
                sawEvals = true
                for (name, _, v) in try doc.mapping(value, spec.entry, allowed: nil) {
                    var path: String
                    var input: String?
                    var select: EvalSource.Selection?
                    var evalFields: [String]?
                    if v.scalar != nil {
                        path = try doc.string(v, spec.entry)
                    } else {
                        path = ""
                        for (k, _, vv) in try doc.mapping(v, spec.entry, allowed: ["path", "input", "select", "fields"]) {
                            switch k {
                            case "path": path = try doc.string(vv, spec.entry)
                            case "input":
                                let stage = try doc.string(vv, spec.entry)
                                guard spec.inputs.contains(where: { $0.name == stage }) else {
                                    throw doc.error(vv, spec.entry, "eval set \"\(name)\": input \"\(stage)\" is not one of the stage's inputs (\(spec.inputs.map(\.name).joined(separator: ", ")))")
                                }
                                input = stage
                            case "select":
                                let s = try doc.string(vv, spec.entry)
                                guard let eq = s.firstIndex(of: "=") else { throw doc.error(vv, spec.entry, "select should be FIELD=VALUE") }
                                select = .init(field: String(s[..<eq]), value: String(s[s.index(after: eq)...]))
                            case "fields":
                                guard let seq = vv.sequence else { throw doc.error(vv, spec.entry, "fields should be a list") }
                                evalFields = try seq.map { try doc.string($0, spec.entry) }
                            default: break
                            }
                        }
                        if path.isEmpty == (input == nil) { throw doc.error(v, spec.entry, "eval set \"\(name)\" needs exactly one of path or input") }
                    }
                    if let input {
                        if sources.contains(where: { $0.name == name }) { throw doc.error(v, spec.entry, "eval set \"\(name)\" is given twice") }
                        // The files are known when the stage runs; the input's content hash is in the fingerprint.
                        sources.append(EvalSource(name: name, path: input, fields: evalFields, selection: select, files: []))
                        fileHashes.append(nil)
                        evalInputs[name] = input
                        continue
                    }
                    let resolved = doc.resolvePath(path)
                    guard FileManager.default.fileExists(atPath: resolved) else {
                        throw doc.error(v, spec.entry, "eval set \"\(name)\": file not found: \(resolved)")
                    }
                    sources.append(EvalSource(name: name, path: resolved, fields: evalFields, selection: select))
                    fileHashes.append(try EvalIndexStore.hashFile(resolved))
                }
            case "ngram":
                ngram = try doc.integer(value, spec.entry, what: key)
                if ngram < 1 { throw doc.error(value, spec.entry, "ngram should be at least 1") }
            case "threshold":
                threshold = try doc.double(value, spec.entry, what: key)
                if !(threshold > 0 && threshold <= 1) { throw doc.error(value, spec.entry, "threshold should be in (0, 1]") }
            case "any": any = try doc.bool(value, spec.entry, what: key)
            case "action":
                guard let a = DecontamAction(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "action should be drop, tag or mask")
                }
                action = a
            case "max_eval_frequency":
                maxEvalFrequency = try doc.integer(value, spec.entry, what: key)
                if (maxEvalFrequency ?? 0) < 1 { throw doc.error(value, spec.entry, "max_eval_frequency should be at least 1") }
            case "fields":
                guard let seq = value.sequence else { throw doc.error(value, spec.entry, "fields should be a list of field names") }
                fields = try seq.map { try doc.string($0, spec.entry) }
            default: _ = try outputFormat.read(key, value, doc, spec.entry)
            }
        }
        if !sawEvals || sources.isEmpty { throw doc.error(spec.node, spec.entry, "a decontam stage needs evals (name: path, ...)") }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a decontam stage needs at least one input") }
        let evalStages = Set(evalInputs.values)
        if spec.inputs.allSatisfy({ evalStages.contains($0.name) }) {
            throw doc.error(spec.node, spec.entry, "a decontam stage needs an input to scan besides its eval-set inputs (\(evalStages.sorted().joined(separator: ", ")))")
        }
    }

    var settings: JSONValue { outputFormat.settingsAdded(to: coreSettings) }

    var coreSettings: JSONValue {
        .object(JSONObject([
            .init(key: "evals", value: .array(zip(sources, fileHashes).map { s, h in
                if let stage = evalInputs[s.name] {
                    return .object(JSONObject(["name": .string(s.name), "input": .string(stage),
                                               "fields": s.fields.map { .array($0.map { .string($0) }) } ?? .null,
                                               "select": s.selection.map { .string($0.description) } ?? .null]))
                }
                return .object(JSONObject(["name": .string(s.name), "path": .string(s.path), "xxh3_128": .string(h ?? ""),
                                           "select": s.selection.map { .string($0.description) } ?? .null]))
            })),
            .init(key: "ngram", value: .int(ngram)),
            .init(key: "rule", value: .string(any ? "any" : "threshold")),
            .init(key: "threshold", value: .double(threshold)),
            .init(key: "action", value: .string(action.rawValue)),
            .init(key: "max_eval_frequency", value: maxEvalFrequency.map { .int($0) } ?? .null),
            .init(key: "fields", value: fields.map { .array($0.map { .string($0) }) } ?? .null),
        ]))
    }

    var indexSettings: NGramSettings { NGramSettings(n: ngram) }

    static func indexPath(_ output: String) -> String { (output as NSString).appendingPathComponent("evals.index.sqlite") }

    /// Builds (or updates) the eval index in the stage directory. For a stage run as tasks the executor
    /// calls this once before the tasks start (`PreparesShares`): the tasks only read the index.
    func prepareIndex(inputs: [StageInput], output: String) throws {
        let indexPath = Self.indexPath(output)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let settings = indexSettings
        // An index of other settings in the stage directory is from an earlier configuration: start over.
        if FileManager.default.fileExists(atPath: indexPath), (try? EvalIndexStore.settings(path: indexPath)) != settings {
            try FileManager.default.removeItem(atPath: indexPath)
        }
        // Eval sets read from input stages: their output shards; those inputs are not scanned.
        var evalSources = sources
        for i in evalSources.indices {
            guard let stage = evalInputs[evalSources[i].name] else { continue }
            guard let input = inputs.first(where: { $0.name == stage }), !input.files.isEmpty else {
                throw CurationError.invalidArgument("decontam stage: eval set \"\(evalSources[i].name)\": input \"\(stage)\" has no output shards")
            }
            evalSources[i].files = input.files
            evalSources[i].path = input.files.first.map { ($0 as NSString).deletingLastPathComponent } ?? stage
        }
        _ = try EvalIndexStore.build(path: indexPath, settings: settings, sources: evalSources)
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        // A share reads the index its executor built; a whole run builds it.
        if context.share == nil { try prepareIndex(inputs: inputs, output: output) }
        let index = try EvalIndexStore.load(path: Self.indexPath(output), expect: indexSettings, maxEvalFrequency: maxEvalFrequency)
        let evalStages = Set(evalInputs.values)
        // Only the scanned inputs are cut into shares: the eval-set inputs are in the index.
        let scanned = inputs.filter { !evalStages.contains($0.name) }
        var options = ScanOptions(output: output)
        options.threshold = threshold
        options.any = any
        options.action = action
        options.fields = fields
        options.threads = context.threads
        options.shardOptions = outputFormat.applied(to: ShardOptions(prefix: "part", workers: context.threads))
        options.matchesPath = (output as NSString).appendingPathComponent("matches.jsonl")
        options.shard = context.share
        options.plainUnitBytes = try ShareRun.plainUnitBytes()
        let scan = try DecontamScan(index: index, options: options)
        let report = try scan.run(inputs: scanned.flatMap(\.files))
        let reportFile = (output as NSString).appendingPathComponent("decontam.report.json")
        if context.share != nil, let manifest = report.outputs.first {
            // A share: its scan report goes into its share record; the merge writes decontam.report.json, then report.md.
            return StageOutcome(report: report.stage, manifest: manifest, shareOutputs: report.outputs, sideFiles: [ShareRun.absolute(options.matchesPath ?? "")],
                                shareReport: (stage: report.stage.stage, json: report.json, file: reportFile), slices: report.slices)
        }
        try AtomicFileWriter.write(report.markdown(toolVersion: toolVersion),
                                   to: (output as NSString).appendingPathComponent("report.md"))
        try AtomicFileWriter.write(PrettyJSON.string(report.json) + "\n", to: reportFile)
        let manifest = try Manifest.load(Manifest.path(directory: output, prefix: "part"))
        return StageOutcome(report: report.stage, manifest: manifest, summary: report.tables())
    }
}

extension DecontamStageRunner: PreparesShares, FinishesShares {
    func prepareShares(inputs: [StageInput], output: String, context: StageContext) throws {
        try prepareIndex(inputs: inputs, output: output)
    }

    /// The merged scan report (written by the merge) rendered as the publishable `report.md`, as a whole run writes it.
    func finishShares(output: String, report: StageReport) throws -> String {
        let scan = try ScanReport.load((output as NSString).appendingPathComponent("decontam.report.json"))
        try AtomicFileWriter.write(scan.markdown(toolVersion: toolVersion), to: (output as NSString).appendingPathComponent("report.md"))
        return scan.tables()
    }
}
