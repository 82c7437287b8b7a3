/// A writer of Thrift's compact protocol: the mirror of `ThriftCompactReader`, for the footer and the
/// page headers the Parquet writer emits.
///
/// Fields are written in increasing id order inside each struct (`beginStruct` / `endStruct` keep the
/// last id per nesting level, as the protocol's field-id deltas need).
struct ThriftCompactWriter {
    typealias FieldType = ThriftCompactReader.FieldType

    private(set) var bytes: [UInt8] = []
    private var lastIDs: [Int16] = [0]

    init() {}

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    private mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let last = lastIDs[lastIDs.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            zigzag(Int64(id))
        }
        lastIDs[lastIDs.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, FieldType.i32.rawValue); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, FieldType.i64.rawValue); zigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) {
        fieldHeader(id, v ? FieldType.boolTrue.rawValue : FieldType.boolFalse.rawValue)
    }
    mutating func binary(_ id: Int16, _ v: [UInt8]) {
        fieldHeader(id, FieldType.binary.rawValue)
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }
    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    /// Opens a struct-valued field; its fields follow, then `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, FieldType.structure.rawValue)
        lastIDs.append(0)
    }

    /// Opens a struct that is a list element (no field header).
    mutating func beginElement() { lastIDs.append(0) }

    mutating func endStruct() {
        bytes.append(0)
        if lastIDs.count > 1 { lastIDs.removeLast() }
    }

    /// A list header for a field: element type and count; the elements follow.
    mutating func listHeader(_ id: Int16, _ elementType: FieldType, count: Int) {
        fieldHeader(id, FieldType.list.rawValue)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    /// Elements of a list (no field headers).
    mutating func elementI32(_ v: Int32) { zigzag(Int64(v)) }
    mutating func elementBinary(_ v: [UInt8]) { varint(UInt64(v.count)); bytes.append(contentsOf: v) }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, .i32, count: values.count)
        for v in values { elementI32(v) }
    }
    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, .binary, count: values.count)
        for v in values { elementBinary(Array(v.utf8)) }
    }

    /// The top-level struct ends with a stop byte.
    mutating func stop() { bytes.append(0) }
}
