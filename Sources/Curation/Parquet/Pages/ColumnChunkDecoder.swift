/// One column chunk decoded: its levels and its values rendered as JSON, ready for record assembly.
struct ColumnData {
    /// Definition levels, one per entry; empty when the column's maximum is 0 (every entry defined).
    var def: [UInt8] = []
    /// Repetition levels, one per entry; empty when the column's maximum is 0 (one entry per row).
    var rep: [UInt8] = []
    var values = RenderedValues()
    var entries = 0
}

/// Walks a column chunk's pages (dictionary, data v1, data v2; index pages skipped), decompresses each,
/// decodes its levels and values and appends them to one `ColumnData`.
struct ColumnChunkDecoder {
    let column: ParquetSchema.Column
    let codec: ParquetCodec
    let limits: ParquetLimits

    /// Decodes the chunk's bytes. `numValues` is the entry count from the column metadata; the pages must
    /// add up to it. Errors carry the index of the page they happened in.
    func decode(_ chunk: UnsafeRawBufferPointer, numValues: Int, budget: inout MemoryBudget) throws -> ColumnData {
        var data = ColumnData()
        var dictionary: RenderedValues?
        var pos = 0
        var page = 0
        let values = ValueDecoder(type: column.physicalType, typeLength: column.typeLength, kind: column.render)
        do {
            while data.entries < numValues {
                guard pos < chunk.count else {
                    throw ParquetDecodeError("column chunk ends after \(data.entries) of its \(numValues) values")
                }
                var reader = ThriftCompactReader(chunk, position: pos)
                let header = try PageHeader.read(&reader)
                pos = reader.position
                let compressed = Int(header.compressedSize), uncompressed = Int(header.uncompressedSize)
                guard compressed <= chunk.count - pos else {
                    throw ParquetDecodeError("page of \(compressed) bytes runs past its column chunk (\(chunk.count - pos) bytes left)")
                }
                guard uncompressed <= limits.maxPageBytes, compressed <= limits.maxPageBytes else {
                    throw ParquetDecodeError("page of \(max(compressed, uncompressed)) bytes is larger than the limit of \(limits.maxPageBytes)")
                }
                let body = UnsafeRawBufferPointer(rebasing: chunk[pos..<(pos + compressed)])
                pos += compressed
                switch header.kind {
                case .index:
                    break
                case .dictionary:
                    guard dictionary == nil else { throw ParquetDecodeError("a second dictionary page") }
                    guard header.numValues >= 0 else { throw ParquetDecodeError("dictionary page with \(header.numValues) values") }
                    try budget.charge(uncompressed, "a dictionary page")
                    let bytes = try PageDecompressor.decompress(codec, body, uncompressedSize: uncompressed)
                    var dict = RenderedValues()
                    try budget.charge(Int(header.numValues) * 8, "a dictionary page")
                    _ = try bytes.withUnsafeBytes { try values.plain($0, count: Int(header.numValues), into: &dict) }
                    try budget.charge(dict.text.count, "a dictionary page")
                    dictionary = dict
                case .dataV1:
                    guard header.sawTypeHeader, header.numValues >= 0 else { throw ParquetDecodeError("data page without a valid data page header") }
                    let n = Int(header.numValues)
                    guard n <= numValues - data.entries else {
                        throw ParquetDecodeError("data page of \(n) values past the \(numValues) of its column chunk")
                    }
                    try budget.charge(n * 10 + uncompressed, "a data page")
                    let bytes = try PageDecompressor.decompress(codec, body, uncompressedSize: uncompressed)
                    try bytes.withUnsafeBytes { b in
                        var p = 0
                        if column.maxRepetitionLevel > 0 {
                            guard header.repetitionLevelEncoding == ParquetEncoding.rle.rawValue else {
                                throw ParquetDecodeError("repetition levels in \(ParquetEncoding.name(header.repetitionLevelEncoding)) are not supported")
                            }
                            p += try levels(b, at: p, lengthPrefixed: -1, count: n, max: column.maxRepetitionLevel, into: &data.rep, what: "repetition")
                        }
                        if column.maxDefinitionLevel > 0 {
                            guard header.definitionLevelEncoding == ParquetEncoding.rle.rawValue else {
                                throw ParquetDecodeError("definition levels in \(ParquetEncoding.name(header.definitionLevelEncoding)) are not supported")
                            }
                            p += try levels(b, at: p, lengthPrefixed: -1, count: n, max: column.maxDefinitionLevel, into: &data.def, what: "definition")
                        }
                        let present = presentCount(data, last: n)
                        try decodeValues(header.encoding, UnsafeRawBufferPointer(rebasing: b[p...]), count: present, values: values,
                                         dictionary: dictionary, budget: &budget, into: &data.values)
                    }
                    data.entries += n
                case .dataV2:
                    guard header.sawTypeHeader, header.numValues >= 0 else { throw ParquetDecodeError("data page without a valid data page header") }
                    let n = Int(header.numValues)
                    guard n <= numValues - data.entries else {
                        throw ParquetDecodeError("data page of \(n) values past the \(numValues) of its column chunk")
                    }
                    let repLen = Int(header.repetitionLevelsLength), defLen = Int(header.definitionLevelsLength)
                    guard repLen >= 0, defLen >= 0, repLen <= compressed, defLen <= compressed - repLen, repLen + defLen <= uncompressed else {
                        throw ParquetDecodeError("v2 page level lengths (\(repLen) + \(defLen)) do not fit its \(compressed) bytes")
                    }
                    try budget.charge(n * 10 + uncompressed, "a data page")
                    if column.maxRepetitionLevel > 0 {
                        _ = try levels(UnsafeRawBufferPointer(rebasing: body[0..<repLen]), at: 0, lengthPrefixed: repLen, count: n,
                                       max: column.maxRepetitionLevel, into: &data.rep, what: "repetition")
                    }
                    if column.maxDefinitionLevel > 0 {
                        _ = try levels(UnsafeRawBufferPointer(rebasing: body[repLen..<(repLen + defLen)]), at: 0, lengthPrefixed: defLen, count: n,
                                       max: column.maxDefinitionLevel, into: &data.def, what: "definition")
                    }
                    let rest = UnsafeRawBufferPointer(rebasing: body[(repLen + defLen)...])
                    let restSize = uncompressed - repLen - defLen
                    let bytes = header.isCompressed ? try PageDecompressor.decompress(codec, rest, uncompressedSize: restSize)
                        : try PageDecompressor.decompress(.uncompressed, rest, uncompressedSize: restSize)
                    let present = presentCount(data, last: n)
                    try bytes.withUnsafeBytes {
                        try decodeValues(header.encoding, $0, count: present, values: values, dictionary: dictionary, budget: &budget, into: &data.values)
                    }
                    data.entries += n
                case .unknown(let v):
                    throw ParquetDecodeError("unknown page type \(v)")
                }
                page += 1
            }
        } catch let e as ParquetDecodeError {
            throw PageFailure(page: page, reason: e.reason)
        }
        return data
    }

