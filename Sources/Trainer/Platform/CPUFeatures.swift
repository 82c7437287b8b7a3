import CPlatform

/// What this CPU can run, from CPUID and the register state the OS saves (XGETBV): the facts the
/// run-time kernel choices rest on (which OpenBLAS core type to ask for, which C kernel variant to call).
///
/// An instruction set counts only when the OS also saves its registers (an AVX-512 CPU under an OS or
/// hypervisor that does not enable ZMM state reports `avx512f == false`), so "has X" here means "X may run".
public struct CPUFeatures: Sendable, Equatable {
    public var isX86: Bool
    /// CPUID's vendor string: "GenuineIntel", "AuthenticAMD", "HygonGenuine", ...
    public var vendor: String
    /// The brand string, e.g. "Intel(R) Xeon(R) Platinum 8488C" (may be generic under a hypervisor: "AMD EPYC").
    public var brand: String
    public var family: Int, model: Int, stepping: Int
    public var sse42 = false, avx = false, avx2 = false, fma = false, f16c = false
    public var avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false, avx512cd = false
    public var avx512vnni = false, avx512bf16 = false
    public var avxVNNI = false, amxTile = false, amxInt8 = false, amxBF16 = false

    public init(isX86: Bool = true, vendor: String = "", brand: String = "", family: Int = 0, model: Int = 0, stepping: Int = 0) {
        self.isX86 = isX86; self.vendor = vendor; self.brand = brand
        self.family = family; self.model = model; self.stepping = stepping
    }

    /// This machine's CPU (read once).
    public static let current: CPUFeatures = {
        var raw = cplatform_cpu()
        cplatform_cpu_info(&raw)
        func text<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { bytes in
                let upToNul = bytes.prefix { $0 != 0 }
                return String(decoding: upToNul, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        }
        var f = CPUFeatures(isX86: raw.is_x86 != 0, vendor: text(raw.vendor), brand: text(raw.brand),
                            family: Int(raw.family), model: Int(raw.model), stepping: Int(raw.stepping))
        f.sse42 = raw.sse42 != 0; f.avx = raw.avx != 0; f.avx2 = raw.avx2 != 0; f.fma = raw.fma != 0; f.f16c = raw.f16c != 0
        f.avx512f = raw.avx512f != 0; f.avx512bw = raw.avx512bw != 0; f.avx512dq = raw.avx512dq != 0
        f.avx512vl = raw.avx512vl != 0; f.avx512cd = raw.avx512cd != 0; f.avx512vnni = raw.avx512vnni != 0
        f.avx512bf16 = raw.avx512bf16 != 0; f.avxVNNI = raw.avxvnni != 0
        f.amxTile = raw.amx_tile != 0; f.amxInt8 = raw.amx_int8 != 0; f.amxBF16 = raw.amx_bf16 != 0
        return f
    }()

    /// AVX-512 Foundation with the byte/word, doubleword/quadword, vector-length and conflict subsets:
    /// what OpenBLAS's SkylakeX kernels and the usual "AVX-512" kernels assume.
    public var hasAVX512Core: Bool { avx512f && avx512bw && avx512dq && avx512vl && avx512cd }

    /// The x86-64-v3 level (AVX2 + FMA) the trainer's Swift kernels are compiled for.
    public var hasTrainerBaseline: Bool { !isX86 || (avx2 && fma) }

    /// The instruction sets of interest, by their usual names (for logs and `curate-tool doctor`).
    public var flagNames: [String] {
        let all: [(Bool, String)] = [
            (sse42, "sse4.2"), (avx, "avx"), (avx2, "avx2"), (fma, "fma"), (f16c, "f16c"),
            (avx512f, "avx512f"), (avx512bw, "avx512bw"), (avx512dq, "avx512dq"), (avx512vl, "avx512vl"),
            (avx512cd, "avx512cd"), (avx512vnni, "avx512_vnni"), (avx512bf16, "avx512_bf16"), (avxVNNI, "avx_vnni"),
            (amxTile, "amx_tile"), (amxInt8, "amx_int8"), (amxBF16, "amx_bf16"),
        ]
        return all.filter(\.0).map(\.1)
    }

    /// One line: brand, vendor, family/model/stepping.
    public var summary: String {
        guard isX86 else { return "not x86-64 (no CPUID)" }
        let name = brand.isEmpty ? "unknown model" : brand
        return "\(name) (\(vendor), family \(family), model \(model), stepping \(stepping))"
    }
}
