import Curation

/// Rewrites a record's lineage fields in one copy of its bytes: replaces the value of `source` and
/// `orig_id` (or appends them before the closing brace), and leaves a gap where the output `id` goes,
/// so the copies of a record differ only in that gap. Every other byte is unchanged.
struct SplicedRecord: Sendable {
    /// The record's bytes with the id value left out.
    var bytes: [UInt8]
    /// Where the id's JSON goes in `bytes`.
    var idOffset: Int

    /// - Parameters:
    ///   - edits: (key, JSON text) for fields to set besides `id`, in the order new ones are appended.
    init(record: RawRecord, edits: [(String, [UInt8])]) {
        let src = record.bytes
        // Replacements in place (by the last occurrence of each key), and appends before the brace.
        var ops: [(range: Range<Int>, value: [UInt8], isID: Bool)] = []
        var appends: [(String, [UInt8]?)] = []
        if let r = record.span("id") { ops.append((r, [], true)) } else { appends.append(("id", nil)) }
        for (k, v) in edits {
            if let r = record.span(k) { ops.append((r, v, false)) } else { appends.append((k, v)) }
        }
        ops.sort { $0.range.lowerBound < $1.range.lowerBound }
        let close = src.lastIndex(of: UInt8(ascii: "}")) ?? src.count
        var out: [UInt8] = []
        out.reserveCapacity(src.count + 96)
        var idOffset = 0
        var pos = 0
        for op in ops {
            out.append(contentsOf: src[pos..<op.range.lowerBound])
            if op.isID { idOffset = out.count } else { out.append(contentsOf: op.value) }
            pos = op.range.upperBound
        }
        out.append(contentsOf: src[pos..<close])
        var hasFields = !record.fields.isEmpty
        for (k, v) in appends {
            if hasFields { out.append(UInt8(ascii: ",")) }
            hasFields = true
            JSONWriter.writeString(k, into: &out)
            out.append(UInt8(ascii: ":"))
            if let v { out.append(contentsOf: v) } else { idOffset = out.count }
        }
        out.append(contentsOf: src[close...])
        self.bytes = out
        self.idOffset = idOffset
    }
}
