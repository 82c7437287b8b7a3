import CPrefetch

/// y[r, out] = x[r, in] W^T for a handful of rows, W read from a `QuantizedWeights` matrix and
/// dequantised on the fly: the decode-step product for models loaded from Q4_1/Q8_0 GGUF files.
///
/// Bitwise contract: the output equals `BatchedLinear.forward` over the fp32 parameters the loader
/// produced from the same blocks, for every number of rows. Two things make that hold:
/// - each weight is rebuilt with the loader's arithmetic (`GGMLType.dequantize`): Q4_1 `q * d + m`
///   as a multiply then an add (Swift never fuses them unless asked; q * d is exact anyway, 4 by
///   11 significant bits), Q8_0 `q * d`, with `d` and `m` widened at load by the same
///   `HalfPrecision.halfToFloat`, so it has the fp32 parameter's exact bits;
/// - the products accumulate as `BatchedLinear` does: one 8-lane FMA accumulator per output over
///   `in` in steps of 8, the same `sum()`, plus the (here empty, so +0) scalar tail, and input rows
///   in groups of 8/4/2/1 chosen the same way.
/// Rows are `inDim` a multiple of 32 (whole blocks), which `QuantizedWeights` guarantees.
enum QuantizedLinear {
    /// Prefetch distance in bytes. 4 KB measured a few % faster than 2 KB at batch 1 (1, 2 and 8 KB were no better).
    static let prefetchBytes = 4096

    /// The empty scalar tail's value: `BatchedLinear` adds it to every sum (and x + 0 is not always x: -0 + 0 = +0).
    @inline(__always) static var zero: Float { 0 }

