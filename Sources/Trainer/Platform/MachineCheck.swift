/// The checks and the description of the machine the trainer runs on, shared by `curate-tool doctor` and
/// the benchmarks (whose figures mean little without the CPU and the BLAS kernels beside them).
public enum MachineCheck {
    /// Throws unless this CPU can run the trainer's kernels (AVX2 + FMA on x86-64) and OpenBLAS loads.
    public static func requireTrainerKernels() throws {
        let cpu = CPUFeatures.current
        guard cpu.hasTrainerBaseline else {
            throw TrainerError.invalidConfig("this CPU (\(cpu.summary)) lacks AVX2 and FMA, which the trainer's kernels are built for "
                                             + "(x86-64-v3); it has: \(cpu.flagNames.joined(separator: " "))")
        }
        try BLASRuntime.ensureLoaded()
    }

    /// "name: value" lines: CPU, its features, the BLAS library, its kernels and why, and `threads`.
    public static func report(threads: Int) -> [(String, String)] {
        let cpu = CPUFeatures.current
        var lines: [(String, String)] = [
            ("cpu", cpu.summary),
            ("cpu features", cpu.flagNames.isEmpty ? "(none of interest)" : cpu.flagNames.joined(separator: " ")),
            ("trainer kernels", cpu.hasTrainerBaseline ? "Swift SIMD, AVX2 + FMA (x86-64-v3): supported"
                                                      : "Swift SIMD, AVX2 + FMA (x86-64-v3): NOT supported by this CPU"),
        ]
        do {
            let blas = try BLASRuntime.ensureLoaded()
            lines.append(("blas library", blas.libraryPath))
            lines.append(("blas config", blas.config))
            lines.append(("blas core type", blas.choice.coreType.map { "\($0) requested (\(blas.choice.reason))" } ?? blas.choice.reason))
            lines.append(("blas kernels", blas.kernels + (blas.isGeneric ? " (generic: products will be slow)" : "")))
        } catch {
            lines.append(("blas", "\(error)"))
        }
        lines.append(("threads", "\(threads)"))
        return lines
    }
}
