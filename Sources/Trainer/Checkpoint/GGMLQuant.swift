/// ggml tensor types this reader understands, and their dequantisation to fp32.
///
/// Block layouts (32 values per block, little-endian; `d`, `m` are IEEE half):
/// - Q4_0: d, 16 bytes of nibbles; x = (q - 8) * d. Low nibbles are values 0..<16, high nibbles 16..<32.
/// - Q4_1: d, m, 16 bytes of nibbles; x = q * d + m (same nibble order).
/// - Q8_0: d, 32 signed bytes; x = q * d.
/// - Q5_0, Q5_1: like Q4_0/Q4_1 with a fifth bit per value in a u32 after the scale(s); Q5_0 centres on 16.
/// - Q4_K, Q5_K, Q6_K: 256-value super-blocks with per-sub-block scales (layouts in `GGMLKQuant.swift`).
///
/// Every formula forms its products in the same order as gguf-py's numpy dequantisation (fp32
/// throughout, no fused multiply-add), so results match it bit for bit.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8
    case q4_K = 12, q5_K = 13, q6_K = 14, bf16 = 30

    /// Values per block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        }
    }

    /// The type's name as ggml spells it.
    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        }
    }

    /// The supported types' names, for error messages ("F32, F16, ...").
    public static var supportedNames: String { allCases.map(\.name).joined(separator: ", ") }

    /// Converts `count` values (a multiple of `blockSize`) from `src` to fp32.
    /// The caller guarantees `src` holds `count / blockSize * blockBytes` bytes.
    public func dequantize(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        switch self {
        case .f32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f16:
            for i in 0..<count { dst[i] = HalfPrecision.halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16:
            for i in 0..<count { dst[i] = HalfPrecision.bf16ToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .q4_0:
            for b in 0..<(count / 32) {
                let blk = src + b * 18, out = dst + b * 32
                let d = HalfPrecision.halfToFloat(blk.loadUnaligned(as: UInt16.self))
                for j in 0..<16 {
                    let q = blk.load(fromByteOffset: 2 + j, as: UInt8.self)
                    out[j] = Float(Int(q & 0x0F) - 8) * d
                    out[j + 16] = Float(Int(q >> 4) - 8) * d
                }
            }
        case .q4_1:
            for b in 0..<(count / 32) {
                let blk = src + b * 20, out = dst + b * 32
                let d = HalfPrecision.halfToFloat(blk.loadUnaligned(as: UInt16.self))
                let m = HalfPrecision.halfToFloat(blk.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
                for j in 0..<16 {
                    let q = blk.load(fromByteOffset: 4 + j, as: UInt8.self)
                    out[j] = Float(q & 0x0F) * d + m
                    out[j + 16] = Float(q >> 4) * d + m
                }
            }
        case .q8_0:
            for b in 0..<(count / 32) {
                let blk = src + b * 34, out = dst + b * 32
                let d = HalfPrecision.halfToFloat(blk.loadUnaligned(as: UInt16.self))
                for j in 0..<32 { out[j] = Float(blk.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
            }
        case .q5_0: GGMLKQuant.q5_0(src, blocks: count / 32, into: dst)
        case .q5_1: GGMLKQuant.q5_1(src, blocks: count / 32, into: dst)
        case .q4_K: GGMLKQuant.q4_K(src, blocks: count / 256, into: dst)
        case .q5_K: GGMLKQuant.q5_K(src, blocks: count / 256, into: dst)
        case .q6_K: GGMLKQuant.q6_K(src, blocks: count / 256, into: dst)
        }
    }
}
