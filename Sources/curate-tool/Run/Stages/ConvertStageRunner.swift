import Curation
import Foundation
import Mixer
import Yams

/// `kind: convert`: validates, recompresses and reshards its inputs (all inputs, in order, into one
/// output). Settings: `max_records`, `max_bytes`, `compression` (zstd, gzip, none), `level`, `on_error`, and
/// `format` (jsonl or parquet) with `parquet_compression` (zstd, snappy, none) and `row_group_size`, as the CLI's
/// `--format`, `--parquet-compression` and `--row-group-size`.
struct ConvertStageRunner: StageRunner {
    static let kind = "convert"
    static let shareable = true
    static let settingKeys: Set<String> = ["max_records", "max_bytes", "compression", "level", "on_error", "format", "parquet_compression", "row_group_size"]

    var maxRecords: Int?
    var maxBytes: Int?
    var compression: Compression = .zstd
    var level = 3
    var onError: ErrorPolicy = .fail
    var format: OutputFormat = .jsonl
    var parquet = ParquetWriteOptions()

    init(spec: StageSpec, document doc: YAMLDocument, runSeed: UInt64) throws {
        var levelNode: Node?
        for (key, _, value) in try doc.mapping(spec.node, spec.entry, allowed: Self.settingKeys.union(["name", "kind", "inputs"])) {
            switch key {
            case "max_records":
                maxRecords = try doc.integer(value, spec.entry, what: key)
                if (maxRecords ?? 0) < 1 { throw doc.error(value, spec.entry, "max_records should be at least 1") }
            case "max_bytes":
                maxBytes = try doc.integer(value, spec.entry, what: key)
                if (maxBytes ?? 0) < 1 { throw doc.error(value, spec.entry, "max_bytes should be at least 1") }
            case "compression":
                guard let c = Compression(argument: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "compression should be zstd, gzip or none")
                }
                compression = c
            case "level": level = try doc.integer(value, spec.entry, what: key); levelNode = value
            case "format":
                guard let f = OutputFormat(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "format should be jsonl or parquet")
                }
                format = f
            case "parquet_compression":
                guard let c = ParquetWriteOptions.Codec(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "parquet_compression should be zstd, snappy or none")
                }
                parquet.codec = c
            case "row_group_size": parquet.rowGroupRows = try doc.integer(value, spec.entry, what: key, in: 1...100_000_000)
            case "on_error":
                guard let p = ErrorPolicy(rawValue: try doc.string(value, spec.entry)) else {
                    throw doc.error(value, spec.entry, "on_error should be fail or skip")
                }
                onError = p
            default: break
            }
        }
        if let levelNode, let problem = compression.levelProblem(level) { throw doc.error(levelNode, spec.entry, problem) }
        if spec.inputs.isEmpty { throw doc.error(spec.node, spec.entry, "a convert stage needs at least one input") }
    }

    var settings: JSONValue {
        .object(JSONObject([
            .init(key: "max_records", value: maxRecords.map { .int($0) } ?? .null),
            .init(key: "max_bytes", value: maxBytes.map { .int($0) } ?? .null),
            .init(key: "compression", value: .string(compression.rawValue)),
            .init(key: "level", value: .int(level)),
            .init(key: "on_error", value: .string(onError.rawValue)),
        ] + (format == .parquet ? [
            .init(key: "format", value: .string(format.rawValue)),
            .init(key: "parquet_compression", value: .string(parquet.codec.rawValue)),
            .init(key: "row_group_size", value: .int(parquet.rowGroupRows)),
        ] : [])))
    }

    func run(inputs: [StageInput], output: String, context: StageContext) throws -> StageOutcome {
        let started = Date()
        let files = inputs.flatMap(\.files)
        let shares = try ShareRun(spec: context.share, files: files, read: ReadOptions())
        let rejected = onError == .skip ? RejectedWriter(directory: output, name: shares.name("rejected")) : nil
        let reader = RecordReader(slices: shares.slices, policy: onError, rejected: rejected)
        let writer = try ShardedWriter(directory: output, options: shares.apply(ShardOptions(
            prefix: "part", compression: compression, level: level, maxRecords: maxRecords, maxBytes: maxBytes, workers: context.threads,
            format: format, parquet: parquet)))
        if let rejected { writer.rejectUnfit = { try rejected.write(line: $0, error: $1) } }
        let parallel = OrderedParallel<LineBatch, (LineBatch, [Result<RawRecord, CurationError>])>(threads: context.threads) {
            ($0, RecordReader.parse($0))
        }
        let consume: ((LineBatch, [Result<RawRecord, CurationError>])) throws -> Void = { item in
            for r in try reader.absorb(item.0, item.1) { try writer.write(r) }
            TestHooks.recordsProcessed(reader.counts.records, kind: "convert")
        }
        try reader.forEachBatch { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        let manifest = try writer.finish()
        try rejected?.finish()
        var rep = StageReport(stage: "convert")
        rep.absorb(reader.counts)
        rep.recordsOut = manifest.records
        if writer.rejectedUnfit > 0 { rep.drop("rejected:parquet-schema", count: writer.rejectedUnfit) }
        rep.bytesOut = manifest.compressedBytes
        rep.seconds = Date().timeIntervalSince(started)
        rep.settings = settings.objectValue.map { Dictionary($0.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
        return StageOutcome(report: rep, manifest: manifest, shareOutputs: [manifest],
                            sideFiles: ["rejected.jsonl", "rejected.reasons.jsonl"].map { (output as NSString).appendingPathComponent($0) },
                            slices: context.share == nil ? [] : shares.slices.map(\.description))
    }
}
