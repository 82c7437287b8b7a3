import CQuantKernels

/// y[r, out] = x[r, in] W^T for a handful of rows, W read from a `QuantizedWeights` matrix, with the
/// activations quantised to int16 blocks: the default decode-step product for models loaded from
/// Q4_0/Q4_1/Q8_0 GGUF files (`QuantizedLinear` is the bitwise-exact alternative, `--exact`).
///
/// Why: rebuilding every fp32 weight exactly costs about 25 vector operations per 32-weight block,
/// which caps one stream well below llama.cpp. Like llama.cpp, this quantises each activation row once
/// per product (32 values share a float scale) and computes each output as exact integer dot products
/// of the quantised activations with the weights' nibbles or bytes, scaled per block (`CQuantKernels`:
/// AVX2 when the CPU has it, else portable C). llama.cpp's int8 activations (q8_0/q8_1) were measured on
/// SmolLM2-135M to move logits by up to 2.5 and to change the greedy tokens of a fixture prompt; int16
/// activations (rounding error at most 1/65534 of the block's largest value) keep the fp32 path's greedy
/// tokens and stay within the logit bound `QuantizedDecodeTests` asserts (README, "Decoding from GGUF
/// blocks") for a few more instructions per block (the weights are widened to int16 for vpmaddwd).
///
/// Like `BatchedLinear`, an output element is computed the same way whatever the number of rows or
/// threads (each activation row is quantised on its own, each output row is one kernel call's work),
/// so a sample's tokens do not depend on the batch it is decoded in.
enum QuantizedDotLinear {
    /// The kernel's name for a block type, nil for a type it has no kernel for.
    static func kernelType(_ t: GGMLType) -> Int32? {
        switch t {
        case .q4_0: return Int32(CQK_Q4_0)
        case .q4_1: return Int32(CQK_Q4_1)
        case .q8_0: return Int32(CQK_Q8_0)
        default: return nil
        }
    }

    /// Computes y = x W^T (overwriting y) or y += x W^T (`accumulate`) for W = `m` in `store`.
    /// Rows of x are `m.inDim` apart, rows of y `m.rows` apart.
    static func forward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, store: QuantizedWeights,
                        matrix m: QuantizedWeights.Matrix, rows: Int, accumulate: Bool = false,
                        variant: QuantKernelVariant = QuantKernels.current) {
        guard let type = kernelType(m.type) else {
            QuantizedLinear.forward(y: y, x: x, store: store, matrix: m, rows: rows, accumulate: accumulate)
            return
        }
        product(type: type, blocks: store.blocks(m), rowBytes: m.rowBytes, outDim: m.rows, inDim: m.inDim,
                x: x, rows: rows, y: y, accumulate: accumulate, variant: variant)
    }

    /// The product over raw stored blocks (`QuantizedWeights` format, `outDim` rows of `inDim / 32` blocks).
    /// Callers guarantee `inDim % 32 == 0` and the sizes of every buffer.
    static func product(type: Int32, blocks: UnsafeRawPointer, rowBytes: Int, outDim: Int, inDim: Int,
                        x: UnsafePointer<Float>, rows: Int, y: UnsafeMutablePointer<Float>, accumulate: Bool,
                        variant: QuantKernelVariant) {
        guard rows > 0, outDim > 0, inDim >= 32 else { return }
        let nb = inDim / 32, v = variant.rawValue
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: rows * inDim) { qs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * rows * nb) { ds in
                guard let q = qs.baseAddress, let d = ds.baseAddress else { return }
                let s = d + rows * nb
                cqk_quantize_act(x, Int32(rows), Int32(inDim), q, d, s, v)
                // Output rows in chunks over the threads; each chunk streams its slice of W once for all rows.
                let minChunk = max(16, (1 << 16) / max(1, inDim * rows))
                Parallel.forSpans(outDim, minChunk: minChunk) { r in
                    cqk_gemv(type, blocks, rowBytes, Int32(r.lowerBound), Int32(r.upperBound), Int32(nb),
                             q, d, s, Int32(rows), y, outDim, accumulate ? 1 : 0, v)
                }
            }
        }
    }
}

