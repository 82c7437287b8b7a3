import ArgumentParser
import Curation
import Foundation
import Trainer


/// `curate-tool bench generate`: decoding tokens/s for one stream and for a batch of samples, next to
/// Python transformers doing the same generation on the same threads (Benchmarks/generate_transformers.py),
/// and optionally next to llama.cpp on the same GGUF (`--llama-bench`, runs alternating with ours).
struct BenchGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Decode with the local model and with transformers; print tokens/s and the ratio.",
        discussion: "The last line is `tokens/s: N` for the last batch size measured (medians of --runs runs after one warm-up).")

    @Option(name: .long, help: "Model folder or GGUF file.")
    var model: String

    @Option(name: .long, help: "Batch sizes (samples of one prompt decoded together), comma-separated.")
    var batch: String = "1,8"

    @Option(name: .long, help: "New tokens per sample.")
    var newTokens = 64

    @Option(name: .long, help: "Timed runs per batch size (after one warm-up).")
    var runs = 3

    @Option(name: .long, help: "Threads (ours and the reference's).")
    var threads = 2

    @Option(name: .long, help: "The transformers script (default: Benchmarks/generate_transformers.py found from the working directory).")
    var referenceScript: String?

    @Flag(name: .long, help: "Skip the transformers reference.")
    var noReference = false

    @Option(name: .long, help: "llama.cpp's llama-bench binary (Benchmarks/build_llama_cpp.sh builds it): runs it (one stream) and llama-batched-bench from the same folder (batches) on the same GGUF and threads, alternating with our runs. Skipped with a message when absent.")
    var llamaBench: String?

    @Flag(name: .long, help: "Decode from the fp32 weights even when a GGUF's Q4_0/Q4_1/Q8_0 blocks could be used (the path of trained checkpoints).")
    var fp32Weights = false

    @Flag(name: .long, help: "Decode from a GGUF's Q4_0/Q4_1/Q8_0 blocks bitwise as from its fp32 weights (slower; default: int16 activations and integer dot products, within the README's tolerance).")
    var exact = false

    func run() throws {
        let sizes = batch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch must list positive integers") }
        try printMachine(threads: threads)
        let loadStart = Date()
        let loaded = try ModelLoader.load(path: model)
        loaded.model.threads = ComputeThreads(threads)
        Console.info(String(format: "loaded %@ (%d parameters) in %.1f s", model, loaded.model.config.parameterCount,
                            Date().timeIntervalSince(loadStart)))
        if fp32Weights { loaded.model.quantizedWeights = nil }
        Console.info(loaded.model.quantizedWeights == nil ? "decoding from fp32 weights"
                     : exact ? "decoding from the GGUF's quantized blocks (--exact: bitwise the fp32 results)"
                     : "decoding from the GGUF's quantized blocks (int16 activations, integer dot products)")
        let prompt = loaded.tokenizer.encode("The quick brown fox")
        let script = referenceScript ?? Self.findScript()
        var lastLine = ""
        let llama = llamaCppReference()
        for b in sizes {
            let decoder = try TextDecoder(model: loaded.model, tokenizer: loaded.tokenizer, maxBatch: b)
            decoder.exactQuantized = exact
            var rates: [Double] = []
            var llamaRates: [Double] = []
            for r in 0...runs {
                let job = DecodeJob(promptID: "bench", promptTokens: prompt, samples: b, maxNewTokens: newTokens,
                                    sampling: SamplingOptions(temperature: 0.8, seed: UInt64(r)), stopStrings: [], stopTokens: [])
                let t = Date()
                let out = try decoder.run([job])
                let dt = Date().timeIntervalSince(t)
                let n = out[0].reduce(0) { $0 + $1.tokens.count }
                if r == 0 { continue }
                rates.append(Double(n) / dt)
                Console.info(String(format: "batch %d run %d: %d tokens in %.2f s, %.1f tokens/s", b, r, n, dt, Double(n) / dt))
                if let llama, let v = llamaCppRun(llama, batch: b, run: r) { llamaRates.append(v) }
            }
            let ours = median(rates)
            Console.stdout(String(format: "batch %d: curate %.1f tokens/s", b, ours))
            if llama != nil { reportLlamaCpp(batch: b, ours: ours, rates: llamaRates) }
            if !noReference {
                if let script, let ref = reference(script: script, batch: b) {
                    Console.stdout(String(format: "batch %d: transformers %.1f tokens/s, ratio %.2fx", b, ref, ours / ref))
                } else {
                    Console.stdout("batch \(b): transformers reference skipped (script, python3, torch or transformers not available)")
                }
            }
            lastLine = String(format: "tokens/s: %.1f", ours)
        }
        Console.stdout(lastLine)
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func findScript() -> String? {
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            let p = dir.appendingPathComponent("Benchmarks/generate_transformers.py").path
            if FileManager.default.fileExists(atPath: p) { return p }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs the Python reference; nil (with its stderr shown) when it cannot run.
    func reference(script: String, batch: Int) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, "--model", model, "--batch", String(batch), "--new-tokens", String(newTokens),
                       "--runs", String(runs), "--threads", String(threads)]
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = String(threads)
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { return nil }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let lines = String(decoding: o, as: UTF8.self).split(separator: "\n")
        guard p.terminationStatus == 0, let last = lines.last, last.hasPrefix("tokens/s: "), let v = Double(last.dropFirst(10)) else {
            let tail = String(decoding: e, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: "\n")
            if !tail.isEmpty { Console.info("transformers reference failed: \(tail)") }
            return nil
        }
        for l in String(decoding: e, as: UTF8.self).split(separator: "\n") where l.hasPrefix("run ") {
            Console.info("transformers batch \(batch) \(l)")
        }
        return v
    }
}
