import Foundation
import Trainer

/// `bench generate --llama-bench PATH`: llama.cpp on the same GGUF and threads, one run after each of ours so
/// that both see the same machine noise. An absent tool or a failed run is a message, never a failed benchmark:
/// llama.cpp is an optional reference that CI never builds.
extension BenchGenerate {
    /// The llama-bench path when the reference can run; nil (with the reason on stdout) when it cannot.
    func llamaCppReference() -> String? {
        guard let path = llamaBench else { return nil }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            Console.stdout("llama.cpp reference skipped: \(path) is not an executable file (Benchmarks/build_llama_cpp.sh builds llama-bench)")
            return nil
        }
        var isDir: ObjCBool = false
        guard model.lowercased().hasSuffix(".gguf"), FileManager.default.fileExists(atPath: model, isDirectory: &isDir), !isDir.boolValue else {
            Console.stdout("llama.cpp reference skipped: --model \(model) is not a GGUF file")
            return nil
        }
        return path
    }

    /// One llama.cpp run for `batch` sequences: its tokens/s, or nil with the reason on stderr.
    func llamaCppRun(_ llamaBench: String, batch: Int, run: Int) -> Double? {
        do {
            let m = try LlamaCppReference.measure(llamaBench: llamaBench, model: model, threads: threads, newTokens: newTokens, sequences: batch)
            Console.info(String(format: "llama.cpp batch %d run %d: %.1f tokens/s", batch, run, m.tokensPerSecond))
            return m.tokensPerSecond
        } catch {
            Console.info("llama.cpp batch \(batch) run \(run) failed: \(error)")
            return nil
        }
    }

    /// The per-batch line: llama.cpp's median and our median over it.
    func reportLlamaCpp(batch: Int, ours: Double, rates: [Double]) {
        let tool = batch == 1 ? "llama-bench" : "llama-batched-bench"
        guard !rates.isEmpty else {
            Console.stdout("batch \(batch): llama.cpp reference skipped (\(tool) gave no result; see the messages above)")
            return
        }
        let ref = median(rates)
        Console.stdout(String(format: "batch %d: llama.cpp %.1f tokens/s (%@, %d runs), ratio %.2fx", batch, ref, tool, rates.count, ours / ref))
    }
}
