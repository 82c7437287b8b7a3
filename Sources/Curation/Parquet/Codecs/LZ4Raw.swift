/// LZ4's raw block format (the "LZ4_RAW" Parquet codec), decoded in Swift for the same reasons as
/// `Snappy`: a small format, fuzzed with the reader, no new system library.
enum LZ4Raw {
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        let n = input.count
        let cap = output.count
        guard let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self), n > 0 else {
            guard cap == 0 else { throw ParquetDecodeError("lz4: empty block, expected \(cap) bytes") }
            return
        }
        guard let out = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            // An empty output is a single token with no literals.
            guard n == 1, src[0] == 0 else { throw ParquetDecodeError("lz4: data for an empty page") }
            return
        }
        var ip = 0, op = 0
        while true {
            guard ip < n else { throw ParquetDecodeError("lz4: truncated block") }
            let token = src[ip]; ip += 1
            var lit = Int(token >> 4)
            if lit == 15 {
                while true {
                    guard ip < n else { throw ParquetDecodeError("lz4: truncated literal length") }
                    let b = src[ip]; ip += 1
                    lit += Int(b)
                    guard lit <= cap else { throw ParquetDecodeError("lz4: literal longer than the page") }
                    if b != 255 { break }
                }
            }
            guard lit <= n - ip, lit <= cap - op else { throw ParquetDecodeError("lz4: literals run past the end") }
            (out + op).update(from: src + ip, count: lit)
            ip += lit; op += lit
            if ip == n { break } // the last sequence holds literals only
            guard n - ip >= 2 else { throw ParquetDecodeError("lz4: truncated match offset") }
            let offset = Int(src[ip]) | Int(src[ip + 1]) << 8; ip += 2
            guard offset > 0, offset <= op else { throw ParquetDecodeError("lz4: match offset \(offset) outside the output (at \(op))") }
            var len = Int(token & 15)
            if len == 15 {
                while true {
                    guard ip < n else { throw ParquetDecodeError("lz4: truncated match length") }
                    let b = src[ip]; ip += 1
                    len += Int(b)
                    guard len <= cap else { throw ParquetDecodeError("lz4: match longer than the page") }
                    if b != 255 { break }
                }
            }
            len += 4
            guard len <= cap - op else { throw ParquetDecodeError("lz4: match runs past the declared length") }
            Snappy.copyMatch(out, from: op - offset, to: op, count: len)
            op += len
        }
        guard op == cap else { throw ParquetDecodeError("lz4: block decodes to \(op) bytes, expected \(cap)") }
    }
}
