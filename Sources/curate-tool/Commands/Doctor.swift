import ArgumentParser
import Curation
import Trainer

/// `curate-tool doctor`: what this machine is and which kernels the trainer will use on it.
///
/// Figures from `bench train` / `bench generate` depend on the CPU and the BLAS kernels; this prints both,
/// with the reason for the kernel choice, so a slow run can be explained (e.g. generic kernels picked by a
/// library that does not know the CPU).
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the CPU, its features, the OpenBLAS library and kernels the trainer uses, and the version.",
        discussion: "One `name: value` line each. Exits 1 when the trainer cannot run here (no AVX2/FMA, or no OpenBLAS).")

    @Option(name: .long, help: "Threads to report (default: the active cores).")
    var threads: Int?

    func run() throws {
        Console.stdout("curate-tool: \(CurateTool.configuration.version)")
        let lines = MachineCheck.report(threads: threads ?? defaultThreadCount)
        for (name, value) in lines { Console.stdout("\(name): \(value)") }
        do { try MachineCheck.requireTrainerKernels() } catch { throw ExitCode(1) }
    }
}
