/// The quantised blocks a GGUF model was loaded from, kept beside its fp32 parameters for decoding.
///
/// Why: a decode step multiplies every weight matrix by a handful of rows, so it is bound by reading
/// the weights. SmolLM2-135M's fp32 matrices are 538 MB; their Q4_1/Q8_0 blocks are ~96 MB. Reading
/// the blocks and dequantising them on the fly (`QuantizedLinear`) with exactly the loader's
/// arithmetic gives every weight the same bits as the fp32 parameter, so the logits are bitwise
/// those of the fp32 path while a step reads about a fifth of the bytes.
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
        /// `.q4_1` or `.q8_0` (the types `QuantizedLinear` has kernels for).
        public var type: GGMLType
        /// Where this matrix's fp32 copy starts in `LlamaModel.parameters`.
        public var parameterOffset: Int
        /// Output rows.
        public var rows: Int
        /// Values per row (a multiple of 32).
        public var inDim: Int
        /// Start of row 0 in the store's bytes.
        public var byteOffset: Int
        /// Bytes per row of blocks.
        public var rowBytes: Int { inDim / type.blockSize * type.blockBytes }
        public var byteCount: Int { rows * rowBytes }
    }

    /// The block types decode kernels exist for.
    public static let supportedTypes: Set<GGMLType> = [.q4_1, .q8_0]

    public let matrices: [Matrix]
    /// Total bytes of blocks.
    public let byteCount: Int
    let storage: UnsafeMutableRawPointer
    private let index: [Int: Int]

    /// Allocates room for `matrices` (laid out back to back in order; their `byteOffset`s are
    /// assigned here) and lets `fill` write each matrix's bytes: `fill(i, destination)`.
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
        for (i, m) in ms.enumerated() { fill(i, storage + m.byteOffset) }
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
    /// evenly spread from the first block to the last) dequantises, with the loader's own
    /// `GGMLType.dequantize`, to exactly the bits of the fp32 parameters there.
    ///
    /// A cheap staleness check (121 matrices x 128 blocks for SmolLM2-135M: about 0.5 M values, well
    /// under a millisecond): training or a restored checkpoint changes every block, so any sample
    /// catches it. An edit of a few weights between the samples could slip through; whoever edits
    /// weights by hand should set `LlamaModel.quantizedWeights` to nil.
    public func matches(_ parameters: FloatBuffer, samplesPerMatrix: Int = defaultSamplesPerMatrix) -> Bool {
        var tmp = [Float](repeating: 0, count: 32)
        return tmp.withUnsafeMutableBufferPointer { t -> Bool in
            guard let out = t.baseAddress else { return false }
            for m in matrices {
                let (n, o) = m.rows.multipliedReportingOverflow(by: m.inDim)
                guard !o, m.parameterOffset >= 0, m.parameterOffset <= parameters.count - n else { return false }
                let perRow = m.inDim / 32, total = m.rows * perRow
                let s = max(1, min(samplesPerMatrix, total))
                for i in 0..<s {
                    let b = s == 1 ? 0 : i * (total - 1) / (s - 1)
                    let row = b / perRow, col = b % perRow
                    m.type.dequantize(blocks(m) + row * m.rowBytes + col * m.type.blockBytes, count: 32, into: out)
                    let p = parameters.pointer + m.parameterOffset + row * m.inDim + col * 32
                    for k in 0..<32 where out[k].bitPattern != p[k].bitPattern { return false }
                }
            }
            return true
        }
    }
}
