import Foundation
import Testing
import Trainer

/// Each kernel's backward pass against central finite differences of L = sum(out * R).
@Suite struct KernelGradientTests {
    @Test func rmsNormBackward() {
        let rows = 3, dim = 19
        var x = randomFloats(rows * dim, seed: 1)
        var w = randomFloats(dim, seed: 2, scale: 0.5).map { $0 + 1 }
        let r = randomFloats(rows * dim, seed: 3)
        func run(_ x: [Float], _ w: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: rows * dim), rstd = [Float](repeating: 0, count: rows)
            out.withUnsafeMutableBufferPointer { o in rstd.withUnsafeMutableBufferPointer { s in
                RMSNorm.forward(out: o.baseAddress!, rstd: s.baseAddress!, x: x, weight: w, rows: rows, dim: dim, eps: 1e-5)
            } }
            return out
        }
        var rstd = [Float](repeating: 0, count: rows)
        var out = [Float](repeating: 0, count: rows * dim)
        RMSNorm.forward(out: &out, rstd: &rstd, x: x, weight: w, rows: rows, dim: dim, eps: 1e-5)
        var dx = [Float](repeating: 0.5, count: rows * dim)  // backward accumulates: start non-zero
        var dw = [Float](repeating: 0, count: dim)
        RMSNorm.backward(dx: &dx, dWeight: &dw, dy: r, x: x, weight: w, rstd: rstd, rows: rows, dim: dim)
        let wCopy = w
        checkGradient(dx.map { $0 - 0.5 }, &x) { dot(run($0, wCopy), r) }
        let xCopy = x
        checkGradient(dw, &w) { dot(run(xCopy, $0), r) }
    }

    @Test func ropeBackwardIsInverseRotation() {
        let headDim = 20, heads = 3, rows = 4, stride = heads * headDim + 5
        let table = RoPETable(headDim: headDim, theta: 10000, maxPositions: 64)
        let pos: [Int32] = [0, 7, 31, 63]
        var x = randomFloats(rows * stride, seed: 4)
        let r = randomFloats(rows * stride, seed: 5)
        func run(_ x: [Float]) -> [Float] {
            var y = x
            table.apply(&y, rows: rows, rowStride: stride, firstColumn: 5, heads: heads, positions: pos, inverse: false)
            return y
        }
        var g = r
        table.apply(&g, rows: rows, rowStride: stride, firstColumn: 5, heads: heads, positions: pos, inverse: true)
        checkGradient(g, &x) { dot(run($0), r) }
        // A rotation keeps each pair's norm; position 0 is the identity.
        let y = run(x)
        for i in 0..<stride { #expect(abs(y[i] - x[i]) < 1e-6) }
    }

    @Test func ropeMatchesRotateHalfFormula() {
        let headDim = 8, table = RoPETable(headDim: headDim, theta: 100, maxPositions: 8)
        var x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        table.apply(&x, rows: 1, rowStride: 8, firstColumn: 0, heads: 1, positions: [3], inverse: false)
        let orig: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]
        for i in 0..<4 {
            let a = 3 * Double(Float(1 / pow(100.0, Double(2 * i) / 8)))
            let c = cos(a), s = sin(a)
            let e0: Double = orig[i] * c - orig[i + 4] * s
            let e1: Double = orig[i + 4] * c + orig[i] * s
            #expect(abs(Double(x[i]) - e0) < 1e-5)
            #expect(abs(Double(x[i + 4]) - e1) < 1e-5)
        }
    }

    @Test func swigluBackward() {
        let rows = 2, n = 11
        var gu = randomFloats(rows * 2 * n, seed: 6, scale: 2)
        let r = randomFloats(rows * n, seed: 7)
        func run(_ gu: [Float]) -> [Float] {
            var h = [Float](repeating: 0, count: rows * n)
            SwiGLU.forward(h: &h, gu: gu, rows: rows, dim: n)
            return h
        }
        var dgu = [Float](repeating: 0, count: rows * 2 * n)
        SwiGLU.backward(dgu: &dgu, dh: r, gu: gu, rows: rows, dim: n)
        checkGradient(dgu, &gu) { dot(run($0), r) }
        // silu(g) * u exactly
        let h = run(gu)
        let g0 = Double(gu[0]), u0 = Double(gu[n])
        #expect(abs(Double(h[0]) - g0 / (1 + exp(-g0)) * u0) < 1e-5)
    }

    @Test func crossEntropyBackward() {
        let rows = 4, vocab = 13
        var logits = randomFloats(rows * vocab, seed: 8, scale: 3)
        let targets: [Int32] = [3, -1, 12, 0]
        let coef: [Float] = [0.5, 1, 0.25, 2]
        func loss(_ l: [Float]) -> Double {
            var lse = [Float](repeating: 0, count: rows), lp = [Float](repeating: 0, count: rows)
            CrossEntropy.forward(logits: l, targets: targets, rows: rows, vocab: vocab, lse: &lse, logProb: &lp)
            var s = 0.0
            for t in 0..<rows { s -= Double(coef[t]) * Double(lp[t]) }
            return s
        }
        var lse = [Float](repeating: 0, count: rows), lp = [Float](repeating: 0, count: rows)
        CrossEntropy.forward(logits: logits, targets: targets, rows: rows, vocab: vocab, lse: &lse, logProb: &lp)
        // log-probability against a direct Double computation
        let row0 = logits[0..<vocab].map(Double.init)
        let ref = row0[3] - log(row0.map { exp($0) }.reduce(0, +))
        #expect(abs(Double(lp[0]) - ref) < 1e-5)
        #expect(lp[1] == 0)
        var grad = logits
        CrossEntropy.backward(logits: &grad, targets: targets, coef: coef, lse: lse, rows: rows, vocab: vocab)
        checkGradient(grad, &logits, h: 1e-2) { loss($0) }
    }

    @Test(arguments: [64, 2])
    func attentionBackward(blockRows: Int) {
        let shape = AttentionShape(rows: 2, length: 5, heads: 4, kvHeads: 2, headDim: 4, blockRows: blockRows)
        let N = shape.rows * shape.length
        // Row 0: one example; row 1: examples at 0..<2 and 2..<5.
        let seg: [Int32] = [0, 0, 0, 0, 0, 0, 0, 2, 2, 2]
        var qkv = randomFloats(N * shape.qkvStride, seed: 9)
        let r = randomFloats(N * shape.outStride, seed: 10)
        var scratch = [Float](repeating: 0, count: shape.scratchCount(threads: ComputeThreads.automatic.count))
        func run(_ qkv: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: N * shape.outStride)
            Attention.forward(out: &out, qkv: qkv, segmentStart: seg, shape: shape, scratch: &scratch)
            return out
        }
        let out = run(qkv)
        // Masking: row 1 token 2 starts a new example and sees only itself, so its output for each head
        // is exactly its own value vector (kv head h / 2).
        for h in 0..<4 {
            let o = Array(out[((1 * 5 + 2) * shape.outStride + h * 4)..<((1 * 5 + 2) * shape.outStride + h * 4 + 4)])
            let vStart = (1 * 5 + 2) * shape.qkvStride + (4 + 2 + h / 2) * 4
            #expect(o == Array(qkv[vStart..<(vStart + 4)]))
        }
        var dqkv = [Float](repeating: 7, count: N * shape.qkvStride)  // fully overwritten
        Attention.backward(dqkv: &dqkv, dOut: r, qkv: qkv, segmentStart: seg, shape: shape, scratch: &scratch)
        checkGradient(dqkv, &qkv) { dot(run($0), r) }
    }

    /// Blocked causal attention equals the unblocked computation on a long, packed row.
    @Test func blockedAttentionEqualsUnblocked() {
        let T = 130
        var seg = [Int32](repeating: 0, count: T)
        for t in 70..<T { seg[t] = 70 }
        let full = AttentionShape(rows: 1, length: T, heads: 2, kvHeads: 1, headDim: 8, blockRows: T)
        let blocked = AttentionShape(rows: 1, length: T, heads: 2, kvHeads: 1, headDim: 8, blockRows: 32)
        let qkv = randomFloats(T * full.qkvStride, seed: 11)
        let dOut = randomFloats(T * full.outStride, seed: 12)
        func run(_ s: AttentionShape) -> ([Float], [Float]) {
            var scratch = [Float](repeating: 0, count: s.scratchCount(threads: ComputeThreads.automatic.count))
            var out = [Float](repeating: 0, count: T * s.outStride)
            Attention.forward(out: &out, qkv: qkv, segmentStart: seg, shape: s, scratch: &scratch)
            var d = [Float](repeating: 0, count: T * s.qkvStride)
            Attention.backward(dqkv: &d, dOut: dOut, qkv: qkv, segmentStart: seg, shape: s, scratch: &scratch)
            return (out, d)
        }
        let (o1, d1) = run(full), (o2, d2) = run(blocked)
        var m: Float = 0
        for i in o1.indices { m = max(m, abs(o1[i] - o2[i])) }
        for i in d1.indices { m = max(m, abs(d1[i] - d2[i])) }
        #expect(m < 1e-5)
    }
}