/// Which implementation of the integer decode kernels runs (`QuantizedDotLinear`).
///
/// `.auto` takes the fastest the CPU supports (CPUID), unless the environment variable
/// `CURATE_QUANT_KERNELS=scalar` asks for the portable one. Forcing `.avx2` on a CPU without AVX2 and
/// FMA runs the portable kernels instead: no variant ever executes an instruction the CPU lacks.
public enum QuantKernelVariant: Int32, CaseIterable, Sendable {
    case auto = 0
    case scalar = 1
    case avx2 = 2

    /// True when this variant's own instructions can run here (`.auto` and `.scalar` always can).
    public var isAvailable: Bool { cqk_variant_available(rawValue) != 0 }

    /// The variant that actually runs when this one is asked for.
    public var resolved: QuantKernelVariant { QuantKernelVariant(rawValue: cqk_resolve_variant(rawValue)) ?? .scalar }
}

/// Entry points to the integer decode kernels for tests and benchmarks, on plain arrays.
public enum QuantKernels {
    /// The variant decode products use in this task (`.auto` unless inside `withVariant`).
    @TaskLocal static var current: QuantKernelVariant = .auto

    /// Runs `body` with every decode product of this task (sessions included) on `variant`: how tests
    /// run whole decodes on each variant without a process-wide switch that parallel tests would share.
    public static func withVariant<R>(_ variant: QuantKernelVariant, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(variant, operation: body)
    }

    /// Quantises `rows` rows of `inDim` floats (`inDim` a multiple of 32) to blocks of 32: the int16 values,
    /// each block's scale d and d times the sum of its values.
    public static func quantize(_ x: [Float], rows: Int, inDim: Int, variant: QuantKernelVariant = .auto) throws
        -> (values: [Int16], scales: [Float], sums: [Float]) {
        guard rows > 0, inDim > 0, inDim % 32 == 0, x.count == rows * inDim else {
            throw TrainerError.invalidConfig("quantize: \(x.count) values are not \(rows) rows of \(inDim) (a multiple of 32)")
        }
        let nb = inDim / 32
        var q = [Int16](repeating: 0, count: rows * inDim), d = [Float](repeating: 0, count: rows * nb), s = d
        x.withUnsafeBufferPointer { xp in
            q.withUnsafeMutableBufferPointer { qp in
                d.withUnsafeMutableBufferPointer { dp in
                    s.withUnsafeMutableBufferPointer { sp in
                        if let xb = xp.baseAddress, let qb = qp.baseAddress, let db = dp.baseAddress, let sb = sp.baseAddress {
                            cqk_quantize_act(xb, Int32(rows), Int32(inDim), qb, db, sb, variant.rawValue)
                        }
                    }
                }
            }
        }
        return (q, d, s)
    }

    /// y = x W^T for W given as `outDim` rows of stored blocks of `type` (Q4_0, Q4_1 or Q8_0, in
    /// `QuantizedWeights`' format: float scales then the quants), x `rows` rows of `inDim` floats.
    public static func product(type: GGMLType, blocks: [UInt8], outDim: Int, inDim: Int, x: [Float], rows: Int,
                               variant: QuantKernelVariant = .auto) throws -> [Float] {
        guard let t = QuantizedDotLinear.kernelType(type) else { throw TrainerError.invalidConfig("no integer kernel for \(type)") }
        let rowBytes = inDim / 32 * QuantizedWeights.storedBlockBytes(type)
        guard rows > 0, outDim > 0, inDim > 0, inDim % 32 == 0, x.count == rows * inDim, blocks.count == outDim * rowBytes else {
            throw TrainerError.invalidConfig("product: sizes do not match (\(blocks.count) block bytes, \(x.count) inputs)")
        }
        var y = [Float](repeating: 0, count: rows * outDim)
        blocks.withUnsafeBytes { w in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    if let wb = w.baseAddress, let xb = xp.baseAddress, let yb = yp.baseAddress {
                        QuantizedDotLinear.product(type: t, blocks: wb, rowBytes: rowBytes, outDim: outDim, inDim: inDim,
                                         x: xb, rows: rows, y: yb, accumulate: false, variant: variant)
                    }
                }
            }
        }
        return y
    }
}
