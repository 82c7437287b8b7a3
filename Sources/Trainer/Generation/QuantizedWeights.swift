/// The quantised blocks a GGUF model was loaded from, kept beside its fp32 parameters for decoding.
///
/// Why: a decode step multiplies every weight matrix by a handful of rows, so it is bound by reading
/// the weights. SmolLM2-135M's fp32 matrices are 538 MB; their Q4_1/Q8_0 blocks ~96 MB (113 MB as stored). Reading
/// the blocks and dequantising them on the fly (`QuantizedLinear`) with exactly the loader's
/// arithmetic gives every weight the same bits as the fp32 parameter, so the logits are bitwise
/// those of the fp32 path while a step reads about a fifth of the bytes.
///
/// Blocks are kept as in the file except that their half-precision scales are widened to fp32
/// once, at load (Q4_0: d as Float then the 16 nibble bytes, 20 bytes; Q4_1: d, m as Float then the
/// 16 nibble bytes, 24 bytes; Q8_0: d as Float then 32 bytes, 36 bytes): the widening is exact (the loader widens the same halves the same way), and
/// it takes the per-block half conversion, with its branches, out of the decode loop, which at
/// batch 1 is bound by instructions more than bytes (measured on SmolLM2-135M: 67 -> 76 tokens/s at
/// batch 1, 283 -> 306 at batch 8, for 20% more Q4_1 bytes).
///
/// Layout: one 64-byte aligned byte buffer holding, per matrix, its rows of blocks in the model's
/// fused row order (`ParameterLayout`: q, k, v rows for `qkv` with q/k rows un-permuted from GGUF's
/// head order; gate then up rows for `gateUp`; `o`; `down`; the LM head). Each matrix is keyed by
/// the offset of its fp32 copy in `LlamaModel.parameters`, which is how the inference path names a
/// weight. A fused matrix whose parts have different types is left out (it runs in fp32).
///
/// The store describes the parameters *as loaded*. If they change afterwards (training, a restored
/// checkpoint, a hand edit), the blocks are stale: `InferenceSession` checks a sample of blocks
/// against the fp32 parameters when it is created (`matches(_:)`) and decodes in fp32 on any
/// mismatch; the optimiser loop and checkpoint restore drop the store outright.
public final class QuantizedWeights: @unchecked Sendable {
    /// One matrix's blocks: `rows` rows of `inDim / 32` blocks of `type`.
    public struct Matrix: Sendable, Equatable {
        /// `.q4_0`, `.q4_1` or `.q8_0` (the types `QuantizedLinear` has kernels for).
        public var type: GGMLType
        /// Where this matrix's fp32 copy starts in `LlamaModel.parameters`.
        public var parameterOffset: Int
        /// Output rows.
        public var rows: Int
        /// Values per row (a multiple of 32).
        public var inDim: Int
        /// Start of row 0 in the store's bytes.
        public var byteOffset: Int
        /// Bytes per row of stored (scale-widened) blocks.
        public var rowBytes: Int { inDim / 32 * QuantizedWeights.storedBlockBytes(type) }
        public var byteCount: Int { rows * rowBytes }
    }

    /// The block types decode kernels exist for.
    public static let supportedTypes: Set<GGMLType> = [.q4_0, .q4_1, .q8_0]

    public let matrices: [Matrix]
    /// Total bytes of blocks.
    public let byteCount: Int
    let storage: UnsafeMutableRawPointer
    private let index: [Int: Int]

    /// Bytes of one stored block: the file's block with its half scales widened to Float.
    /// 0 for a type the store does not hold.
    public static func storedBlockBytes(_ type: GGMLType) -> Int {
        switch type {
        case .q4_0: return Q4_0Blocks.blockBytes
        case .q4_1: return Q4_1Blocks.blockBytes
        case .q8_0: return Q8_0Blocks.blockBytes
        default: return 0
        }
    }

