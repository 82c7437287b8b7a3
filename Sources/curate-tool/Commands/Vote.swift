import ArgumentParser
import Curation
import Foundation

/// `curate-tool vote`: self-consistency filtering over samples records (DESIGN.md section 5).
/// A thin shell over `VoteStage`, taking the shared option groups (`--quiet`, `--json`, `--threads`,
/// `--on-error`, `--rejected-dir`) as the other stages do, and writing its report next to its output.
struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vote",
        abstract: "Keep instances whose sampled completions agree on an answer (and with the gold answer).",
        discussion: """
        Input: samples records, either {"id", "completions": [...]} or one record per completion sharing "id" \
        with the text in "completion". The record's "dataset" (gsm8k, math, multiple_choice; default --dataset) \
        picks the answer extractor. Output records carry a "vote" object; dropped instances are counted by reason \
        (no-answer, no-majority, disagrees-with-gold).
        """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Input files (JSONL, .zst, .gz), directories or globs.")
    var input: [String]

    @Option(name: .long, help: "Output JSONL file (or .parquet: one Parquet file).")
    var output: String

    @Option(name: .long, help: "Keep when majority votes / completions is greater than this.")
    var minAgreement: Double = 0.5

    @Option(name: .long, help: "one | all: output one majority completion or all of them.")
    var keep: String = "one"

    @Option(name: .long, help: "first | shortest: which majority completion `--keep one` outputs.")
    var prefer: String = "first"

    @Option(name: .long, help: "Extractor for records without a dataset field: gsm8k, math, multiple_choice.")
    var dataset: String = "math"

    @Option(name: .long, help: "check | ignore: whether a majority answer that disagrees with ground_truth drops the instance (ignore: the vote alone decides, as Tulu 3's persona math).")
    var gold: String = "check"

    @Option(name: .long, help: "Report JSON (default: OUTPUT.report.json).")
    var report: String?

    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions
    @OptionGroup var share: ShareOptions

    @Option(name: .long, help: "With --shard i/N: partition by instance id, exact for any input order. Every task runs route, then every task vote, then every task write, then `merge OUTPUT`. Without it a share votes the ids it holds (exact only when each id's completions sit in one share; the merge checks).")
    var phase: Phase?

    /// The steps of a vote partitioned by id: its two phases, then the shares' writing.
    enum Phase: String, ExpressibleByArgument, CaseIterable { case route, vote, write }

    func validate() throws {
        if phase != nil, share.shard == nil { throw ValidationError("--phase needs --shard i/N") }
        guard VoteKeep(rawValue: keep) != nil else { throw ValidationError("--keep must be one or all") }
        guard VotePreference(rawValue: prefer) != nil else { throw ValidationError("--prefer must be first or shortest") }
        guard AnswerDataset(name: dataset) != nil else { throw ValidationError("--dataset must be gsm8k, math or multiple_choice") }
        guard minAgreement >= 0 && minAgreement < 1 else { throw ValidationError("--min-agreement must be in [0, 1)") }
        guard VoteGold(rawValue: gold) != nil else { throw ValidationError("--gold must be check or ignore") }
    }

    func run() throws {
        var options = VoteOptions(minAgreement: minAgreement, keep: VoteKeep(rawValue: keep) ?? .one,
                                  prefer: VotePreference(rawValue: prefer) ?? .first,
                                  defaultDataset: AnswerDataset(name: dataset) ?? .math, threads: global.threadCount)
        options.gold = VoteGold(rawValue: gold) ?? .check
        let files = try InputFiles.resolve(input)
        if let phase, let spec = try share.spec() { return try runPhase(phase, spec, files, options) }
        let shares = try ShareRun(spec: share.spec(), files: files, read: errors.readOptions)
        let piece = try shares.begin(outputFile: output)
        let policy = errors.onError
        let dir = errors.rejectedDir ?? (output as NSString).deletingLastPathComponent
        let rejectedDir = dir.isEmpty ? "." : dir
        let rejected = policy == .skip ? RejectedWriter(directory: rejectedDir, name: shares.name("vote.rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: policy, rejected: rejected, options: errors.readOptions)
        let stage = try VoteStage(options: options, policy: policy, rejected: rejected)
        stage.keepGroupIDs = shares.spec != nil
        func vote(_ emit: (RawRecord) throws -> Void) throws -> StageReport {
            try reader.forEach { try stage.process($0, emit: emit) }
            stage.absorbReader(reader.counts)
            return try stage.finish(emit: emit)
        }
        var rep: StageReport
        if ParquetInput.isParquet(piece) {
            let sink = try SingleFileWriter(path: piece, threads: global.threadCount)
            rep = try vote { try sink.write($0) }
            try sink.commit()
        } else {
            let out = try AtomicFileWriter(path: piece)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            rep = try vote { r in
                buffer.append(contentsOf: r.bytes)
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 { try out.write(buffer); buffer.removeAll(keepingCapacity: true) }
            }
            try out.write(buffer)
            try out.commit()
        }
        try rejected?.finish()
        let reportPath = report ?? output + ".report.json"
        if shares.spec == nil { try rep.write(to: reportPath) } else { try rep.check() }
        try shares.complete(stage: "vote", outputFile: output, report: rep.json, reportFile: reportPath,
                            sideFiles: ["vote.rejected.jsonl", "vote.rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) },
                            seconds: rep.seconds,
                            extra: JSONObject(["list_instances": .int(stage.listInstances),
                                               "groups": .array(stage.groupIDs.map { .string($0) })]))
        if !global.quiet { Console.info(rep.table() + VoteStageTable.render(rep)) }
        if global.json { Console.stdout(PrettyJSON.string(rep.json)) }
    }

    /// One task of a vote partitioned by instance id (`VoteShares`); its files go in `OUTPUT.shares/phases/`.
    func runPhase(_ phase: Phase, _ spec: ShardSpec, _ files: [String], _ options: VoteOptions) throws {
        guard errors.onError == .fail else {
            throw ValidationError("--phase: a vote partitioned by id stops at a bad record (--on-error fail); skipping would place its rejected line elsewhere than one run does")
        }
        let started = Date()
        let work = ShareRecord.folder(outputFile: ShareRun.absolute(output))
        try runStage {
            switch phase {
            case .route:
                try VoteShares.route(files: files, directory: work, share: spec, options: options, read: errors.readOptions, plainUnitBytes: try ShareRun.plainUnitBytes())
            case .vote:
                try VoteShares.vote(directory: work, share: spec, options: options)
            case .write:
                let shares = ShareRun(spec: spec, wholeFiles: files)
                let piece = try shares.begin(outputFile: output)
                let out = try AtomicFileWriter(path: piece)
                let newline: [UInt8] = [0x0A]
                let rep = try VoteShares.write(directory: work, share: spec) { line in try out.write(line); try out.write(newline) }
                try out.commit()
                try shares.complete(stage: "vote", outputFile: output, report: rep.json, reportFile: report ?? output + ".report.json", sideFiles: [],
                                    seconds: Date().timeIntervalSince(started))
            }
        }
        if !global.quiet { Console.info("vote phase \(phase.rawValue), task \(spec.index)/\(spec.count): done in \(String(format: "%.2f s", Date().timeIntervalSince(started)))") }
    }
}

/// The vote section of the report as text.
enum VoteStageTable {
    static func render(_ r: StageReport) -> String {
        guard case .object(let v)? = r.extra["vote"] else { return "" }
        var rows: [[String]] = []
        for e in v.entries {
            switch e.value {
            case .object: continue
            default: rows.append([e.key, JSONWriter.string(e.value)])
            }
        }
        var out = TextTable.render(header: nil, rows: rows, rightAlign: [1])
        if case .object(let h)? = v["agreement_histogram"] {
            out += "agreement histogram:\n" + TextTable.render(header: ["bin", "instances"], rows: h.entries.map { [$0.key, JSONWriter.string($0.value)] }, rightAlign: [1])
        }
        if case .object(let s)? = v["per_source"] {
            let cols = ["instances", "kept", "kept_percent"] + VoteDropReason.allCases.map(\.rawValue)
            out += TextTable.render(header: ["source"] + cols, rows: s.entries.map { e in [e.key] + cols.map { JSONWriter.string(e.value[$0] ?? .null) } }, rightAlign: Set(1...cols.count))
        }
        return out
    }
}
