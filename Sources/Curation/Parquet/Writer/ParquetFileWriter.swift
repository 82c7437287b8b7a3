import Foundation

/// Writes one Parquet file: `PAR1`, row groups of column chunks of data pages (v1, PLAIN values,
/// RLE/bit-packed levels), then the footer (Thrift compact `FileMetaData`) and `PAR1`. The file is
/// written under a temporary name and renamed into place by `finish` (`AtomicFileWriter`).
final class ParquetFileWriter {
    private struct ChunkMeta {
        var path: [String]
        var type: Int32
        var numValues: Int64
        var uncompressed: Int64
        var compressed: Int64
        var dataPageOffset: Int64
        var dictionaryPageOffset: Int64?
        var nullCount: Int64
        var min: [UInt8]?
        var max: [UInt8]?
    }
    private struct GroupMeta {
        var chunks: [ChunkMeta]
        var rows: Int64
        var fileOffset: Int64
    }

    let path: String
    private let file: AtomicFileWriter
    private let root: InferredField
    private let options: ParquetWriteOptions
    private let compressor: PageCompressor
    private var groups: [GroupMeta] = []
    private var rows: Int64 = 0
    private var page: [UInt8] = []
    private var compressed: [UInt8] = []
    /// Statistics longer than this are left out of the footer (as parquet-cpp does past its limit).
    static let maxStatisticsBytes = 4096

    init(path: String, root: InferredField, options: ParquetWriteOptions, compressor: PageCompressor) throws {
        self.path = path
        self.root = root
        self.options = options
        self.compressor = compressor
        file = try AtomicFileWriter(path: path)
        try file.write(Self.magic)
    }