    /// Computes y = x W^T (overwriting y) or y += x W^T (`accumulate`) for W = `m` in `store`.
    /// Rows of x are `m.inDim` apart, rows of y `m.rows` apart.
    static func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, store: QuantizedWeights,
                        matrix m: QuantizedWeights.Matrix, rows: Int, accumulate: Bool = false) {
        switch m.type {
        case .q4_1: forward(Q4_1Blocks.self, y: y, x: x, w: store.blocks(m), rows: rows, inDim: m.inDim, outDim: m.rows, accumulate: accumulate)
        case .q8_0: forward(Q8_0Blocks.self, y: y, x: x, w: store.blocks(m), rows: rows, inDim: m.inDim, outDim: m.rows, accumulate: accumulate)
        default: preconditionFailure("QuantizedWeights holds only Q4_1 and Q8_0 matrices")
        }
    }

    static func forward<B: BlockDecoder>(_ b: B.Type, y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafeRawPointer,
                                         rows: Int, inDim: Int, outDim: Int, accumulate: Bool) {
        guard rows > 0, outDim > 0 else { return }
        // The same chunking over output rows as BatchedLinear (chunking never changes a value).
        let minChunk = max(16, (1 << 16) / max(1, inDim * rows))
        Parallel.forChunks(outDim, minChunk: minChunk) { r in
            var r0 = 0
            while r0 < rows {
                let g = rows - r0 >= 8 ? 8 : rows - r0 >= 4 ? 4 : rows - r0 >= 2 ? 2 : 1
                let xs = x + r0 * inDim, ys = y + r0 * outDim
                switch g {
                case 8: kernel8(b, ys, xs, w, r, inDim, outDim, accumulate)
                case 4: kernel4(b, ys, xs, w, r, inDim, outDim, accumulate)
                case 2: kernel2(b, ys, xs, w, r, inDim, outDim, accumulate)
                default: kernel1(b, ys, xs, w, r, inDim, outDim, accumulate)
                }
                r0 += g
            }
        }
    }

    @inline(__always)
    static func put(_ y: UnsafeMutablePointer<Float>, _ v: Float, _ acc: Bool) { if acc { y.pointee += v } else { y.pointee = v } }

    /// 1 input row, 4 output rows at a time (4 independent accumulators hide the FMA latency).
    static func kernel1<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        var j = range.lowerBound
        while j + 4 <= range.upperBound {
            var b0 = w + j * rowBytes, b1 = w + (j + 1) * rowBytes, b2 = w + (j + 2) * rowBytes, b3 = w + (j + 3) * rowBytes
            var a0_0 = Vec8()
            var a1_0 = Vec8()
            var a2_0 = Vec8()
            var a3_0 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                curate_prefetch(b1 + prefetchBytes)
                curate_prefetch(b2 + prefetchBytes)
                curate_prefetch(b3 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24))
                }
                do {
                    let (w0, w1, w2, w3) = B.decode(b1)
                    a1_0 = a1_0.addingProduct(w0, load8(x + k))
                    a1_0 = a1_0.addingProduct(w1, load8(x + k + 8))
                    a1_0 = a1_0.addingProduct(w2, load8(x + k + 16))
                    a1_0 = a1_0.addingProduct(w3, load8(x + k + 24))
                }
                do {
                    let (w0, w1, w2, w3) = B.decode(b2)
                    a2_0 = a2_0.addingProduct(w0, load8(x + k))
                    a2_0 = a2_0.addingProduct(w1, load8(x + k + 8))
                    a2_0 = a2_0.addingProduct(w2, load8(x + k + 16))
                    a2_0 = a2_0.addingProduct(w3, load8(x + k + 24))
                }
                do {
                    let (w0, w1, w2, w3) = B.decode(b3)
                    a3_0 = a3_0.addingProduct(w0, load8(x + k))
                    a3_0 = a3_0.addingProduct(w1, load8(x + k + 8))
                    a3_0 = a3_0.addingProduct(w2, load8(x + k + 16))
                    a3_0 = a3_0.addingProduct(w3, load8(x + k + 24))
                }
                b0 += B.blockBytes; b1 += B.blockBytes; b2 += B.blockBytes; b3 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + j + 1, a1_0.sum() + zero, acc)
            put(y + j + 2, a2_0.sum() + zero, acc)
            put(y + j + 3, a3_0.sum() + zero, acc)
            j += 4
        }
        while j < range.upperBound {
            var b0 = w + j * rowBytes
            var a0_0 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24))
                }
                b0 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            j += 1
        }
    }

    /// 2 input rows, 2 output rows at a time (4 independent accumulators hide the FMA latency).
    static func kernel2<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + 1 * n
        var j = range.lowerBound
        while j + 2 <= range.upperBound {
            var b0 = w + j * rowBytes, b1 = w + (j + 1) * rowBytes
            var a0_0 = Vec8(), a0_1 = Vec8()
            var a1_0 = Vec8(), a1_1 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                curate_prefetch(b1 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k)); a0_1 = a0_1.addingProduct(w0, load8(x1 + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8)); a0_1 = a0_1.addingProduct(w1, load8(x1 + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16)); a0_1 = a0_1.addingProduct(w2, load8(x1 + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24)); a0_1 = a0_1.addingProduct(w3, load8(x1 + k + 24))
                }
                do {
                    let (w0, w1, w2, w3) = B.decode(b1)
                    a1_0 = a1_0.addingProduct(w0, load8(x + k)); a1_1 = a1_1.addingProduct(w0, load8(x1 + k))
                    a1_0 = a1_0.addingProduct(w1, load8(x + k + 8)); a1_1 = a1_1.addingProduct(w1, load8(x1 + k + 8))
                    a1_0 = a1_0.addingProduct(w2, load8(x + k + 16)); a1_1 = a1_1.addingProduct(w2, load8(x1 + k + 16))
                    a1_0 = a1_0.addingProduct(w3, load8(x + k + 24)); a1_1 = a1_1.addingProduct(w3, load8(x1 + k + 24))
                }
                b0 += B.blockBytes; b1 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + out + j, a0_1.sum() + zero, acc)
            put(y + j + 1, a1_0.sum() + zero, acc)
            put(y + out + j + 1, a1_1.sum() + zero, acc)
            j += 2
        }
        while j < range.upperBound {
            var b0 = w + j * rowBytes
            var a0_0 = Vec8(), a0_1 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k)); a0_1 = a0_1.addingProduct(w0, load8(x1 + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8)); a0_1 = a0_1.addingProduct(w1, load8(x1 + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16)); a0_1 = a0_1.addingProduct(w2, load8(x1 + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24)); a0_1 = a0_1.addingProduct(w3, load8(x1 + k + 24))
                }
                b0 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + out + j, a0_1.sum() + zero, acc)
            j += 1
        }
    }

    /// 4 input rows, 2 output rows at a time (8 independent accumulators hide the FMA latency).
    static func kernel4<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + 1 * n, x2 = x + 2 * n, x3 = x + 3 * n
        var j = range.lowerBound
        while j + 2 <= range.upperBound {
            var b0 = w + j * rowBytes, b1 = w + (j + 1) * rowBytes
            var a0_0 = Vec8(), a0_1 = Vec8(), a0_2 = Vec8(), a0_3 = Vec8()
            var a1_0 = Vec8(), a1_1 = Vec8(), a1_2 = Vec8(), a1_3 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                curate_prefetch(b1 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k)); a0_1 = a0_1.addingProduct(w0, load8(x1 + k))
                    a0_2 = a0_2.addingProduct(w0, load8(x2 + k)); a0_3 = a0_3.addingProduct(w0, load8(x3 + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8)); a0_1 = a0_1.addingProduct(w1, load8(x1 + k + 8))
                    a0_2 = a0_2.addingProduct(w1, load8(x2 + k + 8)); a0_3 = a0_3.addingProduct(w1, load8(x3 + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16)); a0_1 = a0_1.addingProduct(w2, load8(x1 + k + 16))
                    a0_2 = a0_2.addingProduct(w2, load8(x2 + k + 16)); a0_3 = a0_3.addingProduct(w2, load8(x3 + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24)); a0_1 = a0_1.addingProduct(w3, load8(x1 + k + 24))
                    a0_2 = a0_2.addingProduct(w3, load8(x2 + k + 24)); a0_3 = a0_3.addingProduct(w3, load8(x3 + k + 24))
                }
                do {
                    let (w0, w1, w2, w3) = B.decode(b1)
                    a1_0 = a1_0.addingProduct(w0, load8(x + k)); a1_1 = a1_1.addingProduct(w0, load8(x1 + k))
                    a1_2 = a1_2.addingProduct(w0, load8(x2 + k)); a1_3 = a1_3.addingProduct(w0, load8(x3 + k))
                    a1_0 = a1_0.addingProduct(w1, load8(x + k + 8)); a1_1 = a1_1.addingProduct(w1, load8(x1 + k + 8))
                    a1_2 = a1_2.addingProduct(w1, load8(x2 + k + 8)); a1_3 = a1_3.addingProduct(w1, load8(x3 + k + 8))
                    a1_0 = a1_0.addingProduct(w2, load8(x + k + 16)); a1_1 = a1_1.addingProduct(w2, load8(x1 + k + 16))
                    a1_2 = a1_2.addingProduct(w2, load8(x2 + k + 16)); a1_3 = a1_3.addingProduct(w2, load8(x3 + k + 16))
                    a1_0 = a1_0.addingProduct(w3, load8(x + k + 24)); a1_1 = a1_1.addingProduct(w3, load8(x1 + k + 24))
                    a1_2 = a1_2.addingProduct(w3, load8(x2 + k + 24)); a1_3 = a1_3.addingProduct(w3, load8(x3 + k + 24))
                }
                b0 += B.blockBytes; b1 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + out + j, a0_1.sum() + zero, acc)
            put(y + 2 * out + j, a0_2.sum() + zero, acc)
            put(y + 3 * out + j, a0_3.sum() + zero, acc)
            put(y + j + 1, a1_0.sum() + zero, acc)
            put(y + out + j + 1, a1_1.sum() + zero, acc)
            put(y + 2 * out + j + 1, a1_2.sum() + zero, acc)
            put(y + 3 * out + j + 1, a1_3.sum() + zero, acc)
            j += 2
        }
        while j < range.upperBound {
            var b0 = w + j * rowBytes
            var a0_0 = Vec8(), a0_1 = Vec8(), a0_2 = Vec8(), a0_3 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k)); a0_1 = a0_1.addingProduct(w0, load8(x1 + k))
                    a0_2 = a0_2.addingProduct(w0, load8(x2 + k)); a0_3 = a0_3.addingProduct(w0, load8(x3 + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8)); a0_1 = a0_1.addingProduct(w1, load8(x1 + k + 8))
                    a0_2 = a0_2.addingProduct(w1, load8(x2 + k + 8)); a0_3 = a0_3.addingProduct(w1, load8(x3 + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16)); a0_1 = a0_1.addingProduct(w2, load8(x1 + k + 16))
                    a0_2 = a0_2.addingProduct(w2, load8(x2 + k + 16)); a0_3 = a0_3.addingProduct(w2, load8(x3 + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24)); a0_1 = a0_1.addingProduct(w3, load8(x1 + k + 24))
                    a0_2 = a0_2.addingProduct(w3, load8(x2 + k + 24)); a0_3 = a0_3.addingProduct(w3, load8(x3 + k + 24))
                }
                b0 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + out + j, a0_1.sum() + zero, acc)
            put(y + 2 * out + j, a0_2.sum() + zero, acc)
            put(y + 3 * out + j, a0_3.sum() + zero, acc)
            j += 1
        }
    }

    /// 8 input rows.
    static func kernel8<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + 1 * n, x2 = x + 2 * n, x3 = x + 3 * n, x4 = x + 4 * n, x5 = x + 5 * n, x6 = x + 6 * n, x7 = x + 7 * n
        var j = range.lowerBound
        while j < range.upperBound {
            var b0 = w + j * rowBytes
            var a0_0 = Vec8(), a0_1 = Vec8(), a0_2 = Vec8(), a0_3 = Vec8(), a0_4 = Vec8(), a0_5 = Vec8(), a0_6 = Vec8(), a0_7 = Vec8()
            var k = 0
            for _ in 0..<perRow {
                curate_prefetch(b0 + prefetchBytes)
                do {
                    let (w0, w1, w2, w3) = B.decode(b0)
                    a0_0 = a0_0.addingProduct(w0, load8(x + k)); a0_1 = a0_1.addingProduct(w0, load8(x1 + k))
                    a0_2 = a0_2.addingProduct(w0, load8(x2 + k)); a0_3 = a0_3.addingProduct(w0, load8(x3 + k))
                    a0_4 = a0_4.addingProduct(w0, load8(x4 + k)); a0_5 = a0_5.addingProduct(w0, load8(x5 + k))
                    a0_6 = a0_6.addingProduct(w0, load8(x6 + k)); a0_7 = a0_7.addingProduct(w0, load8(x7 + k))
                    a0_0 = a0_0.addingProduct(w1, load8(x + k + 8)); a0_1 = a0_1.addingProduct(w1, load8(x1 + k + 8))
                    a0_2 = a0_2.addingProduct(w1, load8(x2 + k + 8)); a0_3 = a0_3.addingProduct(w1, load8(x3 + k + 8))
                    a0_4 = a0_4.addingProduct(w1, load8(x4 + k + 8)); a0_5 = a0_5.addingProduct(w1, load8(x5 + k + 8))
                    a0_6 = a0_6.addingProduct(w1, load8(x6 + k + 8)); a0_7 = a0_7.addingProduct(w1, load8(x7 + k + 8))
                    a0_0 = a0_0.addingProduct(w2, load8(x + k + 16)); a0_1 = a0_1.addingProduct(w2, load8(x1 + k + 16))
                    a0_2 = a0_2.addingProduct(w2, load8(x2 + k + 16)); a0_3 = a0_3.addingProduct(w2, load8(x3 + k + 16))
                    a0_4 = a0_4.addingProduct(w2, load8(x4 + k + 16)); a0_5 = a0_5.addingProduct(w2, load8(x5 + k + 16))
                    a0_6 = a0_6.addingProduct(w2, load8(x6 + k + 16)); a0_7 = a0_7.addingProduct(w2, load8(x7 + k + 16))
                    a0_0 = a0_0.addingProduct(w3, load8(x + k + 24)); a0_1 = a0_1.addingProduct(w3, load8(x1 + k + 24))
                    a0_2 = a0_2.addingProduct(w3, load8(x2 + k + 24)); a0_3 = a0_3.addingProduct(w3, load8(x3 + k + 24))
                    a0_4 = a0_4.addingProduct(w3, load8(x4 + k + 24)); a0_5 = a0_5.addingProduct(w3, load8(x5 + k + 24))
                    a0_6 = a0_6.addingProduct(w3, load8(x6 + k + 24)); a0_7 = a0_7.addingProduct(w3, load8(x7 + k + 24))
                }
                b0 += B.blockBytes
                k += 32
            }
            put(y + j, a0_0.sum() + zero, acc)
            put(y + out + j, a0_1.sum() + zero, acc)
            put(y + 2 * out + j, a0_2.sum() + zero, acc)
            put(y + 3 * out + j, a0_3.sum() + zero, acc)
            put(y + 4 * out + j, a0_4.sum() + zero, acc)
            put(y + 5 * out + j, a0_5.sum() + zero, acc)
            put(y + 6 * out + j, a0_6.sum() + zero, acc)
            put(y + 7 * out + j, a0_7.sum() + zero, acc)
            j += 1
        }
    }

}

