import Foundation
import Testing

/// `curate-tool doctor` and the machine lines of the benchmarks.
@Suite struct DoctorCLITests {
    static func field(_ name: String, _ out: String) -> String? {
        out.split(separator: "\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    @Test func doctorNamesTheCPUAndTheKernels() throws {
        let r = try CLI.run(["doctor", "--threads", "2"], env: ["OPENBLAS_CORETYPE": ""])
        #expect(r.status == 0, "\(r.stderr)")
        let cpu = try #require(Self.field("cpu", r.stdout))
        #expect(!cpu.isEmpty)
        let flags = try #require(Self.field("cpu features", r.stdout))
        let kernels = try #require(Self.field("blas kernels", r.stdout))
        #expect(Self.field("blas library", r.stdout) != nil)
        #expect(Self.field("threads", r.stdout) == "2")
        if flags.split(separator: " ").contains("avx2") {
            #expect(!kernels.contains("generic"), "\(r.stdout)")
            for generic in ["Prescott", "Core2", "Nehalem", "Penryn", "Dunnington", "Atom"] { #expect(!kernels.hasPrefix(generic)) }
        }
    }

    /// A user's own OPENBLAS_CORETYPE is what the library uses (Haswell: runs on every AVX2 CPU).
    @Test func theUsersCoreTypeWins() throws {
        let probe = try CLI.run(["doctor"])
        guard let flags = Self.field("cpu features", probe.stdout), flags.split(separator: " ").contains("avx2") else { return }
        let r = try CLI.run(["doctor"], env: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.field("blas kernels", r.stdout) == "Haswell", "\(r.stdout)")
        #expect(Self.field("blas core type", r.stdout)?.contains("OPENBLAS_CORETYPE=Haswell") == true)
    }

    /// On a CPU without AVX2 (simulated by the test builds' CURATE_TEST_CPU_LACKS hook) the trainer's commands,
    /// and recipes with a trainer stage, stop with an error before any stage runs; data commands still run.
    @Test func aCPUWithoutAVX2GetsAnErrorNotSIGILL() throws {
        let lacks = ["CURATE_TEST_CPU_LACKS": "AVX2"]
        let sft = try CLI.run(["sft", "--help"], env: lacks)
        #expect(sft.status == 1 && sft.stderr.contains("`sft` needs a CPU with AVX2 and FMA") && sft.stderr.contains("lacks AVX2"), "\(sft.stderr)")
        let dir = CLI.tempDir("no-avx2-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try CLI.run(["run", CLI.fixture("recipes/demo.yaml"), "--output", dir + "/run", "--quiet"], env: lacks)
        #expect(run.status != 0 && run.stderr.contains("needs a CPU with AVX2 and FMA") && run.stderr.contains("(sft)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"), "a refused recipe ran stages")
        let stats = try CLI.run(["stats", "--help"], env: lacks)
        #expect(stats.status == 0, "\(stats.stderr)")
    }
}
