import Curation

/// What the scan learns about one line (computed on a worker thread).
struct ScanLine: Sendable {
    enum Outcome: Sendable { case kept, filtered(String), bad(CurationError) }
    var outcome: Outcome
    var key: UInt64 = 0
    var tokens: UInt32 = 0
    var contentHash: UInt64 = 0
    var idHash: UInt64 = 0
    /// The record's id, kept only when the scanner is asked to (a sharded mix's scan writes it for the plan).
    var id: String? = nil
}

/// The per-line work of the scan: parse, id and sampling key, field predicates, text, tokens, length
/// bounds and (with dedupe) the normalised text's hash. Pure: safe on any thread.
struct LineScanner<Counter: TokenCounter>: Sendable {
    let source: MixSource
    let seed: UInt64
    let counter: Counter
    let dedupe: Bool
    /// The recipe's `normalize:`: a record it cannot map is filtered out here (`normalize: REASON`), so the
    /// sampling only ever picks records that will be written.
    let recordNormalizer: RecordNormalizer?
    /// Whether kept lines carry their id string (`ScanLine.id`).
    var keepID = false
    let normalizer = TextNormalizer()

    func scan(_ batch: LineBatch) -> [ScanLine] {
        batch.lines.map { l in
            do {
                let record = try batch.record(l)
                return try scan(record)
            } catch let e as CurationError {
                return ScanLine(outcome: .bad(e))
            } catch {
                return ScanLine(outcome: .bad(.badRecord(batch.location(l), reason: "\(error)")))
            }
        }
    }

    func scan(_ record: RawRecord) throws -> ScanLine {
        let id = try RecordID.of(record, field: source.idField)
        for p in source.predicates where try !p.matches(record) { return ScanLine(outcome: .filtered(p.description)) }
        if let n = recordNormalizer, let why = try n.dropReason(record) {
            return ScanLine(outcome: .filtered(RecordNormalizer.reasonPrefix + why))
        }
        let text = try RecordText.text(of: record, schema: source.schema)
        let tokens = counter.countTokens(text)
        if let bounds = source.length,
           let why = bounds.failure(tokens: tokens, chars: bounds.needsChars ? text.unicodeScalars.count : 0) {
            return ScanLine(outcome: .filtered(why))
        }
        if let why = source.language?.failure(text) { return ScanLine(outcome: .filtered(why)) }
        return ScanLine(outcome: .kept, key: SamplingKey.record(seed: seed, source: source.name, id: id),
                        tokens: UInt32(clamping: tokens), contentHash: dedupe ? normalizer.contentHash(text) : 0,
                        idHash: SamplingKey.id(id), id: keepID ? id : nil)
    }
}

/// A taken record ready for the shuffler: its id, its copies, and its bytes with lineage fields set.
struct GatheredRecord: Sendable {
    var id: String
    var copies: UInt32
    var record: SplicedRecord
    /// The line's index in what the gather reads (the copies array's index).
    var line: Int
}

struct GatherBatch: Sendable {
    var records: [GatheredRecord] = []
    /// Uncompressed bytes of the batch (for progress).
    var bytes = 0
    var error: CurationError?
}

/// The per-line work of the gather: only lines with copies are parsed.
struct LineGatherer: Sendable {
    let source: MixSource
    let copies: [UInt32]
    let sourceJSON: [UInt8]
    let recordNormalizer: RecordNormalizer?

    init(source: MixSource, copies: [UInt32], recordNormalizer: RecordNormalizer?) {
        self.source = source
        self.copies = copies
        self.recordNormalizer = recordNormalizer
        var b: [UInt8] = []
        JSONWriter.writeString(source.name, into: &b)
        sourceJSON = b
    }

    func gather(_ batch: LineBatch, firstLine: Int) -> GatherBatch {
        var out = GatherBatch()
        out.bytes = batch.data.count
        for (k, l) in batch.lines.enumerated() {
            let line = firstLine + k
            guard line < copies.count else {
                out.error = .io(path: batch.file, reason: "source \"\(source.name)\" changed while mixing (more lines than at the scan)")
                return out
            }
            let n = copies[line]
            guard n > 0 else { continue }
            do {
                let record = try batch.record(l)
                let id = try RecordID.of(record, field: source.idField)
                var edits: [(String, [UInt8])] = []
                if let old = record.rawValue("source"), !old.elementsEqual(sourceJSON) {
                    edits.append(("orig_source", Array(old)))
                }
                edits.append(("source", sourceJSON))
                var origID: [UInt8] = []
                if let raw = record.rawValue(source.idField ?? "id"), let c = raw.first, c == UInt8(ascii: "\"") || c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39),
                   raw.count > 2 || c != UInt8(ascii: "\"") {
                    origID = Array(raw)
                } else {
                    JSONWriter.writeString(id, into: &origID)
                }
                edits.append(("orig_id", origID))
                var written = record
                if let normalizer = recordNormalizer {
                    // The scan dropped every record the normaliser cannot map, so this is always a record.
                    guard case .record(let r) = try normalizer.normalize(record, id: id) else {
                        out.error = .io(path: batch.file, reason: "source \"\(source.name)\" changed while mixing (a record the scan normalised no longer maps)")
                        return out
                    }
                    written = r
                }
                out.records.append(GatheredRecord(id: id, copies: n, record: SplicedRecord(record: written, edits: edits), line: line))
            } catch let e as CurationError {
                out.error = e
                return out
            } catch {
                out.error = .badRecord(batch.location(l), reason: "\(error)")
                return out
            }
        }
        return out
    }
}
