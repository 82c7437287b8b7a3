import CPrefetch

/// y[r, out] = x[r, in] W^T for a handful of rows: the decode-step product.
///
/// Why not sgemm: a decode step multiplies every weight matrix by only a few rows (one per active
/// sample), so the step is bound by reading the weights. This kernel reads each weight row once per
/// group of up to 8 input rows, and, more importantly, computes every output element the same way
/// whatever the number of rows (one 8-lane accumulator over `in`, then a horizontal sum): a sample's
/// logits are bitwise independent of which other samples share its batch. OpenBLAS gives no such
/// guarantee (its kernels differ by m).
enum BatchedLinear {
    /// How far ahead (in floats) the kernels prefetch their weight row: 2 KB. Measured on the 2-core
    /// EPYC this runs on, an 8-row step over SmolLM2's 540 MB went from 44 ms to 28 ms with it.
    static let prefetchDistance = 512

    /// Computes y = x W^T (overwriting y) or y += x W^T (`accumulate`). Rows of x are `inDim` apart,
    /// rows of y `outDim` apart; W is [outDim, inDim].
    static func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                        rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false) {
        forEachGroup(rows: rows, inDim: inDim, outDim: outDim) { g, r0, r in
            let xs = x + r0 * inDim, ys = y + r0 * outDim
            switch g {
            case 8: kernel8(ys, xs, w, r, inDim, outDim, accumulate)
            case 4: kernel4(ys, xs, w, r, inDim, outDim, accumulate)
            case 2: kernel2(ys, xs, w, r, inDim, outDim, accumulate)
            default: kernel1(ys, xs, w, r, inDim, outDim, accumulate)
            }
        }
    }

    /// How a decode-step product is split, shared with `QuantizedLinear` so both split alike: output rows
    /// in chunks over the threads (each streams its own slice of W for all input rows), and within a
    /// chunk the input rows in groups of 8, 4, 2 or 1 (`body(groupSize, firstInputRow, outputRows)`).
    /// Splitting never changes a value: every output element is one accumulator's work either way.
    @inline(__always)
    static func forEachGroup(rows: Int, inDim: Int, outDim: Int, _ body: (_ group: Int, _ firstRow: Int, _ outputs: Range<Int>) -> Void) {
        guard rows > 0, outDim > 0 else { return }
        let minChunk = max(16, (1 << 16) / max(1, inDim * rows))
        Parallel.forSpans(outDim, minChunk: minChunk) { r in
            var r0 = 0
            while r0 < rows {
                let g = rows - r0 >= 8 ? 8 : rows - r0 >= 4 ? 4 : rows - r0 >= 2 ? 2 : 1
                body(g, r0, r)
                r0 += g
            }
        }
    }

    /// The scalar tail of one dot product (elements `from..<n`), added after the vector sum.
    @inline(__always)
    static func tail(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ from: Int, _ n: Int) -> Float {
        var s: Float = 0
        var k = from
        while k < n { s = s + a[k] * b[k]; k += 1 }
        return s
    }

    @inline(__always)
    static func put(_ y: UnsafeMutablePointer<Float>, _ v: Float, _ acc: Bool) { if acc { y.pointee += v } else { y.pointee = v } }

    static func kernel1(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let n8 = n & ~7
        for j in range {
            let wr = w + j * n
            var a0 = Vec8()
            var k = 0
            while k < n8 { curate_prefetch(wr + k + prefetchDistance); a0 = a0.addingProduct(load8(wr + k), load8(x + k)); k += 8 }
            put(y + j, a0.sum() + tail(wr, x, n8, n), acc)
        }
    }

    static func kernel2(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let n8 = n & ~7
        let x1 = x + n
        for j in range {
            let wr = w + j * n
            var a0 = Vec8(), a1 = Vec8()
            var k = 0
            while k < n8 {
                curate_prefetch(wr + k + prefetchDistance)
                let wv = load8(wr + k)
                a0 = a0.addingProduct(wv, load8(x + k)); a1 = a1.addingProduct(wv, load8(x1 + k))
                k += 8
            }
            put(y + j, a0.sum() + tail(wr, x, n8, n), acc)
            put(y + out + j, a1.sum() + tail(wr, x1, n8, n), acc)
        }
    }

    static func kernel4(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let n8 = n & ~7
        let x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n
        for j in range {
            let wr = w + j * n
            var a0 = Vec8(), a1 = Vec8(), a2 = Vec8(), a3 = Vec8()
            var k = 0
            while k < n8 {
                curate_prefetch(wr + k + prefetchDistance)
                let wv = load8(wr + k)
                a0 = a0.addingProduct(wv, load8(x + k)); a1 = a1.addingProduct(wv, load8(x1 + k))
                a2 = a2.addingProduct(wv, load8(x2 + k)); a3 = a3.addingProduct(wv, load8(x3 + k))
                k += 8
            }
            put(y + j, a0.sum() + tail(wr, x, n8, n), acc)
            put(y + out + j, a1.sum() + tail(wr, x1, n8, n), acc)
            put(y + 2 * out + j, a2.sum() + tail(wr, x2, n8, n), acc)
            put(y + 3 * out + j, a3.sum() + tail(wr, x3, n8, n), acc)
        }
    }

    static func kernel8(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ range: Range<Int>, _ n: Int, _ out: Int, _ acc: Bool) {
        let n8 = n & ~7
        let x1 = x + n, x2 = x + 2 * n, x3 = x + 3 * n, x4 = x + 4 * n, x5 = x + 5 * n, x6 = x + 6 * n, x7 = x + 7 * n
        for j in range {
            let wr = w + j * n
            var a0 = Vec8(), a1 = Vec8(), a2 = Vec8(), a3 = Vec8(), a4 = Vec8(), a5 = Vec8(), a6 = Vec8(), a7 = Vec8()
            var k = 0
            while k < n8 {
                curate_prefetch(wr + k + prefetchDistance)
                let wv = load8(wr + k)
                a0 = a0.addingProduct(wv, load8(x + k)); a1 = a1.addingProduct(wv, load8(x1 + k))
                a2 = a2.addingProduct(wv, load8(x2 + k)); a3 = a3.addingProduct(wv, load8(x3 + k))
                a4 = a4.addingProduct(wv, load8(x4 + k)); a5 = a5.addingProduct(wv, load8(x5 + k))
                a6 = a6.addingProduct(wv, load8(x6 + k)); a7 = a7.addingProduct(wv, load8(x7 + k))
                k += 8
            }
            put(y + j, a0.sum() + tail(wr, x, n8, n), acc)
            put(y + out + j, a1.sum() + tail(wr, x1, n8, n), acc)
            put(y + 2 * out + j, a2.sum() + tail(wr, x2, n8, n), acc)
            put(y + 3 * out + j, a3.sum() + tail(wr, x3, n8, n), acc)
            put(y + 4 * out + j, a4.sum() + tail(wr, x4, n8, n), acc)
            put(y + 5 * out + j, a5.sum() + tail(wr, x5, n8, n), acc)
            put(y + 6 * out + j, a6.sum() + tail(wr, x6, n8, n), acc)
            put(y + 7 * out + j, a7.sum() + tail(wr, x7, n8, n), acc)
        }
    }
}
