/// The footer's structures, as far as reading rows needs them (parquet.thrift `FileMetaData`,
/// `SchemaElement`, `RowGroup`, `ColumnChunk`, `ColumnMetaData`). Statistics, indexes and bloom filters
/// are skipped: a full scan does not need them.

struct SchemaElement {
    var type: ParquetPhysicalType?
    var typeLength: Int32 = 0
    var repetition: ParquetRepetition?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var scale: Int32 = 0
    var precision: Int32 = 0
    var logical: ParquetLogicalType?

    var logicalType: ParquetLogicalType {
        if let l = logical, l != .none { return l }
        if let c = convertedType { return .converted(c, scale: Int(scale), precision: Int(precision)) }
        return .none
    }

    static func read(_ r: inout ThriftCompactReader) throws -> SchemaElement {
        var e = SchemaElement()
        try r.readStruct { r, id, t in
            switch id {
            case 1: try r.expect(t, .i32, "SchemaElement.type"); e.type = ParquetPhysicalType(try r.i32())
            case 2: try r.expect(t, .i32, "SchemaElement.type_length"); e.typeLength = try r.i32()
            case 3:
                try r.expect(t, .i32, "SchemaElement.repetition_type")
                switch try r.i32() {
                case 0: e.repetition = .required
                case 1: e.repetition = .optional
                case 2: e.repetition = .repeated
                case let v: throw ParquetDecodeError("schema: unknown repetition type \(v)")
                }
            case 4: try r.expect(t, .binary, "SchemaElement.name"); e.name = try r.string()
            case 5: try r.expect(t, .i32, "SchemaElement.num_children"); e.numChildren = try r.i32()
            case 6: try r.expect(t, .i32, "SchemaElement.converted_type"); e.convertedType = try r.i32()
            case 7: try r.expect(t, .i32, "SchemaElement.scale"); e.scale = try r.i32()
            case 8: try r.expect(t, .i32, "SchemaElement.precision"); e.precision = try r.i32()
            case 10: try r.expect(t, .structure, "SchemaElement.logicalType"); e.logical = try readLogicalType(&r)
            default: try r.skip(t)
            }
        }
        return e
    }

    /// The `LogicalType` union: exactly one field set, each a (mostly empty) struct.
    static func readLogicalType(_ r: inout ThriftCompactReader) throws -> ParquetLogicalType {
        var result = ParquetLogicalType.none
        try r.readStruct { r, id, t in
            guard t == ThriftCompactReader.FieldType.structure.rawValue else { try r.skip(t); return }
            switch id {
            case 1: try r.skip(t); result = .string
            case 2: try r.skip(t); result = .map
            case 3: try r.skip(t); result = .list
            case 4: try r.skip(t); result = .enumeration
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: try r.expect(t, .i32, "DecimalType.scale"); scale = try r.i32()
                    case 2: try r.expect(t, .i32, "DecimalType.precision"); precision = try r.i32()
                    default: try r.skip(t)
                    }
                }
                result = .decimal(scale: Int(scale), precision: Int(precision))
            case 6: try r.skip(t); result = .date
            case 7, 8:
                var utc = false, unit = ParquetLogicalType.TimeUnit.millis
                try r.readStruct { r, fid, ft in
                    switch fid {
                    case 1: utc = try r.bool(ft)
                    case 2:
                        try r.expect(ft, .structure, "TimeUnit")
                        try r.readStruct { r, uid, ut in
                            switch uid {
                            case 1: unit = .millis
                            case 2: unit = .micros
                            case 3: unit = .nanos
                            default: break
                            }
                            try r.skip(ut)
                        }
                    default: try r.skip(ft)
                    }
                }
                result = id == 7 ? .time(unit: unit, utc: utc) : .timestamp(unit: unit, utc: utc)
            case 10:
                var bits: Int = 0, signed = true
                try r.readStruct { r, fid, ft in
                    switch fid {
                    case 1: try r.expect(ft, .byte, "IntType.bitWidth"); bits = Int(Int8(bitPattern: try r.byte()))
                    case 2: signed = try r.bool(ft)
                    default: try r.skip(ft)
                    }
                }
                result = .integer(bits: bits, signed: signed)
            case 11: try r.skip(t); result = .unknownNull
            case 12: try r.skip(t); result = .json
            case 13: try r.skip(t); result = .bson
            case 14: try r.skip(t); result = .uuid
            case 15: try r.skip(t); result = .float16
            default: try r.skip(t); result = .other("logical type \(id)")
            }
        }
        return result
    }
}

