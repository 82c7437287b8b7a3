import Foundation
import Testing
import Trainer

/// The run-time kernel choice: OpenBLAS core types from CPU features, and the kernels actually loaded.
@Suite struct MachineTests {
    static func cpu(_ vendor: String, _ configure: (inout CPUFeatures) -> Void) -> CPUFeatures {
        var c = CPUFeatures(vendor: vendor, brand: "test CPU", family: 6, model: 207)
        c.sse42 = true; c.avx = true
        configure(&c)
        return c
    }

    static let sapphireRapids = cpu("GenuineIntel") {
        $0.avx2 = true; $0.fma = true
        $0.avx512f = true; $0.avx512bw = true; $0.avx512dq = true; $0.avx512vl = true; $0.avx512cd = true
        $0.avx512vnni = true; $0.avx512bf16 = true; $0.amxTile = true
    }
    static let skylakeServer = cpu("GenuineIntel") {
        $0.avx2 = true; $0.fma = true
        $0.avx512f = true; $0.avx512bw = true; $0.avx512dq = true; $0.avx512vl = true; $0.avx512cd = true
    }
    static let epycZen2 = cpu("AuthenticAMD") { $0.avx2 = true; $0.fma = true }
    static let haswell = cpu("GenuineIntel") { $0.avx2 = true; $0.fma = true }
    static let sandyBridge = cpu("GenuineIntel") { _ in }

    @Test func coreTypeFollowsTheFeaturesNotTheModelNumber() {
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.sapphireRapids, userSetting: nil).coreType == "Cooperlake")
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.skylakeServer, userSetting: nil).coreType == "SkylakeX")
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.epycZen2, userSetting: nil).coreType == "Zen")
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.haswell, userSetting: nil).coreType == "Haswell")
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.sandyBridge, userSetting: nil).coreType == "Sandybridge")
        var noAVX = Self.sandyBridge
        noAVX.avx = false
        #expect(OpenBLASCoreTypeChoice.choose(for: noAVX, userSetting: nil).coreType == nil)
    }

    @Test func anAVX512CPUWithoutOSSupportForZMMGetsAVX2Kernels() {
        // CPUFeatures reports AVX-512 only when the OS saves ZMM state; a partial set must not pick SkylakeX.
        var partial = Self.haswell
        partial.avx512f = true
        #expect(OpenBLASCoreTypeChoice.choose(for: partial, userSetting: nil).coreType == "Haswell")
    }

    @Test func theUsersCoreTypeWins() {
        let c = OpenBLASCoreTypeChoice.choose(for: Self.sapphireRapids, userSetting: "Haswell")
        #expect(c.coreType == nil)
        #expect(c.reason.contains("OPENBLAS_CORETYPE=Haswell"))
        #expect(OpenBLASCoreTypeChoice.choose(for: Self.sapphireRapids, userSetting: " ").coreType == "Cooperlake")
    }

    /// On this machine: an AVX2 CPU must get AVX2-or-better kernels, never the generic ones.
    @Test func loadedKernelsAreNotGenericOnAnAVX2CPU() throws {
        let cpu = CPUFeatures.current
        let info = try BLASRuntime.ensureLoaded()
        #expect(!info.kernels.isEmpty)
        if cpu.avx2 && cpu.fma {
            #expect(!info.isGeneric, "kernels \(info.kernels) on \(cpu.summary) [\(cpu.flagNames.joined(separator: " "))]")
            if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let want = info.choice.coreType {
                #expect(info.kernels.lowercased() == want.lowercased(), "asked for \(want), got \(info.kernels)")
            }
        }
    }

    @Test func cpuFeaturesAreConsistent() {
        let cpu = CPUFeatures.current
        #if arch(x86_64)
        #expect(cpu.isX86)
        #expect(!cpu.vendor.isEmpty)
        // Implications that hold on every real CPU: the reader must not invent features.
        if cpu.avx2 { #expect(cpu.avx) }
        if cpu.avx512f { #expect(cpu.avx2) }
        // This test binary was compiled for AVX2 + FMA and is running, so the CPU must have them.
        #expect(cpu.hasTrainerBaseline)
        #endif
    }

    @Test func sgemmThroughTheLoadedLibraryIsCorrect() throws {
        try BLASRuntime.ensureLoaded()
        let m = 5, n = 7, k = 3
        let a = (0..<(m * k)).map { Float($0 % 5) - 2 }, b = (0..<(k * n)).map { Float($0 % 7) - 3 }
        var c = [Float](repeating: 1, count: m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Matmul.sgemmDirect(transA: false, transB: false, m: m, n: n, k: k, alpha: 2, a: ap.baseAddress!, lda: k,
                                       b: bp.baseAddress!, ldb: n, beta: 1, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                #expect(c[i * n + j] == 2 * s + 1)
            }
        }
    }
}
