import CZlib
import CZstd

/// Decompresses one page into a buffer of exactly the size its header declares (already checked
/// against `ParquetLimits.maxPageBytes`), so no codec can allocate more than the header said.
enum PageDecompressor {
    static func decompress(_ codec: ParquetCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        if codec == .uncompressed {
            guard input.count == uncompressedSize else {
                throw ParquetDecodeError("uncompressed page holds \(input.count) bytes, its header says \(uncompressedSize)")
            }
            return Array(input)
        }
        var out = [UInt8](repeating: 0, count: uncompressedSize)
        try out.withUnsafeMutableBytes { dst in
            switch codec {
            case .snappy: try Snappy.decompress(input, into: dst)
            case .lz4Raw: try LZ4Raw.decompress(input, into: dst)
            case .lz4Hadoop: try hadoopLZ4(input, into: dst)
            case .zstd: try zstd(input, into: dst)
            case .gzip: try gzip(input, into: dst)
            default: throw ParquetDecodeError("unsupported compression codec \(codec)")
            }
        }
        return out
    }

    static func zstd(_ input: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        guard dst.count > 0 else {
            // An empty page may still carry an empty frame; accept only that.
            if input.count == 0 { return }
            var scratch: UInt8 = 0
            let r = ZSTD_decompress(&scratch, 0, input.baseAddress, input.count)
            guard ZSTD_isError(r) == 0, r == 0 else { throw ParquetDecodeError("zstd: data for an empty page") }
            return
        }
        let r = ZSTD_decompress(dst.baseAddress, dst.count, input.baseAddress, input.count)
        if ZSTD_isError(r) != 0 { throw ParquetDecodeError("zstd: " + String(cString: ZSTD_getErrorName(r))) }
        guard r == dst.count else { throw ParquetDecodeError("zstd: page decodes to \(r) bytes, expected \(dst.count)") }
    }

    /// GZIP pages hold a gzip member (zlib's auto-detection also takes a zlib stream, as other readers do).
    static func gzip(_ input: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        var z = z_stream()
        guard inflateInit2_(&z, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetDecodeError("gzip: cannot start zlib")
        }
        defer { inflateEnd(&z) }
        guard input.count <= Int(UInt32.max), dst.count <= Int(UInt32.max) else { throw ParquetDecodeError("gzip: page too large") }
        var scratch: UInt8 = 0
        z.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        z.avail_in = UInt32(input.count)
        let produced: Int = withUnsafeMutablePointer(to: &scratch) { sp in
            z.next_out = dst.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? sp
            z.avail_out = UInt32(dst.count)
            var r = inflate(&z, Z_FINISH)
            // Concatenated members: keep going while input remains.
            while r == Z_STREAM_END && z.avail_in > 0 && z.avail_out > 0 {
                inflateReset(&z)
                r = inflate(&z, Z_FINISH)
            }
            if r == Z_STREAM_END || (r == Z_BUF_ERROR && z.avail_out == 0 && z.avail_in == 0) { return dst.count - Int(z.avail_out) }
            return -1 - Int(r < 0 ? -r : r)
        }
        guard produced == dst.count else {
            throw ParquetDecodeError(produced < 0 ? "gzip: corrupt or truncated data" : "gzip: page decodes to \(produced) bytes, expected \(dst.count)")
        }
    }

    /// The older "LZ4" codec as Hadoop frames it: blocks of (big-endian uncompressed size, compressed
    /// size, raw LZ4 block). pyarrow writes LZ4_RAW instead; read for old files.
    static func hadoopLZ4(_ input: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        var ip = 0, op = 0
        func be32(_ at: Int) -> Int {
            Int(input[at]) << 24 | Int(input[at + 1]) << 16 | Int(input[at + 2]) << 8 | Int(input[at + 3])
        }
        while ip < input.count {
            guard input.count - ip >= 8 else { throw ParquetDecodeError("lz4 (hadoop): truncated frame header") }
            let u = be32(ip), c = be32(ip + 4)
            ip += 8
            guard c <= input.count - ip, u <= dst.count - op else { throw ParquetDecodeError("lz4 (hadoop): frame sizes run past the page") }
            try LZ4Raw.decompress(UnsafeRawBufferPointer(rebasing: input[ip..<(ip + c)]),
                                  into: UnsafeMutableRawBufferPointer(rebasing: dst[op..<(op + u)]))
            ip += c; op += u
        }
        guard op == dst.count else { throw ParquetDecodeError("lz4 (hadoop): page decodes to \(op) bytes, expected \(dst.count)") }
    }
}