    /// Allocates room for `matrices` (laid out back to back in order; their `byteOffset`s are
    /// assigned here) and lets `fill` write each matrix's blocks as the GGUF file stores them, in
    /// the fused row order: `fill(i, destination)` (the destination holds `rows * inDim / 32`
    /// file-format blocks); they are then widened in place into the stored format.
    /// Returns nil when a matrix has an unsupported type, a row length that is not a multiple of
    /// 32, or shares its parameter offset with another.
    init?(matrices spec: [(type: GGMLType, parameterOffset: Int, rows: Int, inDim: Int)],
          fill: (Int, UnsafeMutableRawPointer) -> Void) {
        var ms: [Matrix] = [], idx: [Int: Int] = [:], off = 0
        for s in spec {
            guard Self.supportedTypes.contains(s.type), s.rows > 0, s.inDim > 0, s.inDim % 32 == 0,
                  idx[s.parameterOffset] == nil else { return nil }
            let m = Matrix(type: s.type, parameterOffset: s.parameterOffset, rows: s.rows, inDim: s.inDim, byteOffset: off)
            idx[s.parameterOffset] = ms.count
            ms.append(m)
            off += (m.byteCount + 63) / 64 * 64
        }
        matrices = ms
        index = idx
        byteCount = off
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(off, 1), alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: max(off, 1))
        var raw = [UInt8]()
        for (i, m) in ms.enumerated() {
            let blocks = m.rows * m.inDim / 32, fileBytes = m.type.blockBytes
            raw = [UInt8](repeating: 0, count: blocks * fileBytes)
            raw.withUnsafeMutableBytes { r in
                guard let src = r.baseAddress else { return }
                fill(i, src)
                Self.widen(m.type, from: UnsafeRawPointer(src), to: storage + m.byteOffset, blocks: blocks)
            }
        }
    }

    /// File-format blocks to stored blocks: each half scale becomes the Float `HalfPrecision.halfToFloat`
    /// gives (the loader's own conversion), the quants are copied as they are.
    static func widen(_ type: GGMLType, from src: UnsafeRawPointer, to dst: UnsafeMutableRawPointer, blocks: Int) {
        let inBytes = type.blockBytes, outBytes = storedBlockBytes(type)
        let scales = type == .q4_1 ? 2 : 1, quantBytes = inBytes - 2 * scales
        for b in 0..<blocks {
            let i = src + b * inBytes, o = dst + b * outBytes
            for s in 0..<scales {
                o.storeBytes(of: HalfPrecision.halfToFloat(i.loadUnaligned(fromByteOffset: 2 * s, as: UInt16.self)),
                             toByteOffset: 4 * s, as: Float.self)
            }
            (o + 4 * scales).copyMemory(from: i + 2 * scales, byteCount: quantBytes)
        }
    }

    deinit { storage.deallocate() }

    /// The matrix whose fp32 copy starts at `parameterOffset`, if it is stored.
    public func matrix(at parameterOffset: Int) -> Matrix? { index[parameterOffset].map { matrices[$0] } }

    /// The first block of a matrix's row 0.
    @inline(__always)
    func blocks(_ m: Matrix) -> UnsafeRawPointer { UnsafeRawPointer(storage + m.byteOffset) }

    /// Blocks checked per matrix by `matches(_:)`.
    public static let defaultSamplesPerMatrix = 128

    /// True when every matrix lies inside `parameters` and a sample of its blocks (`samplesPerMatrix`,
    /// evenly spread from the first block to the last) dequantises, with the decode kernels' own
    /// block decoders, to exactly the bits of the fp32 parameters there (so the check also covers
    /// the decoders agreeing with the loader).
    ///
    /// A cheap staleness check (121 matrices x 128 blocks for SmolLM2-135M: about 0.5 M values, well
    /// under a millisecond): training or a restored checkpoint changes every block, so any sample
    /// catches it. An edit of a few weights between the samples could slip through; whoever edits
    /// weights by hand should set `LlamaModel.quantizedWeights` to nil.
    public func matches(_ parameters: FloatBuffer, samplesPerMatrix: Int = defaultSamplesPerMatrix) -> Bool {
        for m in matrices {
            let (n, o) = m.rows.multipliedReportingOverflow(by: m.inDim)
            guard !o, m.parameterOffset >= 0, m.parameterOffset <= parameters.count - n else { return false }
            let perRow = m.inDim / 32, total = m.rows * perRow
            let s = max(1, min(samplesPerMatrix, total))
            for i in 0..<s {
                let b = s == 1 ? 0 : i * (total - 1) / (s - 1)
                let row = b / perRow, col = b % perRow
                let blk = blocks(m) + row * m.rowBytes + col * Self.storedBlockBytes(m.type)
                let w: (Vec8, Vec8, Vec8, Vec8)
                switch m.type {
                case .q4_0: w = Q4_0Blocks.decode(blk)
                case .q4_1: w = Q4_1Blocks.decode(blk)
                case .q8_0: w = Q8_0Blocks.decode(blk)
                default: return false
                }
                let p = parameters.pointer + m.parameterOffset + row * m.inDim + col * 32
                for k in 0..<8 where w.0[k].bitPattern != p[k].bitPattern || w.1[k].bitPattern != p[8 + k].bitPattern
                    || w.2[k].bitPattern != p[16 + k].bitPattern || w.3[k].bitPattern != p[24 + k].bitPattern { return false }
            }
        }
        return true
    }
}
