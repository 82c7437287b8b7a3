/// Snappy's raw block format (the "SNAPPY" Parquet codec), decoded in Swift.
///
/// Written here rather than linked (libsnappy) because the format is a page of code, the decoder is then
/// fuzzed with the rest of the Parquet reader, and the package gains no system dependency. Every literal
/// and copy is checked against the input left, the output written so far and the declared size.
enum Snappy {
    /// Decodes `input` into `output`, which must be exactly the block's uncompressed length.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        let n = input.count
        var ip = 0
        // Preamble: the uncompressed length as a varint.
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard ip < n else { throw ParquetDecodeError("snappy: truncated length preamble") }
            let b = input[ip]; ip += 1
            guard shift <= 28 else { throw ParquetDecodeError("snappy: length preamble too long") }
            length |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length == UInt64(output.count) else {
            throw ParquetDecodeError("snappy: block says \(length) bytes, the page header \(output.count)")
        }
        guard let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            guard ip == n else { throw ParquetDecodeError("snappy: data after an empty block") }
            return
        }
        guard let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let cap = output.count
        var op = 0
        while ip < n {
            let tag = src[ip]; ip += 1
            switch tag & 3 {
            case 0:
                var len = Int(tag >> 2)
                if len >= 60 {
                    let extra = len - 59
                    guard n - ip >= extra else { throw ParquetDecodeError("snappy: truncated literal length") }
                    len = 0
                    for k in 0..<extra { len |= Int(src[ip + k]) << (8 * k) }
                    ip += extra
                }
                len += 1
                guard len <= n - ip, len <= cap - op else { throw ParquetDecodeError("snappy: literal runs past the end") }
                (out + op).update(from: src + ip, count: len)
                ip += len; op += len
            default:
                let len: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard ip < n else { throw ParquetDecodeError("snappy: truncated copy") }
                    len = 4 + Int((tag >> 2) & 7)
                    offset = Int(tag >> 5) << 8 | Int(src[ip]); ip += 1
                case 2:
                    guard n - ip >= 2 else { throw ParquetDecodeError("snappy: truncated copy") }
                    len = 1 + Int(tag >> 2)
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8; ip += 2
                default:
                    guard n - ip >= 4 else { throw ParquetDecodeError("snappy: truncated copy") }
                    len = 1 + Int(tag >> 2)
                    offset = Int(src[ip]) | Int(src[ip + 1]) << 8 | Int(src[ip + 2]) << 16 | Int(src[ip + 3]) << 24; ip += 4
                }
                guard offset > 0, offset <= op else { throw ParquetDecodeError("snappy: copy offset \(offset) outside the output (at \(op))") }
                guard len <= cap - op else { throw ParquetDecodeError("snappy: copy runs past the declared length") }
                copyMatch(out, from: op - offset, to: op, count: len)
                op += len
            }
        }
        guard op == cap else { throw ParquetDecodeError("snappy: block decodes to \(op) bytes, expected \(cap)") }
    }

    /// An LZ77 back-reference: overlapping when `offset < count` (then it repeats a pattern byte by byte).
    @inline(__always)
    static func copyMatch(_ out: UnsafeMutablePointer<UInt8>, from: Int, to: Int, count: Int) {
        if to - from >= count {
            (out + to).update(from: out + from, count: count)
        } else {
            for k in 0..<count { out[to + k] = out[from + k] }
        }
    }
}
