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

    func run() throws {
        var parsed = try MixRecipe.load(path: recipe)
        if let target = normalize { parsed.normalize = try normalizeFlags.normalizer(target) }
        let counter: any TokenCounter = try tokenizer.map { try TokenizerLoading.load($0) } ?? WhitespaceTokenCounter()
        let result = try MixCommandSupport.run(recipe: parsed, output: out.output, shard: shardOptions(parsed),
                                               memory: memory.bytes, threads: global.threadCount, seed: seed,
                                               errors: errors, quiet: global.quiet, tokenCounter: counter)
        var rep = result.report
        rep.settings["recipe"] = .string(recipe)
        rep.settings["memory"] = .int(memory.bytes)
        rep.settings["normalize"] = parsed.normalize.map { .string($0.target.rawValue) } ?? .null
        try rep.write(to: report ?? (out.output as NSString).appendingPathComponent("\(shardOptions(parsed).prefix).report.json"))
        if !global.quiet { Console.info(result.sourceTable()) }
        Console.show(rep, options: global)
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