struct ColumnMetaData {
    var type = ParquetPhysicalType.unknown(-1)
    var encodings: [Int32] = []
    var path: [String] = []
    var codec = ParquetCodec.uncompressed
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?

    static func read(_ r: inout ThriftCompactReader) throws -> ColumnMetaData {
        var m = ColumnMetaData()
        try r.readStruct { r, id, t in
            switch id {
            case 1: try r.expect(t, .i32, "ColumnMetaData.type"); m.type = ParquetPhysicalType(try r.i32())
            case 2: try r.expect(t, .list, "ColumnMetaData.encodings"); m.encodings = try r.i32List()
            case 3: try r.expect(t, .list, "ColumnMetaData.path_in_schema"); m.path = try r.stringList()
            case 4: try r.expect(t, .i32, "ColumnMetaData.codec"); m.codec = ParquetCodec(try r.i32())
            case 5: try r.expect(t, .i64, "ColumnMetaData.num_values"); m.numValues = try r.i64()
            case 6: try r.expect(t, .i64, "ColumnMetaData.total_uncompressed_size"); m.totalUncompressedSize = try r.i64()
            case 7: try r.expect(t, .i64, "ColumnMetaData.total_compressed_size"); m.totalCompressedSize = try r.i64()
            case 9: try r.expect(t, .i64, "ColumnMetaData.data_page_offset"); m.dataPageOffset = try r.i64()
            case 11: try r.expect(t, .i64, "ColumnMetaData.dictionary_page_offset"); m.dictionaryPageOffset = try r.i64()
            default: try r.skip(t)
            }
        }
        return m
    }
}

struct ColumnChunk {
    var filePath: String?
    var meta: ColumnMetaData?
    var encrypted = false

    static func read(_ r: inout ThriftCompactReader) throws -> ColumnChunk {
        var c = ColumnChunk()
        try r.readStruct { r, id, t in
            switch id {
            case 1: try r.expect(t, .binary, "ColumnChunk.file_path"); c.filePath = try r.string()
            case 3: try r.expect(t, .structure, "ColumnChunk.meta_data"); c.meta = try ColumnMetaData.read(&r)
            case 8, 9: c.encrypted = true; try r.skip(t)
            default: try r.skip(t)
            }
        }
        return c
    }
}

struct RowGroup {
    var columns: [ColumnChunk] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0

    static func read(_ r: inout ThriftCompactReader) throws -> RowGroup {
        var g = RowGroup()
        try r.readStruct { r, id, t in
            switch id {
            case 1: try r.expect(t, .list, "RowGroup.columns"); g.columns = try r.structList { try ColumnChunk.read(&$0) }
            case 2: try r.expect(t, .i64, "RowGroup.total_byte_size"); g.totalByteSize = try r.i64()
            case 3: try r.expect(t, .i64, "RowGroup.num_rows"); g.numRows = try r.i64()
            default: try r.skip(t)
            }
        }
        return g
    }
}

struct FileMetaData {
    var version: Int32 = 0
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []
    var keyValues: [(String, String?)] = []
    var createdBy: String?

    static func read(_ r: inout ThriftCompactReader) throws -> FileMetaData {
        var m = FileMetaData()
        var sawSchema = false
        try r.readStruct { r, id, t in
            switch id {
            case 1: try r.expect(t, .i32, "FileMetaData.version"); m.version = try r.i32()
            case 2: try r.expect(t, .list, "FileMetaData.schema"); m.schema = try r.structList { try SchemaElement.read(&$0) }; sawSchema = true
            case 3: try r.expect(t, .i64, "FileMetaData.num_rows"); m.numRows = try r.i64()
            case 4: try r.expect(t, .list, "FileMetaData.row_groups"); m.rowGroups = try r.structList { try RowGroup.read(&$0) }
            case 5:
                try r.expect(t, .list, "FileMetaData.key_value_metadata")
                m.keyValues = try r.structList { r in
                    var k = "", v: String?
                    try r.readStruct { r, id, t in
                        switch id {
                        case 1: try r.expect(t, .binary, "KeyValue.key"); k = try r.string()
                        case 2: try r.expect(t, .binary, "KeyValue.value"); v = try r.string()
                        default: try r.skip(t)
                        }
                    }
                    return (k, v)
                }
            case 6: try r.expect(t, .binary, "FileMetaData.created_by"); m.createdBy = try r.string()
            default: try r.skip(t)
            }
        }
        guard sawSchema else { throw ParquetDecodeError("footer has no schema") }
        return m
    }
}
