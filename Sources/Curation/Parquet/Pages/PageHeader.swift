/// A page header (parquet.thrift `PageHeader` with its data, dictionary and v2 headers), read with the
/// compact protocol straight from the column chunk's bytes.
struct PageHeader {
    enum Kind: Equatable { case dataV1, index, dictionary, dataV2, unknown(Int32) }

    var kind = Kind.unknown(-1)
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    // Data page (v1 and v2) and dictionary page fields.
    var numValues: Int32 = -1
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    // v2 only.
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true
    var sawTypeHeader = false

    static func read(_ r: inout ThriftCompactReader) throws -> PageHeader {
        var h = PageHeader()
        try r.readStruct { r, id, t in
            switch id {
            case 1:
                try r.expect(t, .i32, "PageHeader.type")
                switch try r.i32() {
                case 0: h.kind = .dataV1
                case 1: h.kind = .index
                case 2: h.kind = .dictionary
                case 3: h.kind = .dataV2
                case let v: h.kind = .unknown(v)
                }
            case 2: try r.expect(t, .i32, "PageHeader.uncompressed_page_size"); h.uncompressedSize = try r.i32()
            case 3: try r.expect(t, .i32, "PageHeader.compressed_page_size"); h.compressedSize = try r.i32()
            case 5:
                try r.expect(t, .structure, "PageHeader.data_page_header")
                h.sawTypeHeader = true
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: try r.expect(t, .i32, "DataPageHeader.num_values"); h.numValues = try r.i32()
                    case 2: try r.expect(t, .i32, "DataPageHeader.encoding"); h.encoding = try r.i32()
                    case 3: try r.expect(t, .i32, "DataPageHeader.definition_level_encoding"); h.definitionLevelEncoding = try r.i32()
                    case 4: try r.expect(t, .i32, "DataPageHeader.repetition_level_encoding"); h.repetitionLevelEncoding = try r.i32()
                    default: try r.skip(t)
                    }
                }
            case 7:
                try r.expect(t, .structure, "PageHeader.dictionary_page_header")
                h.sawTypeHeader = true
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: try r.expect(t, .i32, "DictionaryPageHeader.num_values"); h.numValues = try r.i32()
                    case 2: try r.expect(t, .i32, "DictionaryPageHeader.encoding"); h.encoding = try r.i32()
                    default: try r.skip(t)
                    }
                }
            case 8:
                try r.expect(t, .structure, "PageHeader.data_page_header_v2")
                h.sawTypeHeader = true
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: try r.expect(t, .i32, "DataPageHeaderV2.num_values"); h.numValues = try r.i32()
                    case 2: try r.expect(t, .i32, "DataPageHeaderV2.num_nulls"); h.numNulls = try r.i32()
                    case 3: try r.expect(t, .i32, "DataPageHeaderV2.num_rows"); h.numRows = try r.i32()
                    case 4: try r.expect(t, .i32, "DataPageHeaderV2.encoding"); h.encoding = try r.i32()
                    case 5: try r.expect(t, .i32, "DataPageHeaderV2.definition_levels_byte_length"); h.definitionLevelsLength = try r.i32()
                    case 6: try r.expect(t, .i32, "DataPageHeaderV2.repetition_levels_byte_length"); h.repetitionLevelsLength = try r.i32()
                    case 7: h.isCompressed = try r.bool(t)
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        guard h.compressedSize >= 0, h.uncompressedSize >= 0 else {
            throw ParquetDecodeError("page header without a valid size (compressed \(h.compressedSize), uncompressed \(h.uncompressedSize))")
        }
        return h
    }
}
