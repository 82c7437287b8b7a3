import ArgumentParser
import Curation
import Decontam
import Foundation

/// `curate-tool decontam index --eval NAME=PATH ... --ngram N --output INDEX.sqlite`
struct DecontamIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index eval sets' n-grams into an SQLite file (re-indexing an unchanged file is a no-op; new sets are added).")

    @Option(name: .long, help: "An eval set: NAME=PATH (JSONL; repeat for several).")
    var eval: [String] = []

    @Option(name: .long, help: "Fields whose text makes an instance, comma-separated (default: question, problem, prompt, and the user turns of messages).")
    var fields: String?

    @Option(name: .long, help: "Field holding instance ids (default: id, key, task_id, gid, ... else FILE:LINE).")
    var idField: String?

    @Flag(name: .long, help: "Also index answers (answer, solution, canonical_solution, response, completion, assistant turns).")
    var withAnswers = false

    @Option(name: .long, help: "Index only some records of a set: NAME:FIELD=VALUE (e.g. math500:data_source=MATH500; repeatable).")
    var select: [String] = []

    @Option(name: .long, help: "Tokens per n-gram.")
    var ngram = 8

    @Flag(name: .long, help: "Normalise every digit to 0.")
    var foldDigits = false

    @Flag(name: .long, help: "Strip diacritics (é -> e).")
    var stripDiacritics = false

    @Option(name: .shortAndLong, help: "The index file (SQLite), created or extended.")
    var output: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if eval.isEmpty { throw ValidationError("give at least one --eval NAME=PATH") }
        if !(1...64).contains(ngram) { throw ValidationError("--ngram must be between 1 and 64") }
    }

    func run() throws {
        let settings = NGramSettings(n: ngram, normalizer: TextNormalizer(foldDigits: foldDigits, stripDiacritics: stripDiacritics))
        let results = try runStage { () -> [EvalIndexStore.SetResult] in
            var selections: [String: EvalSource.Selection] = [:]
            for s in select {
                guard let colon = s.firstIndex(of: ":"), let eq = s[colon...].firstIndex(of: "="), colon != s.startIndex,
                      s.index(after: colon) != eq else {
                    throw CurationError.invalidArgument("--select expects NAME:FIELD=VALUE, got \"\(s)\"")
                }
                selections[String(s[..<colon])] = .init(field: String(s[s.index(after: colon)..<eq]), value: String(s[s.index(after: eq)...]))
            }
            let sources = try eval.map { spec -> EvalSource in
                let (name, path) = try EvalSource.parse(spec)
                return EvalSource(name: name, path: path, fields: commaList(fields), idField: idField, withAnswers: withAnswers, selection: selections[name])
            }
            for name in selections.keys where !sources.contains(where: { $0.name == name }) {
                throw CurationError.invalidArgument("--select names eval set \"\(name)\", which no --eval gives")
            }
            return try EvalIndexStore.build(path: output, settings: settings, sources: sources)
        }
        if !global.quiet {
            Console.info("== decontam index: \(output) (\(settings.description)) ==")
            Console.info(TextTable.render(
                header: ["eval set", "outcome", "records", "instances", "short", "empty", "n-grams", "xxh3-128"],
                rows: results.map { r in
                    [r.name, r.outcome.rawValue, "\(r.info.records)", "\(r.info.instances)",
                     r.outcome == .unchanged ? "-" : "\(r.shortInstances)", r.outcome == .unchanged ? "-" : "\(r.emptyInstances)",
                     r.outcome == .unchanged ? "-" : "\(r.ngrams)", r.info.fileHash]
                }, rightAlign: [2, 3, 4, 5, 6]))
            for r in results where r.emptyInstances > 0 {
                Console.warn("\(r.name): \(r.emptyInstances) instances have no text after normalisation and can never match")
            }
        }
        if global.json {
            Console.stdout(PrettyJSON.string(.object(JSONObject([
                "index": .string(output), "settings": .string(settings.description),
                "eval_sets": .array(results.map { r in .object(JSONObject([
                    "name": .string(r.name), "outcome": .string(r.outcome.rawValue), "file": .string(r.info.path),
                    "xxh3_128": .string(r.info.fileHash), "records": .int(r.info.records), "instances": .int(r.info.instances),
                    "short_instances": .int(r.shortInstances), "empty_instances": .int(r.emptyInstances), "ngrams": .int(r.ngrams),
                ])) }),
            ]))))
        }
    }
}
