import CZstd
import Foundation

/// The RLE / bit-packed hybrid encoding of levels (Parquet's `RLE` encoding): runs of eight or more
/// equal values as RLE runs, the rest bit-packed in groups of eight.
enum LevelEncoder {
    /// Bits needed for levels up to `maxLevel`.
    static func bitWidth(_ maxLevel: Int) -> Int {
        var w = 0
        while (1 << w) <= maxLevel { w += 1 }
        return w
    }

    /// Appends the hybrid encoding of `levels` to `out`, preceded by its 4-byte length (data page v1).
    static func encodeWithLength(_ levels: UnsafeBufferPointer<UInt8>, bitWidth w: Int, into out: inout [UInt8]) {
        let lengthAt = out.count
        out.append(contentsOf: [0, 0, 0, 0] as [UInt8])
        encode(levels, bitWidth: w, into: &out)
        let n = UInt32(truncatingIfNeeded: out.count - lengthAt - 4)
        out[lengthAt] = UInt8(truncatingIfNeeded: n); out[lengthAt + 1] = UInt8(truncatingIfNeeded: n >> 8)
        out[lengthAt + 2] = UInt8(truncatingIfNeeded: n >> 16); out[lengthAt + 3] = UInt8(truncatingIfNeeded: n >> 24)
    }

    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ v: UnsafeBufferPointer<T>, bitWidth w: Int, into out: inout [UInt8]) {
        let n = v.count
        var i = 0
        var litStart = 0, litCount = 0
        while i < n {
            let x = v[i]
            var j = i + 1
            while j < n && v[j] == x { j += 1 }
            var run = j - i
            if run >= 8 {
                let fill = litCount % 8 == 0 ? 0 : 8 - litCount % 8
                litCount += fill; i += fill; run -= fill
                if run >= 8 {
                    flushLiterals(v, litStart, litCount, w, &out)
                    varint(UInt64(run) << 1, &out)
                    for b in 0..<((w + 7) / 8) { out.append(UInt8(truncatingIfNeeded: Int(x) >> (8 * b))) }
                    i += run
                    litStart = i; litCount = 0
                } else {
                    litCount += run; i += run
                }
            } else {
                litCount += run; i += run
            }
        }
        flushLiterals(v, litStart, litCount, w, &out)
    }

    private static func flushLiterals<T: FixedWidthInteger & UnsignedInteger>(_ v: UnsafeBufferPointer<T>, _ start: Int, _ count: Int, _ w: Int, _ out: inout [UInt8]) {
        guard count > 0 else { return }
        let groups = (count + 7) / 8
        varint(UInt64(groups) << 1 | 1, &out)
        var acc: UInt64 = 0
        var bits = 0
        for k in 0..<(groups * 8) {
            let x = k < count ? UInt64(v[start + k]) : 0
            acc |= x << UInt64(bits)
            bits += w
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }

    static func varint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
}

/// Compresses pages with the output's codec; one zstd context is reused for every page.
final class PageCompressor {
    let codec: ParquetWriteOptions.Codec
    let level: Int
    private let ctx: OpaquePointer?

    init(codec: ParquetWriteOptions.Codec, level: Int) throws {
        self.codec = codec
        self.level = level
        if codec == .zstd {
            guard let c = ZSTD_createCCtx() else { throw CurationError.io(path: "", reason: "cannot allocate a zstd context") }
            ctx = c
        } else {
            ctx = nil
        }
    }
    deinit { if let ctx { ZSTD_freeCCtx(ctx) } }

    /// Replaces `out`'s contents with the compressed form of `input`.
    func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        out.removeAll(keepingCapacity: true)
        switch codec {
        case .none:
            out.append(contentsOf: input)
        case .snappy:
            SnappyCompressor.compress(input, into: &out)
        case .zstd:
            guard let ctx else { throw CurationError.io(path: "", reason: "zstd context missing") }
            let bound = ZSTD_compressBound(input.count)
            out = [UInt8](unsafeUninitializedCapacity: bound) { b, n in
                let r = ZSTD_compressCCtx(ctx, b.baseAddress, bound, input.baseAddress, input.count, Int32(level))
                n = ZSTD_isError(r) != 0 ? 0 : r
            }
            if out.isEmpty && input.count > 0 || bound == 0 {
                throw CurationError.io(path: "", reason: "zstd compression of a page failed")
            }
        }
    }
}

/// Snappy's raw (block) format, as Parquet's SNAPPY codec stores pages: greedy matching over a hash
/// table of 4-byte sequences, copies with 2-byte offsets (windows of 64 KiB).
enum SnappyCompressor {
    static func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = input.count
        LevelEncoder.varint(UInt64(n), &out)
        guard n > 0, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let tableBits = 14
        var table = [Int32](repeating: -1, count: 1 << tableBits)
        @inline(__always) func load32(_ i: Int) -> UInt32 { UnsafeRawPointer(src + i).loadUnaligned(as: UInt32.self) }
        @inline(__always) func hash(_ v: UInt32) -> Int { Int((v &* 0x1E35_A7BD) >> UInt32(32 - tableBits)) }
        var i = 0
        var literalStart = 0
        var skip = 32
        while i + 4 <= n {
            let v = load32(i)
            let h = hash(v)
            let candidate = Int(table[h])
            table[h] = Int32(truncatingIfNeeded: i)
            if candidate >= 0, i - candidate <= 65535, load32(candidate) == v {
                emitLiteral(src, literalStart, i - literalStart, &out)
                var m = 4
                while i + m < n, src[candidate + m] == src[i + m] { m += 1 }
                let offset = i - candidate
                var left = m
                while left > 0 {
                    let len = min(left, 64)
                    out.append(UInt8((len - 1) << 2 | 2))
                    out.append(UInt8(truncatingIfNeeded: offset)); out.append(UInt8(truncatingIfNeeded: offset >> 8))
                    left -= len
                }
                i += m
                literalStart = i
                skip = 32
            } else {
                i += skip >> 5
                skip += 1
            }
        }
        emitLiteral(src, literalStart, n - literalStart, &out)
    }

    private static func emitLiteral(_ src: UnsafePointer<UInt8>, _ start: Int, _ count: Int, _ out: inout [UInt8]) {
        guard count > 0 else { return }
        let l = count - 1
        if l < 60 {
            out.append(UInt8(l << 2))
        } else if l < 1 << 8 {
            out.append(60 << 2); out.append(UInt8(l))
        } else if l < 1 << 16 {
            out.append(61 << 2); out.append(UInt8(truncatingIfNeeded: l)); out.append(UInt8(truncatingIfNeeded: l >> 8))
        } else if l < 1 << 24 {
            out.append(62 << 2)
            for b in 0..<3 { out.append(UInt8(truncatingIfNeeded: l >> (8 * b))) }
        } else {
            out.append(63 << 2)
            for b in 0..<4 { out.append(UInt8(truncatingIfNeeded: l >> (8 * b))) }
        }
        out.append(contentsOf: UnsafeBufferPointer(start: src + start, count: count))
    }
}
