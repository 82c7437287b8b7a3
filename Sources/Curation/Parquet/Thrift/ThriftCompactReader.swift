/// A reader of Thrift's compact protocol, the encoding of Parquet's footer and page headers.
///
/// Only what Parquet's structures use: structs of numbered fields, varint/zigzag integers, doubles,
/// binaries, lists, booleans folded into field headers. Unknown fields are skipped (newer writers add
/// fields), with a nesting limit so a hostile run of nested struct headers cannot exhaust the stack.
/// Every count and length is checked against the bytes left before anything is allocated.
struct ThriftCompactReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    let base: UnsafeRawBufferPointer
    private(set) var position: Int
    private var depth = 0
    static let maxDepth = 48
    /// List elements the reader may still decode: a one-byte empty struct becomes a struct of a hundred
    /// bytes in memory, so the footer's bytes alone do not bound what decoding it allocates.
    var entriesLeft = Int.max

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        base = bytes
        self.position = position
    }

    var remaining: Int { base.count - position }

    @inline(__always)
    mutating func byte() throws -> UInt8 {
        guard position < base.count else { throw ParquetDecodeError("thrift: unexpected end of data") }
        let b = base[position]
        position += 1
        return b
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ParquetDecodeError("thrift: varint longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw ParquetDecodeError("thrift: i32 out of range (\(v))") }
        return r
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func double() throws -> Double {
        guard remaining >= 8 else { throw ParquetDecodeError("thrift: unexpected end of data in a double") }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(base[position + k]) << (8 * UInt64(k)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// A binary or string's byte range in `base`.
    mutating func binaryRange() throws -> Range<Int> {
        let n = try varint()
        guard n <= UInt64(remaining) else { throw ParquetDecodeError("thrift: binary of \(n) bytes runs past the end of data (\(remaining) left)") }
        let start = position
        position += Int(n)
        return start..<position
    }

    mutating func string() throws -> String {
        let r = try binaryRange()
        return String(decoding: UnsafeRawBufferPointer(rebasing: base[r]), as: UTF8.self)
    }

    /// A list header: element type and count. The count is bounded by the bytes left (every element takes
    /// at least one byte), so a caller may reserve that much.
    mutating func listHeader() throws -> (type: UInt8, count: Int) {
        let h = try byte()
        var n = UInt64(h >> 4)
        if n == 15 { n = try varint() }
        guard n <= UInt64(remaining) else { throw ParquetDecodeError("thrift: list of \(n) elements in \(remaining) bytes") }
        guard Int(n) <= entriesLeft else { throw ParquetDecodeError("thrift: more list elements than the reader's limit") }
        entriesLeft -= Int(n)
        return (h & 0x0F, Int(n))
    }

    /// Reads one struct, calling `field` with each field's id and type; `field` reads the value (through
    /// the typed readers) or calls `skip`. Field ids come as deltas from the previous one.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, UInt8) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw ParquetDecodeError("thrift: structs nest deeper than \(Self.maxDepth)") }
        var last: Int16 = 0
        while true {
            let h = try byte()
            let type = h & 0x0F
            if type == 0 { return }
            let delta = h >> 4
            let id: Int16
            if delta == 0 {
                let v = try zigzag()
                guard let i = Int16(exactly: v) else { throw ParquetDecodeError("thrift: field id out of range") }
                id = i
            } else {
                id = last &+ Int16(delta)
            }
            last = id
            try field(&self, id, type)
        }
    }

    /// The boolean of a struct field (its value lives in the field header's type).
    func bool(_ type: UInt8) throws -> Bool {
        switch type {
        case 1: return true
        case 2: return false
        default: throw ParquetDecodeError("thrift: expected a boolean field, found type \(type)")
        }
    }

    /// Checks a field's wire type before a typed read, so a field of the wrong type is an error rather
    /// than a misread.
    func expect(_ type: UInt8, _ wanted: FieldType, _ what: String) throws {
        guard type == wanted.rawValue else {
            throw ParquetDecodeError("thrift: field \(what) has wire type \(type), expected \(wanted)")
        }
    }

    /// Skips a value of `type` (nested structs, lists and maps included, to the depth limit).
    mutating func skip(_ type: UInt8) throws {
        switch type {
        case 1, 2: return
        case 3: _ = try byte()
        case 4, 5, 6: _ = try varint()
        case 7:
            guard remaining >= 8 else { throw ParquetDecodeError("thrift: unexpected end of data in a double") }
            position += 8
        case 8: _ = try binaryRange()
        case 9, 10:
            let (et, n) = try listHeader()
            try nested {
                for _ in 0..<n { try $0.skipElement(et) }
            }
        case 11:
            let n = try varint()
            guard n <= UInt64(remaining) else { throw ParquetDecodeError("thrift: map of \(n) entries in \(remaining) bytes") }
            if n == 0 { return }
            let kv = try byte()
            try nested {
                for _ in 0..<Int(n) { try $0.skipElement(kv >> 4); try $0.skipElement(kv & 0x0F) }
            }
        case 12: try readStruct { r, _, t in try r.skip(t) }
        default: throw ParquetDecodeError("thrift: unknown wire type \(type)")
        }
    }

    /// A list element: booleans take a whole byte there.
    mutating func skipElement(_ type: UInt8) throws {
        if type == 1 || type == 2 { _ = try byte() } else { try skip(type) }
    }

    private mutating func nested(_ body: (inout ThriftCompactReader) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw ParquetDecodeError("thrift: values nest deeper than \(Self.maxDepth)") }
        try body(&self)
    }

    /// Reads a list of i32 (Parquet's enums lists, e.g. a column's encodings).
    mutating func i32List() throws -> [Int32] {
        let (t, n) = try listHeader()
        guard t == FieldType.i32.rawValue || n == 0 else { throw ParquetDecodeError("thrift: expected a list of i32") }
        var out: [Int32] = []
        out.reserveCapacity(min(n, 1024))
        for _ in 0..<n { out.append(try i32()) }
        return out
    }

    mutating func stringList() throws -> [String] {
        let (t, n) = try listHeader()
        guard t == FieldType.binary.rawValue || n == 0 else { throw ParquetDecodeError("thrift: expected a list of strings") }
        var out: [String] = []
        out.reserveCapacity(min(n, 1024))
        for _ in 0..<n { out.append(try string()) }
        return out
    }

    /// Reads a list of structs, each with `element`.
    mutating func structList<T>(_ element: (inout ThriftCompactReader) throws -> T) throws -> [T] {
        let (t, n) = try listHeader()
        guard t == FieldType.structure.rawValue || n == 0 else { throw ParquetDecodeError("thrift: expected a list of structs") }
        var out: [T] = []
        out.reserveCapacity(min(n, 1024))
        try nested { r in
            for _ in 0..<n { out.append(try element(&r)) }
        }
        return out
    }
}
