/// Dequantisation of the 5-bit block types and the K-quant super-block types to fp32.
///
/// Most GGUF files on the Hub ("Q4_K_M", "Q5_K_M", "Q6_K") store their matrices in these types, so the
/// loader decodes them to fp32 like every other type (the quantised decode kernels cover only
/// Q4_0/Q4_1/Q8_0; K-quant matrices simply decode in fp32).
///
/// Arithmetic mirrors gguf-py's numpy code (`gguf.quants`), which is the reference the tests compare
/// against bit for bit: the half scales are widened to Float, a sub-block's scale `d * sc` and offset
/// `dmin * m` are each rounded to Float first, then every value is `scale * q - offset` (two roundings,
/// no fused multiply-add). Swift does not contract `a * b - c` into an FMA, so the plain expressions
/// below round exactly as numpy does.
///
/// Layouts (little-endian; `d`, `dmin`, `m` IEEE half; QK_K = 256 values per super-block):
/// - Q5_0 (22 bytes / 32 values): d, u32 qh, 16 bytes qs. Value j < 16 takes the low nibble of qs[j],
///   j >= 16 the high nibble of qs[j - 16]; bit j of qh is its fifth bit; x = d * (q - 16).
/// - Q5_1 (24 bytes / 32 values): d, m, u32 qh, 16 bytes qs (same bits); x = d * q + m.
/// - Q4_K (144 bytes): d, dmin, 12 bytes of eight 6-bit scales and mins, 128 bytes qs. Four chunks of 32
///   bytes; chunk c gives sub-block 2c from its low nibbles and 2c+1 from its high nibbles (32 values
///   each); x = (d * sc) * q - (dmin * m).
/// - Q5_K (176 bytes): d, dmin, the same 12 scale bytes, 32 bytes qh, 128 bytes qs as Q4_K; bit j of
///   qh[i] is the fifth bit of value i of sub-block j.
/// - Q6_K (210 bytes): 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 signed 8-bit scales
///   (one per 16 values), d last. Each half h of 128 values uses ql[64h..<64h+64] and qh[32h..<32h+32]:
///   value r (0..<128) has low bits from ql[64h + r % 64] (low nibble for r < 64, high nibble otherwise)
///   and high bits from qh[32h + r % 32] shifted by 2 * (r / 32); x = (d * scale) * (q - 32).
enum GGMLKQuant {
    /// Scale and min of sub-block `j` (0..<8) from the 12 packed bytes at `s`.
    ///
    /// Bytes 0..<4 hold scales 0..<4 in their low 6 bits, bytes 4..<8 mins 0..<4 likewise; for j >= 4
    /// the low 4 bits come from byte j + 4 (scale: low nibble, min: high nibble) and the top 2 bits
    /// from the spare top bits of byte j - 4 (scale) or byte j (min).
    @inline(__always)
    static func scaleMin(_ s: UnsafeRawPointer, _ j: Int) -> (scale: Float, min: Float) {
        func b(_ i: Int) -> UInt8 { s.load(fromByteOffset: i, as: UInt8.self) }
        if j < 4 { return (Float(b(j) & 0x3F), Float(b(j + 4) & 0x3F)) }
        let sc = (b(j + 4) & 0x0F) | ((b(j - 4) >> 2) & 0x30)
        let m = (b(j + 4) >> 4) | ((b(j) >> 2) & 0x30)
        return (Float(sc), Float(m))
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfPrecision.halfToFloat(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    static func q5_0(_ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let blk = src + b * 22, out = dst + b * 32
            let d = half(blk, 0)
            let qh = UInt32(littleEndian: blk.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            for j in 0..<16 {
                let q = blk.load(fromByteOffset: 6 + j, as: UInt8.self)
                let lo = Int(q & 0x0F) | Int((qh >> UInt32(j)) & 1) << 4
                let hi = Int(q >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float(lo - 16)
                out[j + 16] = d * Float(hi - 16)
            }
        }
    }

    static func q5_1(_ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let blk = src + b * 24, out = dst + b * 32
            let d = half(blk, 0), m = half(blk, 2)
            let qh = UInt32(littleEndian: blk.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            for j in 0..<16 {
                let q = blk.load(fromByteOffset: 8 + j, as: UInt8.self)
                let lo = UInt32(q & 0x0F) | ((qh >> UInt32(j)) & 1) << 4
                let hi = UInt32(q >> 4) | ((qh >> UInt32(j + 16)) & 1) << 4
                out[j] = d * Float(lo) + m
                out[j + 16] = d * Float(hi) + m
            }
        }
    }

    static func q4_K(_ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let blk = src + b * 144, out = dst + b * 256
            let d = half(blk, 0), dmin = half(blk, 2)
            let scales = blk + 4, qs = blk + 16
            for c in 0..<4 {
                let (s1, m1) = scaleMin(scales, 2 * c), (s2, m2) = scaleMin(scales, 2 * c + 1)
                let d1 = d * s1, o1 = dmin * m1, d2 = d * s2, o2 = dmin * m2
                let q = qs + 32 * c, o = out + 64 * c
                for i in 0..<32 {
                    let v = q.load(fromByteOffset: i, as: UInt8.self)
                    o[i] = d1 * Float(v & 0x0F) - o1
                    o[i + 32] = d2 * Float(v >> 4) - o2
                }
            }
        }
    }

    static func q5_K(_ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let blk = src + b * 176, out = dst + b * 256
            let d = half(blk, 0), dmin = half(blk, 2)
            let scales = blk + 4, qh = blk + 16, qs = blk + 48
            for c in 0..<4 {
                let j1 = 2 * c, j2 = 2 * c + 1
                let (s1, m1) = scaleMin(scales, j1), (s2, m2) = scaleMin(scales, j2)
                let d1 = d * s1, o1 = dmin * m1, d2 = d * s2, o2 = dmin * m2
                let q = qs + 32 * c, o = out + 64 * c
                for i in 0..<32 {
                    let v = q.load(fromByteOffset: i, as: UInt8.self), h = qh.load(fromByteOffset: i, as: UInt8.self)
                    o[i] = d1 * Float((v & 0x0F) | ((h >> UInt8(j1)) & 1) << 4) - o1
                    o[i + 32] = d2 * Float((v >> 4) | ((h >> UInt8(j2)) & 1) << 4) - o2
                }
            }
        }
    }

    static func q6_K(_ src: UnsafeRawPointer, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let blk = src + b * 210, out = dst + b * 256
            let d = half(blk, 208)
            for h in 0..<2 {
                let ql = blk + 64 * h, qh = blk + 128 + 32 * h, o = out + 128 * h
                for k in 0..<2 {
                    // Values i, i + 32, i + 64, i + 96 fall in sub-blocks k, k + 2, k + 4, k + 6 of this
                    // half; each scale is d * scale rounded once, as numpy forms it.
                    func scale(_ n: Int) -> Float { d * Float(blk.load(fromByteOffset: 192 + 8 * h + n, as: Int8.self)) }
                    let s0 = scale(k), s1 = scale(k + 2), s2 = scale(k + 4), s3 = scale(k + 6)
                    for i in (16 * k)..<(16 * k + 16) {
                        let a = ql.load(fromByteOffset: i, as: UInt8.self), c = ql.load(fromByteOffset: 32 + i, as: UInt8.self)
                        let e = qh.load(fromByteOffset: i, as: UInt8.self)
                        o[i] = s0 * Float(Int((a & 0x0F) | (e & 3) << 4) - 32)
                        o[i + 32] = s1 * Float(Int((c & 0x0F) | ((e >> 2) & 3) << 4) - 32)
                        o[i + 64] = s2 * Float(Int((a >> 4) | ((e >> 4) & 3) << 4) - 32)
                        o[i + 96] = s3 * Float(Int((c >> 4) | ((e >> 6) & 3) << 4) - 32)
                    }
                }
            }
        }
    }
}
