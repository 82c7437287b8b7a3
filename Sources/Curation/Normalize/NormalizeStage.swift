import Foundation

/// The normalize stage (`curate-tool normalize`, `kind: normalize`): every input record through a
/// `RecordNormalizer`, in input order, into one sharded output.
///
/// Records are parsed and normalised on worker threads; ids are made unique (`#2`, `#3`, ... for a
/// repeated id) on the calling thread in input order, so the output bytes do not depend on the thread
/// count. The report counts records in = records out + dropped, with `normalize: REASON` for records
/// that have nothing to map and `rejected:...` for bad lines under `--on-error skip`.
public enum NormalizeStage {
    public static func run(reader: RecordReader, writer: ShardedWriter, normalizer: RecordNormalizer, threads: Int,
                           progress: ((ReadCounts) -> Void)? = nil) throws -> (report: StageReport, manifest: Manifest) {
        let started = Date()
        var report = StageReport(stage: "normalize")
        var ids = UniqueIDs()
        let parallel = OrderedParallel<LineBatch, (LineBatch, [Result<RecordNormalizer.Outcome, CurationError>])>(threads: threads) { batch in
            (batch, batch.lines.map { l in
                do {
                    let record = try batch.record(l)
                    return .success(try normalizer.normalize(record, id: try RecordID.of(record)))
                } catch let e as CurationError {
                    return .failure(e)
                } catch {
                    return .failure(.badRecord(batch.location(l), reason: "\(error)"))
                }
            })
        }
        let consume: ((LineBatch, [Result<RecordNormalizer.Outcome, CurationError>])) throws -> Void = { item in
            var failures: [(index: Int, error: CurationError)] = []
            for (i, r) in item.1.enumerated() {
                switch r {
                case .failure(let e): failures.append((i, e))
                case .success(.dropped(let why)): report.drop(RecordNormalizer.reasonPrefix + why)
                case .success(.record(var record)):
                    let id = (try? record.string("id")).flatMap { $0 } ?? ""
                    let unique = ids.claim(id)
                    if unique != id { record = record.setting("id", to: .string(unique)) }
                    try writer.write(record)
                }
            }
            try reader.absorb(item.0, failures: failures)
            progress?(reader.counts)
        }
        try reader.forEachBatch { try parallel.submit($0, consume: consume) }
        try parallel.drain(consume)
        let manifest = try writer.finish()
        report.absorb(reader.counts)
        report.recordsOut = manifest.records
        if writer.rejectedUnfit > 0 { report.drop("rejected:parquet-schema", count: writer.rejectedUnfit) }
        report.bytesOut = manifest.compressedBytes
        report.seconds = Date().timeIntervalSince(started)
        report.settings["to"] = .string(normalizer.target.rawValue)
        report.settings["thinking_format"] = .string(normalizer.thinkingFormat.rawValue)
        report.settings["document_as"] = normalizer.documentAs.map { .string($0) } ?? .null
        report.settings["keep_fields"] = .array(normalizer.keptFields.map { .string($0) })
        try report.check()
        return (report, manifest)
    }
}
