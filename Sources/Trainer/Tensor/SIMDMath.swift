/// Vector helpers for the kernels: unaligned 8-wide loads and stores, and a fast `exp`.
///
/// Swift has no vector `exp`; calling the scalar libm one per element costs several times more
/// than the rest of a softmax. `exp8` is the Cephes single-precision polynomial (relative error
/// about 2e-7, the same order as libm's `expf`), written with plain SIMD arithmetic and the
/// 1.5*2^23 rounding trick so that LLVM keeps it in AVX registers.
public typealias Vec8 = SIMD8<Float>

@inline(__always) @usableFromInline
func load8(_ p: UnsafePointer<Float>) -> Vec8 {
    UnsafeRawPointer(p).loadUnaligned(as: Vec8.self)
}

@inline(__always) @usableFromInline
func load8(_ p: UnsafeMutablePointer<Float>) -> Vec8 {
    UnsafeRawPointer(p).loadUnaligned(as: Vec8.self)
}

@inline(__always) @usableFromInline
func store8(_ v: Vec8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec8.self)
}

/// Lane-wise maximum. (The generic `pointwiseMax` is not always inlined and costs a call per use.)
@inline(__always) @usableFromInline
func vmax(_ a: Vec8, _ b: Vec8) -> Vec8 { a.replacing(with: b, where: b .> a) }

/// Lane-wise minimum.
@inline(__always) @usableFromInline
func vmin(_ a: Vec8, _ b: Vec8) -> Vec8 { a.replacing(with: b, where: b .< a) }

/// e^x for eight lanes; inputs are clamped to [-87.3, 88.7] (results below ~1e-38 flush toward 0).
@inline(__always) @usableFromInline
func exp8(_ xIn: Vec8) -> Vec8 {
    var x = vmax(vmin(xIn, Vec8(repeating: 88.7)), Vec8(repeating: -87.3))
    // n = round(x / ln 2) via the magic-number trick; t's low mantissa bits hold n.
    let magic = Vec8(repeating: 12582912.0)  // 1.5 * 2^23
    // Fused multiply-adds throughout (`c.addingProduct(a, b)` = a * b + c, one rounding): `a * b + c` on
    // SIMD types compiles to a separate multiply and add, and the FMA form is both faster and more exact.
    let t = magic.addingProduct(x, Vec8(repeating: 1.44269504088896341))
    let n = t - magic
    x = x.addingProduct(n, Vec8(repeating: -0.693359375))
    x = x.addingProduct(n, Vec8(repeating: 2.12194440e-4))
    var y = Vec8(repeating: 1.9875691500e-4)
    y = Vec8(repeating: 1.3981999507e-3).addingProduct(y, x)
    y = Vec8(repeating: 8.3334519073e-3).addingProduct(y, x)
    y = Vec8(repeating: 4.1665795894e-2).addingProduct(y, x)
    y = Vec8(repeating: 1.6666665459e-1).addingProduct(y, x)
    y = Vec8(repeating: 5.0000001201e-1).addingProduct(y, x)
    y = (x + Vec8(repeating: 1)).addingProduct(y, x * x)
    // 2^n: (n + 127) << 23, with n taken from t's bit pattern.
    let tb = unsafeBitCast(t, to: SIMD8<Int32>.self) &- SIMD8<Int32>(repeating: 0x4B40_0000)
    let scale = unsafeBitCast((tb &+ SIMD8<Int32>(repeating: 127)) &<< SIMD8<Int32>(repeating: 23), to: Vec8.self)
    return y * scale
}

/// Scalar e^x with the same polynomial (tails of vector loops use it so lanes agree).
@inline(__always) @usableFromInline
func exp1(_ x: Float) -> Float {
    exp8(Vec8(repeating: x))[0]
}

/// Largest of `n` floats (-inf for none): the shift of a stable softmax or log-sum-exp.
@inline(__always) @usableFromInline
func vmaxOf(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var mv = Vec8(repeating: -.infinity), i = 0
    while i + 8 <= n { mv = vmax(mv, load8(p + i)); i += 8 }
    var m = mv.max()
    while i < n { m = max(m, p[i]); i += 1 }
    return m
}

/// Sum of `n` floats.
@inline(__always) @usableFromInline
func vsum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec8(), i = 0
    while i + 8 <= n { acc += load8(p + i); i += 8 }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Dot product of two runs of `n` floats (fused multiply-adds, two accumulators).
@inline(__always) @usableFromInline
func vdot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = Vec8(), acc1 = Vec8(), i = 0
    while i + 16 <= n {
        acc0 = acc0.addingProduct(load8(a + i), load8(b + i))
        acc1 = acc1.addingProduct(load8(a + i + 8), load8(b + i + 8))
        i += 16
    }
    while i + 8 <= n { acc0 = acc0.addingProduct(load8(a + i), load8(b + i)); i += 8 }
    var s = (acc0 + acc1).sum()
    while i < n { s = s.addingProduct(a[i], b[i]); i += 1 }
    return s
}

/// y[i] += x[i] for `n` floats.
@inline(__always) @usableFromInline
func vadd(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(y + i) + load8(x + i), y + i); i += 8 }
    while i < n { y[i] += x[i]; i += 1 }
}
