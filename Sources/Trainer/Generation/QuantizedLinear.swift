import CPrefetch

/// y[r, out] = x[r, in] W^T for a handful of rows, W read from a `QuantizedWeights` matrix and
/// dequantised on the fly: the decode-step product for models loaded from Q4_0/Q4_1/Q8_0 GGUF files.
///
/// Bitwise contract: the output equals `BatchedLinear.forward` over the fp32 parameters the loader
/// produced from the same blocks, for every number of rows. Two things make that hold:
/// - each weight is rebuilt with the loader's arithmetic (`GGMLType.dequantize`): Q4_0 `(q - 8) * d`
///   (the subtraction in integers, exact), Q4_1 `q * d + m` as a multiply then an add (Swift never
///   fuses them unless asked; q * d is exact anyway, 4 by 11 significant bits), Q8_0 `q * d`, with
///   `d` and `m` widened at load by the same
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
        case .q4_0: forward(Q4_0Blocks.self, y: y, x: x, w: store.blocks(m), rows: rows, inDim: m.inDim, outDim: m.rows, accumulate: accumulate)
        case .q4_1: forward(Q4_1Blocks.self, y: y, x: x, w: store.blocks(m), rows: rows, inDim: m.inDim, outDim: m.rows, accumulate: accumulate)
        case .q8_0: forward(Q8_0Blocks.self, y: y, x: x, w: store.blocks(m), rows: rows, inDim: m.inDim, outDim: m.rows, accumulate: accumulate)
        default: preconditionFailure("QuantizedWeights holds only Q4_0, Q4_1 and Q8_0 matrices")
        }
    }

    static func forward<B: BlockDecoder>(_ b: B.Type, y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafeRawPointer,
                                         rows: Int, inDim: Int, outDim: Int, accumulate: Bool) {
        BatchedLinear.forEachGroup(rows: rows, inDim: inDim, outDim: outDim) { g, r0, r in
            let xs = x + r0 * inDim, ys = y + r0 * outDim
            switch g {
            case 8: kernel8(b, ys, xs, w, r, inDim, outDim, accumulate)
            case 4: kernel4(b, ys, xs, w, r, inDim, outDim, accumulate)
            case 2: kernel2(b, ys, xs, w, r, inDim, outDim, accumulate)
            default: kernel1(b, ys, xs, w, r, inDim, outDim, accumulate)
            }
        }
    }

    @inline(__always)
    static func put(_ y: UnsafeMutablePointer<Float>, _ v: Float, _ acc: Bool) { if acc { y.pointee += v } else { y.pointee = v } }

    /// Adds one decoded block's products with the 32 inputs at `x` to `a`, in `BatchedLinear`'s order
    /// (one 8-lane step after the other). The kernels below differ only in how many accumulators they
    /// keep in flight; each accumulator's sequence of operations is the same in all of them.
    @inline(__always)
    static func fma4(_ a: inout Vec8, _ w: (Vec8, Vec8, Vec8, Vec8), _ x: UnsafePointer<Float>) {
        a = a.addingProduct(w.0, load8(x)); a = a.addingProduct(w.1, load8(x + 8))
        a = a.addingProduct(w.2, load8(x + 16)); a = a.addingProduct(w.3, load8(x + 24))
    }

    /// 1 input row; 4 output rows at a time (independent accumulators hide the FMA latency), then one.
    static func kernel1<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        var j = range.lowerBound
        while j + 4 <= range.upperBound {
            let r0 = w + j * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes
            var a0 = Vec8(), a1 = Vec8(), a2 = Vec8(), a3 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, xk = x + blk * 32
                curate_prefetch(r0 + o + prefetchBytes); curate_prefetch(r1 + o + prefetchBytes)
                curate_prefetch(r2 + o + prefetchBytes); curate_prefetch(r3 + o + prefetchBytes)
                fma4(&a0, B.decode(r0 + o), xk); fma4(&a1, B.decode(r1 + o), xk)
                fma4(&a2, B.decode(r2 + o), xk); fma4(&a3, B.decode(r3 + o), xk)
            }
            put(y + j, a0.sum() + zero, acc); put(y + j + 1, a1.sum() + zero, acc)
            put(y + j + 2, a2.sum() + zero, acc); put(y + j + 3, a3.sum() + zero, acc)
            j += 4
        }
        while j < range.upperBound {
            let r0 = w + j * rowBytes
            var a0 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes
                curate_prefetch(r0 + o + prefetchBytes)
                fma4(&a0, B.decode(r0 + o), x + blk * 32)
            }
            put(y + j, a0.sum() + zero, acc)
            j += 1
        }
    }

    /// 2 input rows; 2 output rows at a time, then one.
    static func kernel2<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + n
        var j = range.lowerBound
        while j + 2 <= range.upperBound {
            let r0 = w + j * rowBytes, r1 = r0 + rowBytes
            var a00 = Vec8(), a01 = Vec8(), a10 = Vec8(), a11 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, k = blk * 32
                curate_prefetch(r0 + o + prefetchBytes); curate_prefetch(r1 + o + prefetchBytes)
                let w0 = B.decode(r0 + o), w1 = B.decode(r1 + o)
                fma4(&a00, w0, x + k); fma4(&a01, w0, x1 + k)
                fma4(&a10, w1, x + k); fma4(&a11, w1, x1 + k)
            }
            put(y + j, a00.sum() + zero, acc); put(y + out + j, a01.sum() + zero, acc)
            put(y + j + 1, a10.sum() + zero, acc); put(y + out + j + 1, a11.sum() + zero, acc)
            j += 2
        }
        while j < range.upperBound {
            let r0 = w + j * rowBytes
            var a00 = Vec8(), a01 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, k = blk * 32
                curate_prefetch(r0 + o + prefetchBytes)
                let w0 = B.decode(r0 + o)
                fma4(&a00, w0, x + k); fma4(&a01, w0, x1 + k)
            }
            put(y + j, a00.sum() + zero, acc); put(y + out + j, a01.sum() + zero, acc)
            j += 1
        }
    }

    /// 4 input rows; 2 output rows at a time, then one.
    static func kernel4<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n
        var j = range.lowerBound
        while j + 2 <= range.upperBound {
            let r0 = w + j * rowBytes, r1 = r0 + rowBytes
            var a00 = Vec8(), a01 = Vec8(), a02 = Vec8(), a03 = Vec8()
            var a10 = Vec8(), a11 = Vec8(), a12 = Vec8(), a13 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, k = blk * 32
                curate_prefetch(r0 + o + prefetchBytes); curate_prefetch(r1 + o + prefetchBytes)
                let w0 = B.decode(r0 + o), w1 = B.decode(r1 + o)
                fma4(&a00, w0, x + k); fma4(&a01, w0, x1 + k); fma4(&a02, w0, x2 + k); fma4(&a03, w0, x3 + k)
                fma4(&a10, w1, x + k); fma4(&a11, w1, x1 + k); fma4(&a12, w1, x2 + k); fma4(&a13, w1, x3 + k)
            }
            put(y + j, a00.sum() + zero, acc); put(y + out + j, a01.sum() + zero, acc)
            put(y + 2 * out + j, a02.sum() + zero, acc); put(y + 3 * out + j, a03.sum() + zero, acc)
            put(y + j + 1, a10.sum() + zero, acc); put(y + out + j + 1, a11.sum() + zero, acc)
            put(y + 2 * out + j + 1, a12.sum() + zero, acc); put(y + 3 * out + j + 1, a13.sum() + zero, acc)
            j += 2
        }
        while j < range.upperBound {
            let r0 = w + j * rowBytes
            var a00 = Vec8(), a01 = Vec8(), a02 = Vec8(), a03 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, k = blk * 32
                curate_prefetch(r0 + o + prefetchBytes)
                let w0 = B.decode(r0 + o)
                fma4(&a00, w0, x + k); fma4(&a01, w0, x1 + k); fma4(&a02, w0, x2 + k); fma4(&a03, w0, x3 + k)
            }
            put(y + j, a00.sum() + zero, acc); put(y + out + j, a01.sum() + zero, acc)
            put(y + 2 * out + j, a02.sum() + zero, acc); put(y + 3 * out + j, a03.sum() + zero, acc)
            j += 1
        }
    }

    /// 8 input rows, one output row at a time (eight accumulators already hide the latency).
    static func kernel8<B: BlockDecoder>(_: B.Type, _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ w: UnsafeRawPointer, _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let perRow = n / 32, rowBytes = perRow * B.blockBytes
        let x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n, x4 = x + 4 * n, x5 = x + 5 * n, x6 = x + 6 * n, x7 = x + 7 * n
        for j in range {
            let r0 = w + j * rowBytes
            var a0 = Vec8(), a1 = Vec8(), a2 = Vec8(), a3 = Vec8(), a4 = Vec8(), a5 = Vec8(), a6 = Vec8(), a7 = Vec8()
            for blk in 0..<perRow {
                let o = blk * B.blockBytes, k = blk * 32
                curate_prefetch(r0 + o + prefetchBytes)
                let w0 = B.decode(r0 + o)
                fma4(&a0, w0, x + k); fma4(&a1, w0, x1 + k); fma4(&a2, w0, x2 + k); fma4(&a3, w0, x3 + k)
                fma4(&a4, w0, x4 + k); fma4(&a5, w0, x5 + k); fma4(&a6, w0, x6 + k); fma4(&a7, w0, x7 + k)
            }
            put(y + j, a0.sum() + zero, acc); put(y + out + j, a1.sum() + zero, acc)
            put(y + 2 * out + j, a2.sum() + zero, acc); put(y + 3 * out + j, a3.sum() + zero, acc)
            put(y + 4 * out + j, a4.sum() + zero, acc); put(y + 5 * out + j, a5.sum() + zero, acc)
            put(y + 6 * out + j, a6.sum() + zero, acc); put(y + 7 * out + j, a7.sum() + zero, acc)
        }
    }
}