    /// Values present (definition level at the maximum) among the last `n` entries appended.
    private func presentCount(_ data: ColumnData, last n: Int) -> Int {
        let maxDef = column.maxDefinitionLevel
        guard maxDef > 0 else { return n }
        let m = UInt8(truncatingIfNeeded: maxDef)
        var c = 0
        data.def.withUnsafeBufferPointer { d in
            for k in (d.count - n)..<d.count where d[k] == m { c += 1 }
        }
        return c
    }

    /// Decodes `count` levels at `at` (v1: a 4-byte length first; v2: `lengthPrefixed` is the section's
    /// length) and appends them, checking each against the column's maximum. Returns the bytes used.
    private func levels(_ b: UnsafeRawBufferPointer, at: Int, lengthPrefixed: Int, count: Int, max: Int,
                        into out: inout [UInt8], what: String) throws -> Int {
        var start = at, len = lengthPrefixed, used = 0
        if lengthPrefixed < 0 {
            guard b.count - at >= 4 else { throw ParquetDecodeError("\(what) levels: truncated length") }
            len = Int(b.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
            start += 4; used = 4
            guard len <= b.count - start else { throw ParquetDecodeError("\(what) levels: length \(len) past the page") }
        }
        var scratch = [UInt32](repeating: 0, count: count)
        _ = try scratch.withUnsafeMutableBufferPointer { s -> Int in
            guard let p = s.baseAddress else { return 0 }
            return try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: b[start..<(start + len)]), width: BitUnpack.width(forMax: max), count: count, into: p)
        }
        out.reserveCapacity(out.count + count)
        for v in scratch {
            guard v <= UInt32(max) else { throw ParquetDecodeError("\(what) level \(v) above the column's maximum \(max)") }
            out.append(UInt8(truncatingIfNeeded: v))
        }
        return used + len
    }

    private func decodeValues(_ encoding: Int32, _ b: UnsafeRawBufferPointer, count: Int, values: ValueDecoder,
                              dictionary: RenderedValues?, budget: inout MemoryBudget, into out: inout RenderedValues) throws {
        let before = out.count, textBefore = out.text.count
        var charged = false
        switch ParquetEncoding(rawValue: encoding) {
        case .plain: try values.plain(b, count: count, into: &out)
        case .plainDictionary, .rleDictionary:
            guard let dict = dictionary else { throw ParquetDecodeError("dictionary-encoded page without a dictionary page") }
            try values.dictionary(b, count: count, dictionary: dict, budget: &budget, into: &out)
            charged = true
        case .rle: try values.rleBooleans(b, count: count, into: &out)
        case .deltaBinaryPacked: try values.deltaBinaryPacked(b, count: count, into: &out)
        case .deltaLengthByteArray: try values.deltaLengthByteArray(b, count: count, into: &out)
        case .deltaByteArray: try values.deltaByteArray(b, count: count, into: &out)
        case .byteStreamSplit: try values.byteStreamSplit(b, count: count, into: &out)
        case .bitPacked, nil: throw ParquetDecodeError("value encoding \(ParquetEncoding.name(encoding)) is not supported")
        }
        guard out.count - before == count else {
            throw ParquetDecodeError("page decoded \(out.count - before) values, its levels say \(count)")
        }
        // The JSON text is a few times the page's bytes at most (escapes, base64, dates): charged per page.
        if !charged { try budget.charge(out.text.count - textBefore, "the page's values as JSON") }
    }
}

/// A failure inside a column chunk, with the page it happened in.
struct PageFailure: Error {
    var page: Int
    var reason: String
}
