import Foundation
import Testing
import Trainer

/// The integer decode kernels (`QuantKernels`, C target CQuantKernels) against a reference computed here:
/// every variant this CPU can run, forced one at a time.
@Suite struct QuantKernelTests {
    /// The variants to check here: the portable one always, AVX2 when the CPU has it.
    static var variants: [QuantKernelVariant] { [.scalar, .avx2].filter(\.isAvailable) }

    /// Random stored blocks (`QuantizedWeights` format: float scales, then quants) with scales of both signs.
    static func blocks(_ type: GGMLType, rows: Int, inDim: Int, rng: inout SplitMix64) -> [UInt8] {
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        func bytes(_ v: Float) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        var out: [UInt8] = []
        for _ in 0..<(rows * inDim / 32) {
            let d = (unit() - 0.3) * 0.05
            switch type {
            case .q4_0: out += bytes(d)
            case .q4_1: out += bytes(d) + bytes((unit() - 0.5) * 0.2)
            default: out += bytes(d)
            }
            for _ in 0..<(type == .q8_0 ? 32 : 16) { out.append(UInt8(truncatingIfNeeded: rng.next())) }
        }
        return out
    }

    /// Weight `i` of a stored block, as the loader defines it (Double: no rounding of its own).
    static func weight(_ type: GGMLType, _ blk: ArraySlice<UInt8>, _ i: Int) -> Double {
        let b = Array(blk)
        func f(_ o: Int) -> Double { Double(Float(bitPattern: UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24)) }
        switch type {
        case .q4_0: let q = i < 16 ? b[4 + i] & 15 : b[4 + i - 16] >> 4; return f(0) * Double(Int(q) - 8)
        case .q4_1: let q = i < 16 ? b[8 + i] & 15 : b[8 + i - 16] >> 4; return f(0) * Double(q) + f(4)
        default: return f(0) * Double(Int8(bitPattern: b[4 + i]))
        }
    }

    static func activations(rows: Int, inDim: Int, rng: inout SplitMix64) -> [Float] {
        (0..<(rows * inDim)).map { i in
            let u = Float(rng.next() >> 40) / Float(1 << 24) - 0.5
            return i % 97 == 0 ? 0 : u * (i % 7 == 0 ? 8 : 1)  // some blocks with a large value, some zeros
        }
    }

    @Test func avx2IsUsedWhereTheCPUHasIt() throws {
        #expect(QuantKernelVariant.scalar.isAvailable && QuantKernelVariant.auto.isAvailable)
        #expect(QuantKernelVariant.scalar.resolved == .scalar)
        #if arch(x86_64) && os(Linux)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let hasAVX2 = flags.contains("avx2") && flags.contains("fma")
        #expect(QuantKernelVariant.avx2.isAvailable == hasAVX2)
        #expect(QuantKernelVariant.avx2.resolved == (hasAVX2 ? .avx2 : .scalar))
        if ProcessInfo.processInfo.environment["CURATE_QUANT_KERNELS"] == nil {
            #expect(QuantKernelVariant.auto.resolved == (hasAVX2 ? .avx2 : .scalar))
        }
        #endif
    }

    /// int16 blocks: d = max|x| / 32767, values in -32767...32767 within half a step of x / d, s = d * sum;
    /// every variant gives the scalar variant's bits.
    @Test func quantizeRoundsWithinHalfAStepAndVariantsAgree() throws {
        var rng = SplitMix64(seed: 3)
        let rows = 3, inDim = 128, nb = inDim / 32
        let x = Self.activations(rows: rows, inDim: inDim, rng: &rng)
        let ref = try QuantKernels.quantize(x, rows: rows, inDim: inDim, variant: .scalar)
        for b in 0..<(rows * nb) {
            let xs = x[(b * 32)..<(b * 32 + 32)], qs = ref.values[(b * 32)..<(b * 32 + 32)]
            let amax = xs.map { abs($0) }.max() ?? 0
            #expect(ref.scales[b] == amax / 32767)
            #expect(ref.sums[b] == ref.scales[b] * Float(qs.reduce(0) { $0 + Int($1) }))
            for (xv, q) in zip(xs, qs) {
                #expect(q >= -32767)
                #expect(abs(Double(xv) - Double(ref.scales[b]) * Double(q)) <= Double(ref.scales[b]) * 0.5 * (1 + 1e-5))
            }
        }
        for v in Self.variants {
            let got = try QuantKernels.quantize(x, rows: rows, inDim: inDim, variant: v)
            #expect(got.values == ref.values, "\(v)")
            #expect(got.scales.map(\.bitPattern) == ref.scales.map(\.bitPattern), "\(v)")
            #expect(got.sums.map(\.bitPattern) == ref.sums.map(\.bitPattern), "\(v)")
        }
    }

