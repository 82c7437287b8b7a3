/// Which OpenBLAS kernels ("core type") to ask for on a CPU.
///
/// A DYNAMIC_ARCH OpenBLAS picks its kernels once, when it loads, from its own CPU table; a CPU newer than
/// the library (Debian 12's 0.3.21 on a Sapphire Rapids Xeon) falls back to the generic SSE3 `Prescott`
/// kernels, 4x slower at sgemm. It honours `OPENBLAS_CORETYPE` read at that moment, so we choose from the
/// CPU's features (not its model number, which is what goes stale) before loading the library
/// (`BLASRuntime`). The names below exist in every OpenBLAS since 0.3.10.
public struct OpenBLASCoreTypeChoice: Sendable, Equatable {
    /// The value to set in `OPENBLAS_CORETYPE` before loading, or nil to leave the environment alone.
    public var coreType: String?
    /// Why, in words (printed by `doctor` and the benchmarks).
    public var reason: String

    /// Core types whose kernels are the generic pre-AVX ones: what a library that does not know a CPU uses.
    public static let genericCoreTypes: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
        "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat",
    ]

    /// The choice for `cpu`; `userSetting` is the environment's `OPENBLAS_CORETYPE`, which always wins.
    public static func choose(for cpu: CPUFeatures, userSetting: String?) -> OpenBLASCoreTypeChoice {
        if let u = userSetting, !u.trimmingCharacters(in: .whitespaces).isEmpty {
            return .init(coreType: nil, reason: "OPENBLAS_CORETYPE=\(u) set in the environment")
        }
        guard cpu.isX86 else { return .init(coreType: nil, reason: "not x86-64: the library's own detection") }
        let amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine"
        if cpu.hasAVX512Core {
            // Cooperlake = SkylakeX's kernels plus bf16 ones; both run on any later AVX-512 CPU (Ice Lake,
            // Sapphire Rapids, Zen 4), which is how newer OpenBLAS releases map those CPUs.
            if cpu.avx512bf16 { return .init(coreType: "Cooperlake", reason: "AVX-512 (F, BW, DQ, VL, CD) with BF16") }
            return .init(coreType: "SkylakeX", reason: "AVX-512 (F, BW, DQ, VL, CD)")
        }
        if cpu.avx2 && cpu.fma {
            return amd ? .init(coreType: "Zen", reason: "AMD with AVX2 and FMA")
                       : .init(coreType: "Haswell", reason: "AVX2 and FMA")
        }
        if cpu.avx { return .init(coreType: "Sandybridge", reason: "AVX without AVX2") }
        return .init(coreType: nil, reason: "no AVX: the library's own detection")
    }
}