/// Turns one 32-value block into four 8-lane vectors (values 0..<8, 8..<16, 16..<24, 24..<32),
/// each value computed exactly as `GGMLType.dequantize` computes it.
protocol BlockDecoder {
    static var blockBytes: Int { get }
    static func decode(_ p: UnsafeRawPointer) -> (Vec8, Vec8, Vec8, Vec8)
}

/// Stored Q4_0 (`QuantizedWeights`): d as Float, 16 bytes; low nibbles are values 0..<16, high
/// nibbles 16..<32; x = (q - 8) * d, as the loader computes it.
enum Q4_0Blocks: BlockDecoder {
    @inline(__always) static var blockBytes: Int { 20 }

    @inline(__always)
    static func decode(_ p: UnsafeRawPointer) -> (Vec8, Vec8, Vec8, Vec8) {
        let d = Vec8(repeating: p.loadUnaligned(as: Float.self))
        let q = p.loadUnaligned(fromByteOffset: 4, as: SIMD16<UInt8>.self)
        // q - 8 in bytes (wrapping, then read as signed: -8...7, exact), like the loader's Int(q) - 8;
        // then Float(q - 8) * d, a single rounding as in the loader.
        let eight = SIMD16<UInt8>(repeating: 8)
        let lo = unsafeBitCast((q & SIMD16<UInt8>(repeating: 0x0F)) &- eight, to: SIMD16<Int8>.self)
        let hi = unsafeBitCast((q &>> SIMD16<UInt8>(repeating: 4)) &- eight, to: SIMD16<Int8>.self)
        return (floats(lo.lowHalf) * d, floats(lo.highHalf) * d, floats(hi.lowHalf) * d, floats(hi.highHalf) * d)
    }
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