/// Turns one 32-value block into four 8-lane vectors (values 0..<8, 8..<16, 16..<24, 24..<32),
/// each value computed exactly as `GGMLType.dequantize` computes it.
protocol BlockDecoder {
    static var blockBytes: Int { get }
    static func decode(_ p: UnsafeRawPointer) -> (Vec8, Vec8, Vec8, Vec8)
}

/// Stored Q4_1 (`QuantizedWeights`): d, m as Float, 16 bytes; low nibbles are values 0..<16, high
/// nibbles 16..<32; x = q * d + m, as the loader computes it.
enum Q4_1Blocks: BlockDecoder {
    @inline(__always) static var blockBytes: Int { 24 }

    @inline(__always)
    static func decode(_ p: UnsafeRawPointer) -> (Vec8, Vec8, Vec8, Vec8) {
        let d = Vec8(repeating: p.loadUnaligned(as: Float.self))
        let m = Vec8(repeating: p.loadUnaligned(fromByteOffset: 4, as: Float.self))
        let q = p.loadUnaligned(fromByteOffset: 8, as: SIMD16<UInt8>.self)
        let lo = q & SIMD16<UInt8>(repeating: 0x0F), hi = q &>> SIMD16<UInt8>(repeating: 4)
        // (Float(q) * d) + m: a multiply, then an add, as the loader's scalar loop.
        return (floats(lo.lowHalf) * d + m, floats(lo.highHalf) * d + m, floats(hi.lowHalf) * d + m, floats(hi.highHalf) * d + m)
    }
}

