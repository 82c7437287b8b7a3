/// Decodes one data page's non-null values (every encoding Parquet defines for them) and renders each as
/// JSON into `RenderedValues`. The page's value bytes are already decompressed; `count` is the number of
/// non-null values its levels announced, and each decoder must produce exactly that many.
struct ValueDecoder {
    let type: ParquetPhysicalType
    let typeLength: Int
    let kind: RenderKind

    /// PLAIN values, also the encoding of dictionary pages. Returns the bytes consumed.
    @discardableResult
    func plain(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws -> Int {
        guard count > 0 else { return 0 }
        guard let base = data.baseAddress else { throw ParquetDecodeError("PLAIN: no data for \(count) values") }
        let n = data.count
        func need(_ bytes: Int) throws {
            guard bytes == 0 || count <= n / bytes else {
                throw ParquetDecodeError("PLAIN: \(count) values of \(bytes) bytes need more than the \(n) bytes in the page")
            }
        }
        switch type {
        case .boolean:
            guard (count + 7) / 8 <= n else { throw ParquetDecodeError("PLAIN: \(count) booleans need more than \(n) bytes") }
            let p = base.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out.appendBool(p[i >> 3] >> UInt8(i & 7) & 1 == 1) }
            return (count + 7) / 8
        case .int32:
            try need(4)
            for i in 0..<count { out.appendInteger(Int64(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))), bits: 32, kind: kind) }
            return 4 * count
        case .int64:
            try need(8)
            for i in 0..<count { out.appendInteger(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)), bits: 64, kind: kind) }
            return 8 * count
        case .int96:
            try need(12)
            for i in 0..<count { out.appendInt96(base + 12 * i) }
            return 12 * count
        case .float:
            try need(4)
            for i in 0..<count { out.appendDouble(Double(Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))) }
            return 4 * count
        case .double:
            try need(8)
            for i in 0..<count { out.appendDouble(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            return 8 * count
        case .byteArray:
            guard count <= n / 4 else { throw ParquetDecodeError("PLAIN: \(count) byte arrays need more than the \(n) bytes in the page") }
            let p = base.assumingMemoryBound(to: UInt8.self)
            var ip = 0
            for _ in 0..<count {
                guard n - ip >= 4 else { throw ParquetDecodeError("PLAIN: truncated byte array length") }
                let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: ip, as: UInt32.self)))
                ip += 4
                guard len <= n - ip else { throw ParquetDecodeError("PLAIN: byte array of \(len) bytes runs past the page") }
                out.appendBytes(p + ip, len, kind: kind)
                ip += len
            }
            return ip
        case .fixedLenByteArray:
            try need(typeLength)
            let p = base.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out.appendBytes(p + typeLength * i, typeLength, kind: kind) }
            return typeLength * count
        case .unknown(let v): throw ParquetDecodeError("unknown physical type \(v)")
        }
    }

    /// RLE-encoded booleans: a 4-byte length, then the hybrid runs at width 1.
    func rleBooleans(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws {
        guard type == .boolean else { throw ParquetDecodeError("RLE values on a \(type) column") }
        guard data.count >= 4 else { throw ParquetDecodeError("RLE booleans: truncated length") }
        let len = Int(data.loadUnaligned(as: UInt32.self).littleEndian)
        guard len <= data.count - 4 else { throw ParquetDecodeError("RLE booleans: length \(len) past the page") }
        var bits = [UInt32](repeating: 0, count: count)
        _ = try bits.withUnsafeMutableBufferPointer { b -> Int in
            guard let p = b.baseAddress else { return 0 }
            return try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: data[4..<(4 + len)]), width: 1, count: count, into: p)
        }
        for v in bits { out.appendBool(v != 0) }
    }

    /// Dictionary indices (a bit-width byte, then hybrid runs), each copied from the rendered dictionary.
    /// The bytes the copies would add are summed first and charged to `budget`, so a page of a million
    /// indices into one huge entry fails before it allocates.
    func dictionary(_ data: UnsafeRawBufferPointer, count: Int, dictionary dict: RenderedValues,
                    budget: inout MemoryBudget, into out: inout RenderedValues) throws {
        guard count > 0 else { return }
        guard data.count >= 1 else { throw ParquetDecodeError("dictionary indices: empty page") }
        let width = Int(data[0])
        var idx = [UInt32](repeating: 0, count: count)
        _ = try idx.withUnsafeMutableBufferPointer { b -> Int in
            guard let p = b.baseAddress else { return 0 }
            return try RLEHybrid.decode(UnsafeRawBufferPointer(rebasing: data[1...]), width: width, count: count, into: p)
        }
        let dictCount = dict.count
        try dict.text.withUnsafeBufferPointer { text in
            try dict.ends.withUnsafeBufferPointer { ends in
                var total = 0
                for i in idx {
                    guard Int(i) < dictCount else { throw ParquetDecodeError("dictionary index \(i) outside the dictionary of \(dictCount) values") }
                    let k = Int(i)
                    total &+= ends[k] - (k == 0 ? 0 : ends[k - 1])
                }
                try budget.charge(total, "dictionary-encoded values")
                out.text.reserveCapacity(out.text.count + total)
                for i in idx { out.appendCopy(of: Int(i), from: text, ends: ends) }
                if !dict.validUTF8 { out.validUTF8 = false }
            }
        }
    }

    /// DELTA_BINARY_PACKED integers.
    func deltaBinaryPacked(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws {
        let bits: Int
        switch type {
        case .int32: bits = 32
        case .int64: bits = 64
        default: throw ParquetDecodeError("DELTA_BINARY_PACKED on a \(type) column")
        }
        let (values, _) = try DeltaBinaryPacked.decode(data, maxValues: count)
        guard values.count == count else { throw ParquetDecodeError("DELTA_BINARY_PACKED: \(values.count) values, the levels say \(count)") }
        for v in values { out.appendInteger(bits == 32 ? Int64(Int32(truncatingIfNeeded: v)) : v, bits: bits, kind: kind) }
    }

    /// DELTA_LENGTH_BYTE_ARRAY: all lengths (delta-packed), then all bytes.
    func deltaLengthByteArray(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws {
        guard type == .byteArray else { throw ParquetDecodeError("DELTA_LENGTH_BYTE_ARRAY on a \(type) column") }
        let (lengths, end) = try DeltaBinaryPacked.decode(data, maxValues: count)
        guard lengths.count == count else { throw ParquetDecodeError("DELTA_LENGTH_BYTE_ARRAY: \(lengths.count) lengths, the levels say \(count)") }
        guard count > 0, let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var ip = end
        for len in lengths {
            guard len >= 0, len <= Int64(data.count - ip) else { throw ParquetDecodeError("DELTA_LENGTH_BYTE_ARRAY: length \(len) past the page") }
            out.appendBytes(base + ip, Int(len), kind: kind)
            ip += Int(len)
        }
    }

    /// DELTA_BYTE_ARRAY: prefix lengths, suffix lengths, suffixes; each value shares a prefix with the last.
    func deltaByteArray(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws {
        guard type == .byteArray || type == .fixedLenByteArray else { throw ParquetDecodeError("DELTA_BYTE_ARRAY on a \(type) column") }
        let (prefixes, e1) = try DeltaBinaryPacked.decode(data, maxValues: count)
        guard prefixes.count == count else { throw ParquetDecodeError("DELTA_BYTE_ARRAY: \(prefixes.count) prefixes, the levels say \(count)") }
        guard count > 0 else { return }
        let rest = UnsafeRawBufferPointer(rebasing: data[e1...])
        let (suffixes, e2) = try DeltaBinaryPacked.decode(rest, maxValues: count)
        guard suffixes.count == count else { throw ParquetDecodeError("DELTA_BYTE_ARRAY: \(suffixes.count) suffixes, the levels say \(count)") }
        guard let base = rest.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var ip = e2
        var previous: [UInt8] = []
        var current: [UInt8] = []
        for i in 0..<count {
            let p = prefixes[i], s = suffixes[i]
            guard p >= 0, p <= Int64(previous.count) else { throw ParquetDecodeError("DELTA_BYTE_ARRAY: prefix \(p) longer than the previous value") }
            guard s >= 0, s <= Int64(rest.count - ip) else { throw ParquetDecodeError("DELTA_BYTE_ARRAY: suffix of \(s) bytes past the page") }
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: previous[0..<Int(p)])
            current.append(contentsOf: UnsafeBufferPointer(start: base + ip, count: Int(s)))
            ip += Int(s)
            if type == .fixedLenByteArray, current.count != typeLength {
                throw ParquetDecodeError("DELTA_BYTE_ARRAY: value of \(current.count) bytes in a column of fixed length \(typeLength)")
            }
            current.withUnsafeBufferPointer { c in
                if let b = c.baseAddress { out.appendBytes(b, c.count, kind: kind) } else {
                    var empty: UInt8 = 0
                    out.appendBytes(&empty, 0, kind: kind)
                }
            }
            swap(&previous, &current)
        }
    }

    /// BYTE_STREAM_SPLIT: byte k of every value stored together, stream after stream.
    func byteStreamSplit(_ data: UnsafeRawBufferPointer, count: Int, into out: inout RenderedValues) throws {
        let width: Int
        switch type {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray: width = typeLength
        default: throw ParquetDecodeError("BYTE_STREAM_SPLIT on a \(type) column")
        }
        guard count > 0 else { return }
        guard width > 0, data.count / width >= count, data.count % width == 0 else {
            throw ParquetDecodeError("BYTE_STREAM_SPLIT: \(data.count) bytes do not hold \(count) values of \(width) bytes")
        }
        let stride = data.count / width // values the streams hold (may exceed count only by padding: reject)
        guard stride == count else { throw ParquetDecodeError("BYTE_STREAM_SPLIT: page holds \(stride) values, the levels say \(count)") }
        var value = [UInt8](repeating: 0, count: width)
        for i in 0..<count {
            for k in 0..<width { value[k] = data[k * stride + i] }
            try value.withUnsafeBytes { v in
                _ = try plain(v, count: 1, into: &out)
            }
        }
    }
}

/// What one row group's decoding may still allocate (`ParquetLimits.maxRowGroupBytes`).
struct MemoryBudget {
    let limit: Int
    private(set) var used = 0
    init(limit: Int) { self.limit = limit }

    mutating func charge(_ bytes: Int, _ what: String) throws {
        guard bytes >= 0, bytes <= limit - used else {
            throw ParquetDecodeError("\(what) would take the row group past its memory limit of \(limit) bytes")
        }
        used += bytes
    }
}
