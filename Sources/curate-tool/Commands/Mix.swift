import ArgumentParser
import Curation
import Foundation
import Mixer
import Trainer

/// `curate-tool mix --recipe RECIPE --output DIR`: a weighted, deduplicated, shuffled mix of sources.
struct Mix: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mix sources by a YAML recipe: fractions, repeats, counts, token budgets, filters, exact dedupe, a seeded global shuffle.",
        discussion: """
        Same recipe and seed give byte-identical shards whatever --threads and however the inputs are sharded: \
        sampling is keyed by hash(seed, source, record id). The shuffle spills to disk beyond --memory.

        As N tasks (machines): every task runs `--phase scan --shard i/N`, then one `--phase plan --shard 0/N` \
        (the counting pass), then every `--phase gather --shard i/N`, then every `--phase write --shard i/N`, \
        then `--merge-shares N`: the records of the one-process mix, in the same order. Every task needs the \
        same recipe, options and CURATE_SHARE_UNIT_BYTES; `run --executor local|slurm --tasks N` does all this.
        """)

    @Option(name: .long, help: "The mix recipe (YAML).")
    var recipe: String

    @Option(name: .long, help: "Rewrite every taken record to one layout: chat (Tulu 3 SFT: id, messages, source) or preference (TRL: prompt, chosen, rejected). Overrides the recipe's `normalize:`; unmappable records are dropped as `normalize: REASON`.")
    var normalize: RecordNormalizer.Target?

    @OptionGroup var normalizeFlags: NormalizeFlags
    @OptionGroup var out: ShardOutputOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions

    @Option(name: .long, help: "Seed (overrides the recipe's).")
    var seed: UInt64?

    @Option(name: .long, help: "Memory budget, e.g. 256MB; the shuffle spills to disk beyond half of it.", transform: ByteSize.parse)
    var memory = ByteSize(bytes: 256_000_000)

    @Option(name: .long, help: "Where to write the report JSON (default: OUTPUT/PREFIX.report.json).")
    var report: String?

    @Option(name: .long, help: "Count `tokens`/`total_tokens` budgets in this tokenizer's tokens (tokenizer.json or model folder) instead of whitespace words.")
    var tokenizer: String?

    @OptionGroup var share: ShareOptions

    /// The phases of a mix run as N tasks (`MixShares`).
    enum Phase: String, ExpressibleByArgument, CaseIterable { case scan, plan, gather, write }

    @Option(name: .long, help: "With --shard i/N: the phase this task does: scan, plan (once, as --shard 0/N), gather, write; each phase after every task of the one before.")
    var phase: Phase?

    @Option(name: .customLong("merge-shares"), help: "After every --phase write --shard i/N task: join the N shares into the mix, with its report.")
    var mergeShares: Int?

    func validate() throws {
        if share.shard != nil, phase == nil {
            throw ValidationError("--shard runs one phase of a mix as N tasks: add --phase scan, then plan (--shard 0/N), gather and write, then --merge-shares N")
        }
        if phase != nil, share.shard == nil { throw ValidationError("--phase needs --shard i/N") }
        if mergeShares != nil, share.shard != nil { throw ValidationError("--merge-shares is the last step after every --shard i/N task: give one of them") }
        if let n = mergeShares, n < 1 || n > MixShares.maxShares { throw ValidationError("--merge-shares N: N from 1 to \(MixShares.maxShares)") }
    }

    func run() throws {
        var parsed = try MixRecipe.load(path: recipe)
        if let target = normalize { parsed.normalize = try normalizeFlags.normalizer(target) }
        let counter: any TokenCounter = try tokenizer.map { try TokenizerLoading.load($0) } ?? WhitespaceTokenCounter()
        if let spec = try share.spec(), let phase { return try runPhase(phase, spec, parsed, counter) }
        if let n = mergeShares {
            let result = try runStage { try MixShares.finish(recipe: parsed, outputDirectory: out.output, count: n, options: try shareOptions(parsed, n), tokenCounter: counter.name) }
            try show(result, parsed)
            return
        }
        let result = try MixCommandSupport.run(recipe: parsed, output: out.output, shard: shardOptions(parsed),
                                               memory: memory.bytes, threads: global.threadCount, seed: seed,
                                               errors: errors, quiet: global.quiet, tokenCounter: counter)
        try show(result, parsed)
    }

    func show(_ result: MixResult, _ parsed: MixRecipe) throws {
        var rep = result.report
        rep.settings["recipe"] = .string(recipe)
        rep.settings["memory"] = .int(memory.bytes)
        rep.settings["normalize"] = parsed.normalize.map { .string($0.target.rawValue) } ?? .null
        try rep.write(to: report ?? (out.output as NSString).appendingPathComponent("\(shardOptions(parsed).prefix).report.json"))
        if !global.quiet { Console.info(result.sourceTable()) }
        Console.show(rep, options: global)
    }

    /// The options every task of a sharded mix runs with.
    func shareOptions(_ parsed: MixRecipe, _ n: Int) throws -> MixOptions {
        var o = MixOptions(memoryLimit: memory.bytes, threads: global.threadCount, shard: shardOptions(parsed), onError: errors.onError,
                           seed: seed, rejectedDirectory: errors.rejectedDir)
        o.read = errors.readOptions
        o.plainUnitBytes = try ShareRun.plainUnitBytes()
        return o
    }

    /// One task of one phase of a mix run as N tasks.
    func runPhase(_ phase: Phase, _ spec: ShardSpec, _ parsed: MixRecipe, _ counter: any TokenCounter) throws {
        let started = Date()
        let options = try shareOptions(parsed, spec.count)
        let dir = out.output
        try runStage {
            switch phase {
            case .scan: try MixShares.scan(recipe: parsed, outputDirectory: dir, share: spec, options: options, tokenCounter: counter)
            case .plan:
                guard spec.index == 0 else { throw CurationError.invalidArgument("the plan is one task: --phase plan --shard 0/\(spec.count)") }
                try MixShares.plan(recipe: parsed, outputDirectory: dir, count: spec.count, options: options)
            case .gather: try MixShares.gather(recipe: parsed, outputDirectory: dir, share: spec, options: options)
            case .write:
                let w = try MixShares.write(recipe: parsed, outputDirectory: dir, share: spec, options: options)
                try ShareRecord(stage: "mix", share: spec, manifests: [w.manifest], report: w.report.json,
                                reportFile: ShareRun.absolute(report ?? (dir as NSString).appendingPathComponent("\(options.shard.prefix).report.json")),
                                sideFiles: MixShares.sideFiles(outputDirectory: dir, options: options).map(ShareRun.absolute), slices: [],
                                seconds: Date().timeIntervalSince(started)).write(directory: dir)
            }
        }
        if !global.quiet { Console.info("mix phase \(phase.rawValue), task \(spec.index)/\(spec.count): done in \(String(format: "%.2f s", Date().timeIntervalSince(started)))") }
    }

    /// Recipe output settings apply unless given on the command line.
    func shardOptions(_ r: MixRecipe) -> ShardOptions {
        var o = out.shardOptions(threads: global.threadCount)
        // The recipe's format keys apply where the command line left the defaults.
        let fromRecipe = r.output.applied(to: o)
        if out.parquet.format == .jsonl { o.format = fromRecipe.format }
        if out.compression == .zstd { o.compression = fromRecipe.compression }
        if out.level == 3 { o.level = fromRecipe.level }
        if out.parquet.parquetCompression == .zstd { o.parquet.codec = fromRecipe.parquet.codec }
        if out.parquet.rowGroupSize == ParquetWriteOptions.defaultRowGroupRows { o.parquet.rowGroupRows = fromRecipe.parquet.rowGroupRows }
        if out.parquet.jsonColumns.isEmpty { o.parquet.jsonColumns = fromRecipe.parquet.jsonColumns }
        if out.prefix == "part", let p = r.prefix { o.prefix = p }
        if o.maxRecords == nil { o.maxRecords = r.maxRecords }
        if o.maxBytes == nil { o.maxBytes = r.maxBytes }
        return o
    }
}

/// The mix call shared by `mix` and the `mix` stage of `run`: the token counter, progress and test hooks.
enum MixCommandSupport {
    static func run(recipe: MixRecipe, output: String, shard: ShardOptions, memory: Int, threads: Int, seed: UInt64?,
                    errors: ErrorOptions?, quiet: Bool, tokenCounter: any TokenCounter = WhitespaceTokenCounter()) throws -> MixResult {
        var options = MixOptions(memoryLimit: memory, threads: threads, shard: shard, onError: errors?.onError ?? .fail,
                                 seed: seed, rejectedDirectory: errors?.rejectedDir)
        if let errors { options.read = errors.readOptions }
        let progress = Progress(label: "mix", quiet: quiet)
        defer { progress.finish() }
        return try MixStage.run(recipe: recipe, outputDirectory: output, options: options, tokenCounter: tokenCounter) { p in
            progress.update(records: p.records, bytes: p.bytes, done: 0, total: 0)
            if p.phase == .gather { TestHooks.recordsProcessed(p.records, kind: "mix") }
        }
    }
}
