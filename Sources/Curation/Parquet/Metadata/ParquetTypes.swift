/// Parquet's enums as the format defines them (parquet.thrift). Values outside the known set are kept as
/// `.unknown(n)` so a newer file fails with a message naming the value rather than a decoding error.

public enum ParquetPhysicalType: Equatable, Sendable {
    case boolean, int32, int64, int96, float, double, byteArray, fixedLenByteArray
    case unknown(Int32)

    init(_ v: Int32) {
        switch v {
        case 0: self = .boolean
        case 1: self = .int32
        case 2: self = .int64
        case 3: self = .int96
        case 4: self = .float
        case 5: self = .double
        case 6: self = .byteArray
        case 7: self = .fixedLenByteArray
        default: self = .unknown(v)
        }
    }
}

public enum ParquetRepetition: Equatable, Sendable {
    case required, optional, repeated
}

/// How a column chunk's pages are compressed.
public enum ParquetCodec: Equatable, Sendable, CustomStringConvertible {
    case uncompressed, snappy, gzip, lzo, brotli, lz4Hadoop, zstd, lz4Raw
    case unknown(Int32)

    init(_ v: Int32) {
        switch v {
        case 0: self = .uncompressed
        case 1: self = .snappy
        case 2: self = .gzip
        case 3: self = .lzo
        case 4: self = .brotli
        case 5: self = .lz4Hadoop
        case 6: self = .zstd
        case 7: self = .lz4Raw
        default: self = .unknown(v)
        }
    }

    public var description: String {
        switch self {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return "SNAPPY"
        case .gzip: return "GZIP"
        case .lzo: return "LZO"
        case .brotli: return "BROTLI"
        case .lz4Hadoop: return "LZ4"
        case .zstd: return "ZSTD"
        case .lz4Raw: return "LZ4_RAW"
        case .unknown(let v): return "codec \(v)"
        }
    }
}

/// A page's value (or level) encoding.
enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9

    static func name(_ v: Int32) -> String {
        switch ParquetEncoding(rawValue: v) {
        case .plain: return "PLAIN"
        case .plainDictionary: return "PLAIN_DICTIONARY"
        case .rle: return "RLE"
        case .bitPacked: return "BIT_PACKED"
        case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: return "DELTA_BYTE_ARRAY"
        case .rleDictionary: return "RLE_DICTIONARY"
        case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
        case nil: return "encoding \(v)"
        }
    }
}

/// The logical annotation of a schema element, from the `logicalType` union or, in older files, the
/// `converted_type` enum (both say the same thing; the union wins when both are present).
public enum ParquetLogicalType: Equatable, Sendable {
    case none
    case string, enumeration, json, bson, uuid, float16
    case map, list
    case date
    case decimal(scale: Int, precision: Int)
    case time(unit: TimeUnit, utc: Bool)
    case timestamp(unit: TimeUnit, utc: Bool)
    case integer(bits: Int, signed: Bool)
    case unknownNull
    case other(String)

    public enum TimeUnit: Equatable, Sendable { case millis, micros, nanos }

    /// From a converted type (the pre-2.4 annotation), with the element's scale and precision for DECIMAL.
    static func converted(_ v: Int32, scale: Int, precision: Int) -> ParquetLogicalType {
        switch v {
        case 0: return .string
        case 1: return .map
        case 3: return .list
        case 4: return .enumeration
        case 5: return .decimal(scale: scale, precision: precision)
        case 6: return .date
        case 7: return .time(unit: .millis, utc: true)
        case 8: return .time(unit: .micros, utc: true)
        case 9: return .timestamp(unit: .millis, utc: true)
        case 10: return .timestamp(unit: .micros, utc: true)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 19: return .json
        case 20: return .bson
        default: return .other("converted type \(v)")
        }
    }
}
