import Foundation
import Testing

/// `bench generate` on the tiny model: the optional llama.cpp reference is skipped with a message, never a
/// failure, when its tool or a GGUF model is missing (CI never builds llama.cpp).
@Suite struct BenchGenerateCLITests {
    static let model = CLI.fixture("generation/tiny-chatml")
    static let quick = ["bench", "generate", "--model", model, "--batch", "1,2", "--runs", "1", "--new-tokens", "4", "--no-reference"]

    @Test func missingLlamaBenchIsSkippedAndTheBenchmarkStillRuns() throws {
        let r = try CLI.run(Self.quick + ["--llama-bench", "/nonexistent/llama-bench"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("llama.cpp reference skipped: /nonexistent/llama-bench is not an executable file"))
        // Our figures are still there, for every batch size, and the last line is the usual one.
        #expect(r.stdout.contains("batch 1: curate ") && r.stdout.contains("batch 2: curate "))
        #expect(r.stdout.split(separator: "\n").last?.hasPrefix("tokens/s: ") == true)
        #expect(!r.stdout.contains("llama.cpp batch"))
    }

    @Test func llamaCppNeedsAGGUFModel() throws {
        // An executable that is not llama-bench: it must not even be started, the model being a folder.
        let r = try CLI.run(Self.quick + ["--llama-bench", "/bin/false"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("llama.cpp reference skipped: --model \(Self.model) is not a GGUF file"))
        #expect(!r.stderr.contains("failed"))
    }
}
