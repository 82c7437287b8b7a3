import ArgumentParser
import Curation
import Foundation

/// `curate-tool synth`: the synthetic, verifiable task family (GSM8K-style multi-step word problems) that
/// needs no download: disjoint pretraining, training-pool and eval splits, a simulated teacher's samples,
/// planted contamination and s1 pool fields. A shell over `Synthesizer`: it parses flags, opens one
/// sharded writer per output and renders the library's typed errors with flag names.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a verifiable synthetic task family: GSM8K-style problems, splits, teacher samples, contamination, s1 pool.",
        discussion: """
        Writes one directory of shards per output under OUTPUT: eval (verifiable records, dataset gsm8k), train \
        (chat records with the worked answer, plus planted copies of eval items when --plant-items > 0), pretrain \
        (documents), samples (k teacher solutions per training problem, the layout `vote` reads) and pool (s1 pool \
        items for `select`), and OUTPUT/report.json. Same seed and settings give the same bytes for any --threads.
        """)

    @Option(name: .long, parsing: .upToNextOption, help: "Persona files (JSONL with a \"persona\" field, e.g. Fixtures/persona/personas.jsonl); without them problems have no persona introduction.")
    var personas: [String] = []

    @Option(name: .long, help: "Seed of every draw (problems, wording, teacher, planting, pool).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Outputs to write, comma-separated: eval,train,pretrain,samples,pool,prompts (prompts: the training problems as verifiable records for rlvr; not written by default).")
    var emit = SynthOutput.allCases.filter { $0 != .prompts }.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "Eval problems.")
    var evalCount = 500
    @Option(name: .long, help: "Training-pool problems (also the problems of samples and pool).")
    var trainCount = 2000
    @Option(name: .long, help: "Pretraining problems.")
    var pretrainCount = 2000

    @Option(name: .long, help: "Fewest calculation steps per problem (1-8).")
    var minSteps = 2
    @Option(name: .long, help: "Most calculation steps per problem (1-8).")
    var maxSteps = 6
    @Option(name: .long, help: "Largest start value or added/removed amount (10-1000000).")
    var maxNumber = 200

    @Option(name: .long, help: "Teacher samples per problem (1-64).")
    var samples = 8
    @Option(name: .long, help: "Share of wrong teacher samples overall.")
    var errorRate = 0.40
    @Option(name: .long, help: "Share of problems with a systematic wrong answer.")
    var systematicShare = 0.10
    @Option(name: .long, help: "Chance that a sample of a systematic problem gives its wrong answer.")
    var systematicAgreement = 0.8

    @Option(name: .long, help: "Copies of each planted eval item (1-1000; e.g. 1, 8, 32).")
    var plantDose = 1
    @Option(name: .long, help: "Eval items planted into train per kind (0: no planting).")
    var plantItems = 0
    @Option(name: .long, help: "Plant kinds, comma-separated: verbatim,recased,embedded,near_miss.")
    var plantKinds = SynthPlantKind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "Share of pool items with a labelled defect.")
    var defectShare = 0.05
    @Option(name: .long, help: "The weak reference solver solves items whose difficulty is below this (0-1).")
    var weakSolverThreshold = 0.5

    @Option(name: .long, help: "Comma-separated words the pool's self-checks open with, one drawn per self-check (e.g. Wait,Hmm,Alternatively).")
    var selfCheckWords = "Wait"

    @Option(name: .long, help: "Report JSON (default: OUTPUT/report.json).")
    var report: String?

    @OptionGroup var out: ShardOutputOptions
    @OptionGroup var global: GlobalOptions

    func options() throws -> SynthOptions {
        var outputs: [SynthOutput] = []
        for name in emit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let o = SynthOutput(rawValue: name) else { throw ValidationError("--emit: unknown output \"\(name)\" (eval, train, pretrain, samples, pool)") }
            if !outputs.contains(o) { outputs.append(o) }
        }
        if outputs.isEmpty { throw ValidationError("--emit names no output") }
        var kinds: [SynthPlantKind] = []
        for name in plantKinds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "_") }) where !name.isEmpty {
            guard let k = SynthPlantKind(rawValue: name) else { throw ValidationError("--plant-kinds: unknown kind \"\(name)\" (verbatim, recased, embedded, near_miss)") }
            kinds.append(k)
        }
        let o = SynthOptions(seed: seed, difficulty: SynthDifficulty(minSteps: minSteps, maxSteps: maxSteps, maxNumber: maxNumber),
                             evalCount: evalCount, trainCount: trainCount, pretrainCount: pretrainCount,
                             teacher: SynthTeacherOptions(samples: samples, errorRate: errorRate, systematicShare: systematicShare,
                                                          systematicAgreement: systematicAgreement),
                             plant: SynthPlantOptions(dose: plantDose, items: plantItems, kinds: kinds),
                             pool: SynthPoolOptions(defectShare: defectShare, weakSolverThreshold: weakSolverThreshold,
                                                         selfCheckWords: selfCheckWords.split(separator: ",", omittingEmptySubsequences: false)
                                                             .map { $0.trimmingCharacters(in: .whitespaces) }), outputs: outputs)
        do { try o.validate() } catch let e as SynthError { throw ValidationError(e.message(naming: { $0.flag })) }
        return o
    }

    func validate() throws { _ = try options() }

    func run() throws {
        do { try execute() } catch let e as SynthError { throw CLIFailure(description: e.message(naming: { $0.flag })) }
    }

    private func execute() throws {
        let started = Date()
        let options = try options()
        let personaList = personas.isEmpty ? [] : try PersonaLoader.load(paths: try InputFiles.resolve(personas))
        let synthesizer = try Synthesizer(options: options, personas: personaList)
        try FileManager.default.createDirectory(atPath: out.output, withIntermediateDirectories: true)
        var writers: [SynthOutput: ShardedWriter] = [:]
        for o in options.outputs {
            writers[o] = try ShardedWriter(directory: (out.output as NSString).appendingPathComponent(o.rawValue),
                                           options: out.shardOptions(threads: global.threadCount))
        }
        var rep = try synthesizer.run(threads: global.threadCount) { output, value in
            guard let w = writers[output] else { return }
            try JSONWriter.bytes(value).withUnsafeBytes { try w.write(line: $0) }
        }
        var manifests = JSONObject()
        var records = 0
        for o in options.outputs {
            guard let w = writers[o] else { continue }
            let m = try w.finish()
            records += m.records
            rep.bytesOut += m.compressedBytes
            manifests[o.rawValue] = .object(JSONObject([.init(key: "records", value: .int(m.records)), .init(key: "bytes", value: .int(m.bytes))]))
        }
        rep.seconds = Date().timeIntervalSince(started)
        rep.extra["written"] = .object(manifests)
        rep.extra["records_per_second"] = .double(rep.seconds > 0 ? (Double(records) / rep.seconds).rounded() : 0)
        rep.extra["personas"] = .int(personaList.count)
        try rep.write(to: report ?? (out.output as NSString).appendingPathComponent("report.json"))
        if !global.quiet {
            Console.info(rep.table())
            Console.info(TextTable.render(header: ["output", "records"], rows: options.outputs.map { [$0.rawValue, JSONWriter.string(manifests[$0.rawValue]?["records"] ?? .null)] }, rightAlign: [1]))
            if let t = rep.extra["teacher"] { Console.info("teacher: " + JSONWriter.string(t)) }
        }
        if global.json { Console.stdout(PrettyJSON.string(rep.json)) }
    }
}
