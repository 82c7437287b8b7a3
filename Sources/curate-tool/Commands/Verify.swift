import ArgumentParser
import Curation
import Foundation

/// `curate-tool verify`: scores verifiable (RLVR) records with the verifier their `dataset` names.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score verifiable records (gsm8k, math, multiple_choice, ifeval): adds reward, extracted and rule.",
        discussion: """
        Input records: {"id", "messages" or "prompt", "response", "ground_truth", "dataset"}. Without "response" the \
        last assistant message is scored. reward is 1/0 for answers (equivalence, not string equality) and the \
        fraction of constraints met for ifeval (ground_truth is a constraint set: instruction_id_list + kwargs); \
        ifeval records also get "constraints" with each constraint's outcome.
        """)

    @Option(name: .long, parsing: .singleValue, help: "Input file(s), globs or directories.")
    var input: [String]

    @Option(name: .long, help: "Output file (.jsonl, .jsonl.zst, .jsonl.gz, or .parquet: one Parquet file).")
    var output: String

    @Option(name: .long, help: "Verifier for records without a dataset field.")
    var dataset: String = "math"

    @Option(name: .long, help: "Report JSON (default: OUTPUT.report.json).")
    var report: String?

    @OptionGroup var answerFlags: AnswerFlags
    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions
    @OptionGroup var share: ShareOptions

    @Option(name: .long, help: "Keep only records whose reward reaches this (the rest are dropped as below-min-reward).")
    var minReward: Double?

    func run() throws {
        let files = try InputFiles.resolve(input, allowIncomplete: errors.allowIncomplete, split: errors.split)
        let outDir = (output as NSString).deletingLastPathComponent
        let shares = try ShareRun(spec: share.spec(), files: files, read: errors.readOptions)
        let piece = try shares.begin(outputFile: output)
        let rejectedDir = errors.rejectedDir ?? (outDir.isEmpty ? "." : outDir)
        let rejected = errors.onError == .skip ? RejectedWriter(directory: rejectedDir, name: shares.name("rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let sink = try SingleFileWriter(path: piece, threads: global.threadCount)
        let options = VerifyOptions(defaultDataset: dataset, minReward: minReward, threads: global.threadCount, answers: answerFlags.options)
        var rep = try VerifyStage.run(reader: reader, options: options, rejected: rejected) { try sink.write($0) }
        try sink.commit()
        try rejected?.finish()

        rep.settings["inputs"] = .array(files.map { .string($0) })
        if shares.spec == nil { try rep.write(to: report ?? output + ".report.json") } else { try rep.check() }
        try shares.complete(stage: "verify", outputFile: output, report: rep.json, reportFile: report ?? output + ".report.json",
                            sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) },
                            seconds: rep.seconds)
        if !global.quiet {
            Console.info(rep.table())
            if case .object(let perDataset)? = rep.extra["per_dataset"] {
                Console.info(TextTable.render(header: ["dataset", "records", "mean reward"], rows: perDataset.entries.map { e in
                    [e.key, JSONWriter.string(e.value["records"] ?? .null), String(format: "%.3f", e.value["mean_reward"]?.doubleValue ?? 0)]
                }, rightAlign: [1, 2]))
            }
        }
        if global.json { Console.stdout(PrettyJSON.string(rep.json)) }
    }
}