    /// Each variant's product equals the exact dot product of the weights with the quantised activations
    /// (computed here in Double) to float rounding, for every type and row-group size (1, 2, 3 = 2 + 1,
    /// 4, 8, 11 = 8 + 2 + 1) and an output count that is not a multiple of the 4 rows a tile takes.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func productMatchesAnExactReference(type: GGMLType) throws {
        var rng = SplitMix64(seed: 11)
        let outDim = 37, inDim = 96, nb = inDim / 32, bb = QuantizedWeights.storedBlockBytes(type)
        let w = Self.blocks(type, rows: outDim, inDim: inDim, rng: &rng)
        for rows in [1, 2, 3, 4, 8, 11] {
            let x = Self.activations(rows: rows, inDim: inDim, rng: &rng)
            let q = try QuantKernels.quantize(x, rows: rows, inDim: inDim, variant: .scalar)
            var ref = [Double](repeating: 0, count: rows * outDim), mag = ref
            for r in 0..<rows {
                for j in 0..<outDim {
                    for b in 0..<nb {
                        let blk = w[((j * nb + b) * bb)..<((j * nb + b + 1) * bb)]
                        for i in 0..<32 {
                            let t = Self.weight(type, blk, i) * Double(q.scales[r * nb + b]) * Double(q.values[(r * nb + b) * 32 + i])
                            ref[r * outDim + j] += t
                            mag[r * outDim + j] += abs(t)
                        }
                    }
                }
            }
            for v in Self.variants {
                let y = try QuantKernels.product(type: type, blocks: w, outDim: outDim, inDim: inDim, x: x, rows: rows, variant: v)
                let worst = zip(y, zip(ref, mag)).map { abs(Double($0) - $1.0) / (1e-6 + $1.1) }.max() ?? 0
                #expect(worst < 2e-6, "\(type) \(v) rows \(rows): relative error \(worst)")
            }
        }
    }

    /// A row's outputs are the same bits alone and in a batch (tiles and groups never change an
    /// accumulator's sequence of operations), so a sample's decode does not depend on its batch.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func rowsAreIndependentOfTheBatch(type: GGMLType) throws {
        var rng = SplitMix64(seed: 5)
        let outDim = 45, inDim = 64
        let w = Self.blocks(type, rows: outDim, inDim: inDim, rng: &rng)
        let x = Self.activations(rows: 11, inDim: inDim, rng: &rng)
        for v in Self.variants {
            let all = try QuantKernels.product(type: type, blocks: w, outDim: outDim, inDim: inDim, x: x, rows: 11, variant: v)
            for r in [0, 5, 8, 10] {
                let one = try QuantKernels.product(type: type, blocks: w, outDim: outDim, inDim: inDim,
                                                   x: Array(x[(r * inDim)..<((r + 1) * inDim)]), rows: 1, variant: v)
                #expect(one.map(\.bitPattern) == all[(r * outDim)..<((r + 1) * outDim)].map(\.bitPattern), "\(type) \(v) row \(r)")
            }
        }
    }

    /// Every variant computes the portable variant's bits (the same exact block sums, the same FMAs in the
    /// same order), for every row-group size, an output count that leaves partial tiles, and rows of more
    /// than 512 blocks (whose scales the AVX2 tiles read in place rather than interleaved on the stack).
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func variantsComputeTheSameBits(type: GGMLType) throws {
        var rng = SplitMix64(seed: 23)
        for (outDim, inDim) in [(37, 96), (6, 513 * 32)] {
            let w = Self.blocks(type, rows: outDim, inDim: inDim, rng: &rng)
            for rows in [1, 2, 3, 4, 5, 8, 15] {
                let x = Self.activations(rows: rows, inDim: inDim, rng: &rng)
                let ref = try QuantKernels.product(type: type, blocks: w, outDim: outDim, inDim: inDim, x: x, rows: rows, variant: .scalar)
                for v in Self.variants where v != .scalar {
                    let y = try QuantKernels.product(type: type, blocks: w, outDim: outDim, inDim: inDim, x: x, rows: rows, variant: v)
                    #expect(y.map(\.bitPattern) == ref.map(\.bitPattern), "\(type) \(v) \(outDim)x\(inDim) rows \(rows)")
                }
            }
        }
    }

    @Test func badSizesThrow() {
        #expect(throws: TrainerError.self) { try QuantKernels.quantize([1, 2, 3], rows: 1, inDim: 3) }
        #expect(throws: TrainerError.self) {
            try QuantKernels.product(type: .q4_0, blocks: [0, 1], outDim: 1, inDim: 32, x: Array(repeating: 0, count: 32), rows: 1)
        }
        #expect(throws: TrainerError.self) {
            try QuantKernels.product(type: .f32, blocks: [], outDim: 1, inDim: 32, x: Array(repeating: 0, count: 32), rows: 1)
        }
    }
}
