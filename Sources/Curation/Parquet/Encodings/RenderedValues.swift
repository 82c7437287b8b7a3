/// A column's non-null values, each already written as JSON text, back to back: record assembly then
/// only copies byte ranges. A dictionary page is rendered once and its entries copied per index, so a
/// repeated value (a chat `role`) is formatted once per row group, not once per row.
struct RenderedValues {
    var text: [UInt8] = []
    /// The end of each value in `text` (a value starts where the previous one ended).
    var ends: [Int] = []
    /// False once a string value was not valid UTF-8 (its row then goes through the record reader's
    /// JSON validation, which rejects it as it would a JSONL line).
    var validUTF8 = true
    var count: Int { ends.count }

    @inline(__always) mutating func close() { ends.append(text.count) }

    /// An INT32 or INT64 value (sign-extended), written as its logical type says.
    @inline(__always)
    mutating func appendInteger(_ v: Int64, bits: Int, kind: RenderKind) {
        switch kind {
        case .int(let signed):
            if signed { JSONFragments.appendInt(v, into: &text) } else {
                JSONFragments.appendUInt(bits == 32 ? UInt64(UInt32(truncatingIfNeeded: v)) : UInt64(bitPattern: v), into: &text)
            }
        case .date: JSONFragments.appendDate(days: v, into: &text)
        case .timestamp(let unit, let utc):
            let perSecond: Int64 = unit == .millis ? 1000 : unit == .micros ? 1_000_000 : 1_000_000_000
            let perDay = perSecond * 86_400
            var days = v / perDay, rest = v % perDay
            if rest < 0 { rest += perDay; days -= 1 }
            JSONFragments.appendTimestamp(days: days, nanosOfDay: rest * (1_000_000_000 / perSecond), utc: utc, into: &text)
        case .time(let unit):
            let perSecond: Int64 = unit == .millis ? 1000 : unit == .micros ? 1_000_000 : 1_000_000_000
            let perDay = perSecond * 86_400
            let r = ((v % perDay) + perDay) % perDay
            text.append(0x22)
            JSONFragments.appendTimeBody(nanosOfDay: r * (1_000_000_000 / perSecond), into: &text)
            text.append(0x22)
        case .decimal(let scale): JSONFragments.appendDecimal(unscaled: v, scale: scale, into: &text)
        default: JSONFragments.appendInt(v, into: &text)
        }
        close()
    }

    @inline(__always)
    mutating func appendDouble(_ v: Double) {
        JSONFragments.appendDouble(v, into: &text)
        close()
    }

    @inline(__always)
    mutating func appendBool(_ v: Bool) {
        if v { text.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { text.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
        close()
    }

    /// A BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY value.
    @inline(__always)
    mutating func appendBytes(_ p: UnsafePointer<UInt8>, _ n: Int, kind: RenderKind) {
        switch kind {
        case .string: if !JSONFragments.appendString(p, n, into: &text) { validUTF8 = false }
        case .decimal(let scale): JSONFragments.appendDecimal(bigEndian: p, n, scale: scale, into: &text)
        case .uuid where n == 16: JSONFragments.appendUUID(p, into: &text)
        case .float16 where n == 2: JSONFragments.appendDouble(JSONFragments.half(UInt16(p[0]) | UInt16(p[1]) << 8), into: &text)
        default: JSONFragments.appendBase64(p, n, into: &text)
        }
        close()
    }

    /// An INT96 timestamp: nanoseconds of the day (8 bytes) then the Julian day (4 bytes), little-endian.
    @inline(__always)
    mutating func appendInt96(_ p: UnsafeRawPointer) {
        let nanos = Int64(bitPattern: p.loadUnaligned(as: UInt64.self).littleEndian)
        let julian = Int64(p.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        var days = julian - 2_440_588
        var rest = nanos % 86_400_000_000_000
        days += nanos / 86_400_000_000_000
        if rest < 0 { rest += 86_400_000_000_000; days -= 1 }
        JSONFragments.appendTimestamp(days: days, nanosOfDay: rest, utc: false, into: &text)
        close()
    }

    /// Copies value `i` of `other` (a dictionary).
    @inline(__always)
    mutating func appendCopy(of i: Int, from other: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>) {
        let start = i == 0 ? 0 : ends[i - 1]
        text.append(contentsOf: UnsafeBufferPointer(rebasing: other[start..<ends[i]]))
        close()
    }
}
