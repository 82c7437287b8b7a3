/// Reading little-endian bit-packed integers (LSB first), the layout of Parquet's bit-packed runs, its
/// delta miniblocks and its boolean PLAIN pages.
enum BitUnpack {
    /// The value of `width` bits (0...64) starting at bit `bit` of `p`, whose readable length is `count`
    /// bytes. Callers check `bit + width <= count * 8` before calling.
    @inline(__always)
    static func value(_ p: UnsafePointer<UInt8>, count: Int, bit: Int, width: Int) -> UInt64 {
        if width == 0 { return 0 }
        let byte = bit >> 3
        let shift = UInt64(bit & 7)
        // Up to 9 bytes may hold the value (64 bits starting mid-byte).
        var lo: UInt64 = 0
        let avail = min(8, count - byte)
        if avail == 8 {
            lo = UnsafeRawPointer(p + byte).loadUnaligned(as: UInt64.self).littleEndian
        } else {
            for k in 0..<avail { lo |= UInt64(p[byte + k]) << (8 * UInt64(k)) }
        }
        var v = lo >> shift
        if shift > 0 && Int(shift) + width > 64, byte + 8 < count {
            v |= UInt64(p[byte + 8]) << (64 - shift)
        }
        return width == 64 ? v : v & ((1 << UInt64(width)) - 1)
    }

    /// Bits needed to store values up to `max` (0 needs none).
    static func width(forMax max: Int) -> Int {
        max <= 0 ? 0 : (Int.bitWidth - max.leadingZeroBitCount)
    }
}

/// Parquet's RLE / bit-packed hybrid: runs of one repeated value or groups of 8 bit-packed values. Used for
/// definition and repetition levels, dictionary indices and RLE booleans.
enum RLEHybrid {
    /// Decodes `count` values of `width` bits (0...32) from `data` into `out`, which holds `count` values.
    /// Returns the bytes consumed. A run longer than needed is cut; a run past the data is an error.
    static func decode(_ data: UnsafeRawBufferPointer, width: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) throws -> Int {
        guard width >= 0, width <= 32 else { throw ParquetDecodeError("RLE: bit width \(width) above 32") }
        guard count > 0 else { return 0 }
        guard let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ParquetDecodeError("RLE: no data for \(count) values")
        }
        let n = data.count
        let valueBytes = (width + 7) / 8
        var ip = 0, filled = 0
        while filled < count {
            // The run header, a ULEB128 varint.
            var header: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard ip < n else { throw ParquetDecodeError("RLE: data ends after \(filled) of \(count) values") }
                let b = base[ip]; ip += 1
                guard shift < 63 else { throw ParquetDecodeError("RLE: run header too long") }
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let run = header >> 1
                guard run > 0 else { throw ParquetDecodeError("RLE: empty run") }
                guard n - ip >= valueBytes else { throw ParquetDecodeError("RLE: truncated run value") }
                var v: UInt32 = 0
                for k in 0..<valueBytes { v |= UInt32(base[ip + k]) << (8 * UInt32(k)) }
                ip += valueBytes
                if width < 32, v >> UInt32(width) != 0 { throw ParquetDecodeError("RLE: run value \(v) wider than \(width) bits") }
                let take = Int(min(run, UInt64(count - filled)))
                (out + filled).update(repeating: v, count: take)
                filled += take
            } else {
                let groups = header >> 1
                guard groups > 0 else { throw ParquetDecodeError("RLE: empty bit-packed run") }
                // Bytes the run occupies; a final run may be cut short when it holds the last values needed.
                guard groups <= UInt64(n) else { throw ParquetDecodeError("RLE: bit-packed run of \(groups) groups past the data") }
                let runValues = Int(groups) * 8
                let runBytes = Int(groups) * width
                let take = min(runValues, count - filled)
                let needBytes = (take * width + 7) / 8
                let have = min(runBytes, n - ip)
                guard have >= needBytes else { throw ParquetDecodeError("RLE: bit-packed run runs past the data") }
                let p = base + ip
                if width == 0 {
                    (out + filled).update(repeating: 0, count: take)
                } else {
                    var bit = 0
                    for k in 0..<take {
                        out[filled + k] = UInt32(truncatingIfNeeded: BitUnpack.value(p, count: have, bit: bit, width: width))
                        bit += width
                    }
                }
                filled += take
                ip += have
            }
        }
        return ip
    }
}

/// DELTA_BINARY_PACKED: blocks of miniblocks of bit-packed deltas from a running value. Decodes all the
/// values it declares (at most `maxValues`) into Int64 and reports where the encoded data ended, since
/// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY put more data right after.
enum DeltaBinaryPacked {
    static func decode(_ data: UnsafeRawBufferPointer, maxValues: Int) throws -> (values: [Int64], end: Int) {
        guard let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ParquetDecodeError("DELTA_BINARY_PACKED: no data")
        }
        let n = data.count
        var ip = 0
        func varint() throws -> UInt64 {
            var r: UInt64 = 0, s: UInt64 = 0
            while true {
                guard ip < n else { throw ParquetDecodeError("DELTA_BINARY_PACKED: truncated header") }
                let b = base[ip]; ip += 1
                guard s < 64 else { throw ParquetDecodeError("DELTA_BINARY_PACKED: varint too long") }
                r |= UInt64(b & 0x7F) << s
                if b & 0x80 == 0 { return r }
                s += 7
            }
        }
        func zigzag() throws -> Int64 { let v = try varint(); return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
        let blockSize = try varint()
        let miniblocks = try varint()
        let total = try varint()
        var current = try zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw ParquetDecodeError("DELTA_BINARY_PACKED: bad block layout (block \(blockSize), miniblocks \(miniblocks))")
        }
        guard total <= UInt64(maxValues) else {
            throw ParquetDecodeError("DELTA_BINARY_PACKED: declares \(total) values, the page holds \(maxValues)")
        }
        let count = Int(total)
        let perMini = Int(blockSize / miniblocks)
        let minis = Int(miniblocks)
        var out = [Int64]()
        out.reserveCapacity(count)
        if count == 0 { return (out, ip) }
        out.append(current)
        var widths = [Int](repeating: 0, count: minis)
        while out.count < count {
            let minDelta = try zigzag()
            guard n - ip >= minis else { throw ParquetDecodeError("DELTA_BINARY_PACKED: truncated miniblock widths") }
            for k in 0..<minis {
                widths[k] = Int(base[ip + k])
                guard widths[k] <= 64 else { throw ParquetDecodeError("DELTA_BINARY_PACKED: miniblock bit width \(widths[k])") }
            }
            ip += minis
            for k in 0..<minis where out.count < count {
                let w = widths[k]
                let bytes = perMini * w / 8
                guard n - ip >= bytes else { throw ParquetDecodeError("DELTA_BINARY_PACKED: truncated miniblock") }
                let take = min(perMini, count - out.count)
                var bit = 0
                for _ in 0..<take {
                    let d = BitUnpack.value(base + ip, count: bytes, bit: bit, width: w)
                    bit += w
                    current = current &+ minDelta &+ Int64(bitPattern: d)
                    out.append(current)
                }
                ip += bytes
            }
        }
        return (out, ip)
    }
}
