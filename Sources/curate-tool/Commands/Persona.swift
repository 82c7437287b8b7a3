import ArgumentParser
import Curation
import Foundation

extension PersonaSkill: ExpressibleByArgument {}

/// `curate-tool persona` (named `PersonaCommand` so it does not shadow `Curation.Persona`): persona-driven synthesis of math, grade-school math, code and precise
/// instruction-following data (Tulu 3; DESIGN.md section 5). A shell over `PersonaSynthesis`.
struct PersonaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona",
        abstract: "Synthesize tasks and solutions in the voices of personas, keeping only verified ones.",
        discussion: """
        Personas (JSONL, {"persona": ...}) are deduplicated (MinHash over word n-grams) and sampled with the seed. \
        For each one a synthesis prompt asks the backend for one task, then K solutions are generated. \
        math and grade-math keep majority-consistent instances (self-consistency over the K answers); \
        code keeps tasks answered with a Python function; if keeps responses meeting every sampled constraint, \
        and with --preferences writes DPO pairs whose rejected side answers the prompt with one constraint removed. \
        Output: OUTPUT/records (persona prompt schema), OUTPUT/prompts (the synthesis prompts), \
        OUTPUT/preferences (with --preferences) and OUTPUT/report.json. With openai:URL every request is cached \
        (OUTPUT/cache.sqlite by default), so a re-run after a kill sends only what is missing. \
        --shard i/N synthesizes the i-th of N equal runs of the sampled personas (every share loads, dedupes and \
        samples them all) with its own cache (OUTPUT/cache-sIofN.sqlite unless --cache is given); \
        `curate-tool merge OUTPUT` joins the shares into what one run writes.
        """)

    @Option(name: .long, help: "math | grade-math | code | if")
    var skill: PersonaSkill

    @Option(name: .long, parsing: .upToNextOption, help: "Persona files (JSONL with a \"persona\" field), directories or globs.")
    var personas: [String]

    @Option(name: .long, help: "Tasks to synthesize (personas are reused when there are fewer).")
    var count: Int

    @Option(name: .long, help: "local:MODEL_DIR or openai:URL (an OpenAI-compatible server, e.g. openai:http://127.0.0.1:8000/v1).")
    var backend: BackendSpec

    @Option(name: .long, help: "Solutions per task (default: 5 for math and grade-math, 1 for code, 2 for if).")
    var samples: Int?

    @Flag(name: .long, help: "if only: also write DPO pairs (rejected = the answer to the prompt with one constraint removed).")
    var preferences = false

    @Option(name: .long, help: "Seed of persona sampling, constraint sampling and every request.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Model name sent to an openai: backend.")
    var model = "default"

    @Option(name: .long, help: "SQLite request cache of an openai: backend (default: OUTPUT/cache.sqlite).")
    var cache: String?

    @Option(name: .long, help: "Directory of edited templates (NAME.txt replaces the built-in NAME; see Fixtures/persona/templates).")
    var templates: String?

    @Option(name: .long, help: "Personas at least this similar (Jaccard of word n-grams) to an earlier one are dropped.")
    var dedupeThreshold: Double = 0.9

    @Option(name: .long, help: "Word n-gram size of persona dedupe.")
    var dedupeNgram = 1

    @Flag(name: .long, help: "Keep near-duplicate personas.")
    var noDedupe = false

    @Option(name: .long, help: "Keep a math instance when majority votes / samples is greater than this.")
    var minAgreement = 0.5

    @Option(name: .long, help: "Token limit of a task.")
    var taskMaxTokens = 512

    @Option(name: .long, help: "Token limit of a solution.")
    var solutionMaxTokens = 1024

    @Option(name: .long, help: "Sampling temperature of tasks.")
    var taskTemperature = 1.0

    @Option(name: .long, help: "Sampling temperature of solutions.")
    var solutionTemperature = 0.7

    @Option(name: .long, help: "Requests in flight at once (openai: backend).")
    var concurrency = 4

    @Option(name: .long, help: "Tasks taken through all stages at a time.")
    var batchSize = 64

    @Option(name: .long, help: "Where to write the report JSON (default: OUTPUT/report.json).")
    var report: String?

    @OptionGroup var out: ShardOutputOptions
    @OptionGroup var share: ShareOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if let s = samples, s < 1 { throw ValidationError("--samples must be at least 1") }
        if preferences && skill != .instructionFollowing { throw ValidationError("--preferences is only for --skill if") }
        if !(dedupeThreshold > 0 && dedupeThreshold <= 1) { throw ValidationError("--dedupe-threshold must be in (0, 1]") }
        if dedupeNgram < 1 { throw ValidationError("--dedupe-ngram must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        do { try execute() } catch let e as CLIFailure { throw e } catch {
            throw CLIFailure(description: "\(error)")
        }
    }

    private func execute() throws {
        let started = Date()
        let fm = FileManager.default
        let spec = try share.spec()
        // Personas: load, dedupe, sample (all of them in every share: a share is a run of the slots).
        let files = try InputFiles.resolve(personas)
        let loaded = try PersonaLoader.load(paths: files)
        guard !loaded.isEmpty else { throw PersonaError.noPersonas("\(files.joined(separator: ", ")) holds no persona") }
        let dedupeOptions = MinHashOptions(shingleSize: dedupeNgram, permutations: 128, threshold: dedupeThreshold)
        let dedupe = noDedupe ? PersonaSelection.Dedupe(kept: loaded, dropped: [])
            : try PersonaSelection.dedupe(loaded, options: dedupeOptions, threads: global.threadCount)
        let slots = PersonaSelection.sample(dedupe.kept, count: count, seed: seed)
        // Each slot's requests are seeded by its instance id, never by its batch or position: a run of the
        // slots synthesizes what one run does for them.
        let range = spec.map { $0.range(of: slots.count) } ?? 0..<slots.count

        // Templates and options.
        var templateSet = PersonaTemplates.defaults
        var replaced: [TemplateName] = []
        if let dir = templates { (templateSet, replaced) = try PersonaTemplates.load(directory: dir) }
        var vote = VoteOptions(threads: 1)
        vote.minAgreement = minAgreement
        let options = PersonaSynthesisOptions(skill: skill, count: count, samples: samples, seed: seed, preferences: preferences,
                                              templates: templateSet, taskMaxTokens: taskMaxTokens, solutionMaxTokens: solutionMaxTokens,
                                              taskTemperature: taskTemperature, solutionTemperature: solutionTemperature,
                                              batchSize: batchSize, vote: vote)
        let synthesis = try PersonaSynthesis(options: options)

        // Backend.
        try fm.createDirectory(atPath: out.output, withIntermediateDirectories: true)
        if let spec {
            // Not finished until it says so again (its record is written last).
            let old = ShareRecord.path(directory: out.output, share: spec)
            if unlink(old) != 0 && errno != ENOENT { throw CurationError.io(path: old, reason: "cannot remove the share's old completion record") }
        }
        // A share's own cache file by default: SQLite's locks are not to be trusted on the network file
        // systems a cluster's tasks share.
        let cacheName = spec.map { $0.name("cache.sqlite") } ?? "cache.sqlite"
        let generator = try backend.open(model: model, cachePath: cache ?? (out.output as NSString).appendingPathComponent(cacheName),
                                         concurrency: concurrency)

        // Outputs.
        var shard = out.shardOptions(threads: global.threadCount)
        shard.share = spec
        let dir = { (name: String) in (out.output as NSString).appendingPathComponent(name) }
        let promptWriter = try ShardedWriter(directory: dir("prompts"), options: shard)
        let recordWriter = try ShardedWriter(directory: dir("records"), options: shard)
        let preferenceWriter = preferences ? try ShardedWriter(directory: dir("preferences"), options: shard) : nil
        func writer(_ w: ShardedWriter?) -> (JSONValue) throws -> Void {
            { value in try JSONWriter.bytes(value).withUnsafeBytes { try w?.write(line: $0) } }
        }
        let result = try synthesis.run(slots: Array(slots[range]), generator: generator, prompt: writer(promptWriter),
                                       record: writer(recordWriter), preference: writer(preferenceWriter))
        let promptManifest = try promptWriter.finish()
        let records = try recordWriter.finish()
        let pairs = try preferenceWriter?.finish()

        // Report.
        var rep = result.report
        rep.recordsOut = records.records
        rep.bytesOut = records.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.bytesIn = files.reduce(0) { $0 + ((try? fm.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        rep.settings["personas"] = .array(files.map { .string($0) })
        rep.settings["model"] = .string(model)
        rep.settings["templates"] = .string(templates.map { "\($0) (replacing: \(replaced.map(\.rawValue).joined(separator: ", ")))" } ?? "built-in")
        var p = JSONObject()
        p["loaded"] = .int(loaded.count)
        p["near_duplicates_removed"] = .int(dedupe.dropped.count)
        p["after_dedupe"] = .int(dedupe.kept.count)
        p["dedupe"] = noDedupe ? .string("off") : .string("word \(dedupeNgram)-grams, Jaccard >= \(dedupeThreshold)")
        p["used"] = .int(Set(slots.map(\.persona.id)).count)
        p["examples_removed"] = .array(dedupe.dropped.prefix(10).map { d in
            .object(JSONObject(["persona": .string(d.persona.text), "duplicate_of": .string(d.duplicateOf), "jaccard": .double((d.jaccard * 1000).rounded() / 1000)]))
        })
        rep.extra["personas"] = .object(p)
        if let http = generator as? HTTPGenerator {
            rep.extra["backend"] = .object(JSONObject(["requests_sent": .int(http.requestsSent), "cache_hits": .int(http.cacheHits)]))
        }
        if var pr = result.preferenceReport {
            pr.recordsOut = pairs?.records ?? pr.recordsOut
            try pr.check()
            rep.extra["preferences"] = pr.json
        }
        if let spec {
            // The share's record, last: its three outputs (in their sub-directories) and its report, which
            // `merge` joins (the persona figures are the whole input's, counted once).
            if spec.index > 0 { rep.bytesIn = 0 }
            try rep.check()
            var manifests: [Manifest] = []
            for (sub, m) in [("records", records), ("prompts", promptManifest)] + (pairs.map { [("preferences", $0)] } ?? []) {
                var named = m
                named.prefix = sub + "/" + m.prefix
                manifests.append(named)
            }
            try ShareRecord(stage: rep.stage, share: spec, manifests: manifests, report: rep.json, reportFile: ShareRun.absolute(report ?? dir("report.json")),
                            slices: ["persona slots \(range.lowerBound)..<\(range.upperBound) of \(slots.count)"],
                            seconds: rep.seconds).write(directory: out.output)
        } else {
            try rep.write(to: report ?? dir("report.json"))
        }
        if !global.quiet {
            var text = rep.table()
            var rows: [[String]] = []
            if case .object(let s)? = rep.extra["persona"] { rows += s.entries.map { [$0.key.replacingOccurrences(of: "_", with: " "), JSONWriter.string($0.value)] } }
            rows.append(["personas loaded", "\(loaded.count)"])
            rows.append(["personas near-duplicate", "\(dedupe.dropped.count)"])
            if let http = generator as? HTTPGenerator { rows.append(["backend requests sent", "\(http.requestsSent)"]); rows.append(["cache hits", "\(http.cacheHits)"]) }
            text += TextTable.render(header: nil, rows: rows, rightAlign: [1])
            if let pr = result.preferenceReport { text += pr.table() }
            Console.info(text)
        }
        if global.json { Console.stdout(PrettyJSON.string(rep.json)) }
    }
}
