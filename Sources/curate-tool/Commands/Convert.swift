import ArgumentParser
import Curation
import Foundation

/// `curate-tool convert IN... --output DIR`: format conversion, recompression and resharding.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert, recompress and reshard JSONL files (records are validated and written back byte for byte).")

    @Argument(help: "Files, globs or directories (.jsonl, .jsonl.zst, .jsonl.gz, .parquet).")
    var inputs: [String]

    @OptionGroup var out: ShardOutputOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var errors: ErrorOptions
    @OptionGroup var share: ShareOptions

    @Option(name: .long, help: "Where to write the report JSON (default: OUTPUT/PREFIX.report.json).")
    var report: String?

    func run() throws {
        let started = Date()
        let files = try InputFiles.resolve(inputs, allowIncomplete: errors.allowIncomplete, split: errors.split)
        let shares = try ShareRun(spec: share.spec(), files: files, read: errors.readOptions)
        let rejectedDir = errors.rejectedDir ?? out.output
        let rejected = errors.onError == .skip ? RejectedWriter(directory: rejectedDir, name: shares.name("rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: errors.onError, rejected: rejected, options: errors.readOptions)
        let writer = try ShardedWriter(directory: out.output, options: shares.apply(out.shardOptions(threads: global.threadCount)))
        if let rejected { writer.rejectUnfit = { try rejected.write(line: $0, error: $1) } }
        let progress = Progress(label: "convert", quiet: global.quiet)
        // Lines are validated where they lie in the batch and written back from it: no record is built.
        let parallel = OrderedParallel<LineBatch, (LineBatch, [(index: Int, error: CurationError)])>(threads: global.threadCount) {
            ($0, $0.invalidLines())
        }
        let consume: ((LineBatch, [(index: Int, error: CurationError)])) throws -> Void = { item in
            let (batch, failures) = item
            try reader.absorb(batch, failures: failures)
            var next = 0
            try batch.data.withUnsafeBytes { data in
                for (k, l) in batch.lines.enumerated() {
                    if next < failures.count, failures[next].index == k { next += 1; continue }
                    try writer.write(line: UnsafeRawBufferPointer(rebasing: data[l.start..<(l.start + l.count)]), location: batch.location(l))
                }
            }
            progress.update(records: reader.counts.records, bytes: reader.counts.bytes, done: 0, total: 0)
        }
        try reader.forEachBatch { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        let manifest = try writer.finish()
        try rejected?.finish()
        progress.finish()

        var rep = StageReport(stage: "convert")
        rep.absorb(reader.counts)
        rep.recordsOut = manifest.records
        if writer.rejectedUnfit > 0 { rep.drop("rejected:parquet-schema", count: writer.rejectedUnfit) }
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.settings = ["format": .string(out.parquet.format.rawValue), "compression": .string(out.compression.rawValue), "level": .int(out.level),
                        "max_records": out.maxRecords.map { .int($0) } ?? .null, "max_bytes": out.maxBytes.map { .int($0.bytes) } ?? .null,
                        "on_error": .string(errors.onError.rawValue), "inputs": .array(files.map { .string($0) })]
        rep.extra["shards"] = .int(manifest.shards.count)
        let reportPath = report ?? (out.output as NSString).appendingPathComponent("\(out.prefix).report.json")
        if shares.spec == nil { try rep.write(to: reportPath) } else { try rep.check() }
        try shares.complete(stage: "convert", directory: out.output, manifests: [manifest], report: rep.json, reportFile: reportPath,
                            sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (rejectedDir as NSString).appendingPathComponent($0) },
                            seconds: rep.seconds)
        Console.show(rep, options: global)
    }
}