    static let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]

    private var offset: Int64 { Int64(file.bytesWritten) }

    static func physicalType(_ c: ColumnBuffer.Physical) -> Int32 {
        switch c {
        case .boolean: return 0
        case .int64: return 2
        case .double: return 5
        case .byteArray: return 6
        }
    }

    /// Writes the buffered rows of `columns` as one row group. The buffers are left for the caller to reset.
    func writeRowGroup(_ columns: [ColumnBuffer], rows n: Int) throws {
        guard n > 0 else { return }
        let start = offset
        var chunks: [ChunkMeta] = []
        for c in columns { chunks.append(try writeChunk(c, rows: n)) }
        groups.append(GroupMeta(chunks: chunks, rows: Int64(n), fileOffset: start))
        rows += Int64(n)
    }

    /// Compresses `page` and writes it with its header (`type` 0: data page v1, 2: dictionary page;
    /// `header` adds the type's own header struct). Returns the uncompressed bytes it counts for.
    private func writePage(type: Int32, column: ColumnBuffer, _ header: (inout ThriftCompactWriter) -> Void) throws -> Int64 {
        // Uncompressed pages are written from `page` itself (no copy into `compressed`).
        let stored = compressor.codec == .none
        if !stored { try page.withUnsafeBytes { try compressor.compress($0, into: &compressed) } }
        let storedCount = stored ? page.count : compressed.count
        guard page.count <= Int(Int32.max), storedCount <= Int(Int32.max) else {
            throw ParquetError(file: path, column: column.path.joined(separator: "."), reason: "a page over 2 GiB")
        }
        var h = ThriftCompactWriter()
        h.i32(1, type)
        h.i32(2, Int32(page.count))
        h.i32(3, Int32(storedCount))
        header(&h)
        h.stop()
        try file.write(h.bytes)
        try file.write(stored ? page : compressed)
        return Int64(h.bytes.count + page.count)
    }

    private func writeChunk(_ c: ColumnBuffer, rows n: Int) throws -> ChunkMeta {
        let chunkStart = offset
        var uncompressedTotal: Int64 = 0
        let dictionary = c.physical == .byteArray && options.dictionary ? StringDictionary.build(c.values, valueCount: c.valueCount) : nil
        if let d = dictionary {
            page.removeAll(keepingCapacity: true)
            page.append(contentsOf: d.plain)
            uncompressedTotal += try writePage(type: 2, column: c) { h in
                h.beginStruct(7)
                h.i32(1, Int32(d.count))
                h.i32(2, 0) // PLAIN
                h.endStruct()
            }
        }
        let dataStart = offset
        var row = 0
        let entries = c.def.count
        while row < n {
            // A page holds whole rows, up to the page byte limit (at least one row).
            var end = row + 1
            let firstBytes = c.rowValueBytes[row]
            while end < n, c.rowValueBytes[end] - firstBytes < options.pageBytes, c.rowEntries[end] - c.rowEntries[row] < 1 << 20 { end += 1 }
            let e0 = c.rowEntries[row], e1 = end < n ? c.rowEntries[end] : entries
            let b0 = c.rowValueBytes[row], b1 = end < n ? c.rowValueBytes[end] : c.values.count
            let v0 = c.rowValueCounts[row], v1 = end < n ? c.rowValueCounts[end] : c.valueCount
            page.removeAll(keepingCapacity: true)
            if c.maxRep > 0 {
                c.rep.withUnsafeBufferPointer { r in
                    LevelEncoder.encodeWithLength(UnsafeBufferPointer(rebasing: r[e0..<e1]), bitWidth: LevelEncoder.bitWidth(c.maxRep), into: &page)
                }
            }
            if c.maxDef > 0 {
                c.def.withUnsafeBufferPointer { d in
                    LevelEncoder.encodeWithLength(UnsafeBufferPointer(rebasing: d[e0..<e1]), bitWidth: LevelEncoder.bitWidth(c.maxDef), into: &page)
                }
            }
            if let d = dictionary {
                page.append(UInt8(d.bitWidth))
                d.indices.withUnsafeBufferPointer { ix in
                    LevelEncoder.encode(UnsafeBufferPointer(rebasing: ix[v0..<v1]), bitWidth: d.bitWidth, into: &page)
                }
            } else if c.physical == .boolean {
                var acc: UInt8 = 0
                var bit = 0
                for k in v0..<v1 {
                    acc |= (c.values[k] & 1) << UInt8(bit)
                    bit += 1
                    if bit == 8 { page.append(acc); acc = 0; bit = 0 }
                }
                if bit > 0 { page.append(acc) }
            } else {
                c.values.withUnsafeBufferPointer { page.append(contentsOf: UnsafeBufferPointer(rebasing: $0[b0..<b1])) }
            }
            let encoding: Int32 = dictionary == nil ? 0 : 8 // PLAIN or RLE_DICTIONARY
            uncompressedTotal += try writePage(type: 0, column: c) { h in
                h.beginStruct(5)
                h.i32(1, Int32(e1 - e0))
                h.i32(2, encoding)
                h.i32(3, 3) // RLE
                h.i32(4, 3) // RLE
                h.endStruct()
            }
            row = end
        }
        var meta = ChunkMeta(path: c.path, type: Self.physicalType(c.physical), numValues: Int64(entries),
                             uncompressed: uncompressedTotal, compressed: offset - chunkStart, dataPageOffset: dataStart,
                             dictionaryPageOffset: dictionary == nil ? nil : chunkStart, nullCount: Int64(c.nullCount), min: nil, max: nil)
        if c.valueCount > 0 {
            switch c.physical {
            case .boolean:
                meta.min = [c.sawFalse ? 0 : 1]; meta.max = [c.sawTrue ? 1 : 0]
            case .int64:
                meta.min = withUnsafeBytes(of: c.minInt.littleEndian, Array.init)
                meta.max = withUnsafeBytes(of: c.maxInt.littleEndian, Array.init)
            case .double:
                // Parquet's rule for zeros: a min of zero is written -0.0, a max of zero +0.0.
                let lo = c.minDouble == 0 ? -0.0 : c.minDouble, hi = c.maxDouble == 0 ? 0.0 : c.maxDouble
                meta.min = withUnsafeBytes(of: lo.bitPattern.littleEndian, Array.init)
                meta.max = withUnsafeBytes(of: hi.bitPattern.littleEndian, Array.init)
            case .byteArray:
                if let lo = c.minBytes, let hi = c.maxBytes, lo.count <= Self.maxStatisticsBytes, hi.count <= Self.maxStatisticsBytes {
                    meta.min = Array(c.values[lo]); meta.max = Array(c.values[hi])
                }
            }
        }
        return meta
    }

    /// Writes the footer and renames the file into place. Returns the file's size.
    func finish() throws -> Int {
        var w = ThriftCompactWriter()
        w.i32(1, 2) // version
        var elements = 1
        func count(_ f: InferredField) -> Int {
            switch f.kind {
            case .object: return 1 + f.children.reduce(0) { $0 + count($1) }
            case .list: return 2 + (f.element.map(count) ?? 0)
            default: return 1
            }
        }
        for c in root.children { elements += count(c) }
        w.listHeader(2, .structure, count: elements)
        w.beginElement()
        w.string(4, "schema")
        w.i32(5, Int32(root.children.count))
        w.endStruct()
        func element(_ f: InferredField, name: [UInt8]) {
            w.beginElement()
            switch f.kind {
            case .bool: w.i32(1, 0)
            case .int: w.i32(1, 2)
            case .double: w.i32(1, 5)
            case .string, .unknown, .json: w.i32(1, 6)
            case .object, .list: break
            }
            w.i32(3, 1) // OPTIONAL
            w.binary(4, name)
            switch f.kind {
            case .object:
                w.i32(5, Int32(f.children.count))
                w.endStruct()
                for c in f.children { element(c, name: c.name) }
            case .list:
                w.i32(5, 1)
                w.i32(6, 3) // converted LIST
                w.beginStruct(10); w.beginStruct(3); w.endStruct(); w.endStruct()
                w.endStruct()
                w.beginElement()
                w.i32(3, 2) // REPEATED
                w.string(4, "list")
                w.i32(5, 1)
                w.endStruct()
                if let e = f.element { element(e, name: Array("element".utf8)) }
            case .string, .unknown, .json:
                w.i32(6, 0) // converted UTF8
                w.beginStruct(10); w.beginStruct(1); w.endStruct(); w.endStruct()
                w.endStruct()
            default:
                w.endStruct()
            }
        }
        for c in root.children { element(c, name: c.name) }
        w.i64(3, rows)
        w.listHeader(4, .structure, count: groups.count)
        for (gi, g) in groups.enumerated() {
            w.beginElement()
            w.listHeader(1, .structure, count: g.chunks.count)
            var totalUncompressed: Int64 = 0, totalCompressed: Int64 = 0
            for c in g.chunks {
                totalUncompressed += c.uncompressed; totalCompressed += c.compressed
                w.beginElement()
                w.i64(2, c.dictionaryPageOffset ?? c.dataPageOffset)
                w.beginStruct(3)
                w.i32(1, c.type)
                w.i32List(2, c.dictionaryPageOffset == nil ? [0, 3] : [0, 3, 8]) // PLAIN, RLE (, RLE_DICTIONARY)
                w.stringList(3, c.path)
                w.i32(4, options.codec.thriftValue)
                w.i64(5, c.numValues)
                w.i64(6, c.uncompressed)
                w.i64(7, c.compressed)
                w.i64(9, c.dataPageOffset)
                if let d = c.dictionaryPageOffset { w.i64(11, d) }
                w.beginStruct(12)
                w.i64(3, c.nullCount)
                if let mx = c.max, let mn = c.min { w.binary(5, mx); w.binary(6, mn) }
                w.endStruct()
                w.endStruct()
                w.endStruct()
            }
            w.i64(2, totalUncompressed)
            w.i64(3, g.rows)
            w.i64(5, g.fileOffset)
            w.i64(6, totalCompressed)
            w.i32(7, Int32(truncatingIfNeeded: gi))
            w.endStruct()
        }
        w.string(6, options.createdBy)
        let leafCount = root.leaves.count
        w.listHeader(7, .structure, count: leafCount)
        for _ in 0..<leafCount {
            w.beginElement(); w.beginStruct(1); w.endStruct(); w.endStruct()
        }
        w.stop()
        let footer = w.bytes
        try file.write(footer)
        let n = UInt32(truncatingIfNeeded: footer.count)
        try file.write([UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)])
        try file.write(Self.magic)
        try file.commit()
        return file.bytesWritten
    }
}