/// Stored Q8_0: d as Float, 32 signed bytes; x = q * d.
enum Q8_0Blocks: BlockDecoder {
    @inline(__always) static var blockBytes: Int { 36 }

    @inline(__always)
    static func decode(_ p: UnsafeRawPointer) -> (Vec8, Vec8, Vec8, Vec8) {
        let d = Vec8(repeating: p.loadUnaligned(as: Float.self))
        let a = p.loadUnaligned(fromByteOffset: 4, as: SIMD16<Int8>.self)
        let b = p.loadUnaligned(fromByteOffset: 20, as: SIMD16<Int8>.self)
        return (floats(a.lowHalf) * d, floats(a.highHalf) * d, floats(b.lowHalf) * d, floats(b.highHalf) * d)
    }
}

/// Eight bytes to eight floats (exact). Spelled out lane by lane: LLVM turns this into a widening move
/// and a conversion, whereas the generic `SIMD8<Float>(SIMD8<UInt8>)` initialiser is sometimes left as
/// an outlined call in large kernels (measured: a third slower decode).
@inline(__always)
func floats(_ v: SIMD8<UInt8>) -> Vec8 {
    let w = SIMD8<Int32>(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
    return Vec8(Float(w[0]), Float(w[1]), Float(w[2]), Float(w[3]), Float(w[4]), Float(w[5]), Float(w[6]), Float(w[7]))
}

/// Eight signed bytes to eight floats (exact); see the unsigned version.
@inline(__always)
func floats(_ v: SIMD8<Int8>) -> Vec8 {
    let w = SIMD8<Int32>(Int32(v[0]), Int32(v[1]), Int32(v[2]), Int32(v[3]), Int32(v[4]), Int32(v[5]), Int32(v[6]), Int32(v[7]))
    return Vec8(Float(w[0]), Float(w[1]), Float(w[2]), Float(w[3]), Float(w[4]), Float(w[5]), Float(w[6]), Float(w[7]))
}
