import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool bench`: throughput benchmarks.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Throughput benchmarks.", subcommands: [BenchTrain.self, BenchGenerate.self])
}

/// `curate-tool bench train`: training tokens/s of the reference configuration, side by side with PyTorch.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput (random tokens, AdamW, fp32) against PyTorch on the same configuration.",
        discussion: "Prints `tokens/s: N` (ours) as the last line. Runs Benchmarks/train_torch.py with the same sizes unless --no-torch (skipped with a message when torch is absent), and an sgemm GFLOP/s line. With --smollm2 GGUF: SFT tokens/s and peak RSS of SmolLM2-135M at --seq (default 512).")

    @Option(name: .long) var hidden = 256
    @Option(name: .long) var layers = 4
    @Option(name: .long) var heads = 4
    @Option(name: .long) var kvHeads: Int?
    @Option(name: .long) var intermediate = 704
    @Option(name: .long) var vocab = 4096
    @Option(name: .long) var seq: Int?
    @Option(name: .long) var batch: Int?
    @Option(name: .long) var warmup = 2
    @Option(name: .long) var steps = 10
    @Option(name: .long, help: "Threads (default 2, the reference).") var threads = 2
    @Flag(name: .long, help: "Skip the PyTorch comparison.") var noTorch = false
    @Option(name: .long, help: "Path of train_torch.py (default: Benchmarks/train_torch.py found from the working directory).") var torchScript: String?
    @Option(name: .long, help: "Python interpreter.") var python = "python3"
    @Option(name: .long, help: "Instead: SFT steps on SmolLM2-135M from this GGUF.") var smollm2: String?
    @Flag(name: .long, help: "Only the sgemm GFLOP/s line (Benchmarks/train_bench.sh compares core types with it).") var sgemmOnly = false

    func run() throws {
        let t = ComputeThreads(threads)
        try printMachine(threads: threads)
        Console.info(String(format: "sgemm: %.1f GFLOP/s at n=1024, %.1f at n=256 (%d threads)",
                            TrainBenchmark.sgemmGFLOPS(n: 1024, threads: t), TrainBenchmark.sgemmGFLOPS(n: 256, threads: t), threads))
        if sgemmOnly { return }
        if let g = smollm2 { try runSmol(g); return }
        let cfg = LlamaConfig(hiddenSize: hidden, intermediateSize: intermediate, numHiddenLayers: layers, numAttentionHeads: heads,
                              numKeyValueHeads: kvHeads ?? heads, vocabSize: vocab, maxPositionEmbeddings: max(2048, seq ?? 256))
        let s = seq ?? 256, b = batch ?? 8
        let ours = try TrainBenchmark.run(.init(config: cfg, sequenceLength: s, batchSize: b, warmupSteps: warmup, steps: steps, threads: threads))
        Console.info(String(format: "ours: %d parameters, loss %.4f, step %.3f s (median)", ours.parameterCount, ours.finalLoss,
                            ours.stepSeconds.sorted()[ours.stepSeconds.count / 2]))
        if !noTorch {
            if let t = torchTokensPerSecond(s: s, b: b) {
                Console.stdout(String(format: "pytorch tokens/s: %.0f", t))
                Console.stdout(String(format: "ratio (ours / pytorch): %.3f", ours.tokensPerSecond / t))
            }
        }
        Console.stdout(String(format: "tokens/s: %.0f", ours.tokensPerSecond))
    }

    func scriptPath() -> String? {
        if let p = torchScript { return p }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while dir.path != "/" {
            let p = dir.appendingPathComponent("Benchmarks/train_torch.py").path
            if FileManager.default.fileExists(atPath: p) { return p }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs the PyTorch script; nil (with a message) when it cannot run or torch is absent.
    func torchTokensPerSecond(s: Int, b: Int) -> Double? {
        guard let script = scriptPath() else { Console.warn("Benchmarks/train_torch.py not found; skipping the PyTorch comparison"); return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script, "--hidden", "\(hidden)", "--layers", "\(layers)", "--heads", "\(heads)", "--kv-heads", "\(kvHeads ?? heads)",
                       "--intermediate", "\(intermediate)", "--vocab", "\(vocab)", "--seq", "\(s)", "--batch", "\(b)",
                       "--warmup", "\(warmup)", "--steps", "\(steps)", "--threads", "\(threads)"]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { Console.warn("cannot run \(python): \(error); skipping the PyTorch comparison"); return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 3 { Console.warn("torch is not installed; skipping the PyTorch comparison"); return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("tokens/s:") }),
              let v = Double(line.dropFirst("tokens/s:".count).trimmingCharacters(in: .whitespaces)) else {
            Console.warn("the PyTorch benchmark failed (status \(p.terminationStatus)); skipping the comparison"); return nil
        }
        return v
    }

    /// SFT steps on SmolLM2-135M: loss on every token of random-text rows of `seq` tokens.
    func runSmol(_ path: String) throws {
        let s = seq ?? 512, b = batch ?? 1
        let loaded = try ModelLoader.load(path: path)
        let model = loaded.model
        model.threads = ComputeThreads(threads)
        var rng = Curation.SplitMix64(seed: 7)
        let rows = (0..<b).map { _ in TokenBatch.Example(tokens: (0..<s).map { _ in Int32(rng.next() % UInt64(model.config.vocabSize)) }) }
        var settings = SFTSettings()
        settings.maxLength = s; settings.batchSize = b; settings.epochs = 1; settings.learningRate = 1e-5; settings.warmupRatio = 0
        var times: [Double] = []
        let trainer = try SFTTrainer(model: model, train: Array(repeating: rows, count: warmup + steps).flatMap { $0 }, settings: settings)
        for i in 0..<(warmup + steps) {
            let m = try trainer.trainStep()
            if i >= warmup { times.append(m.seconds) }
            Console.info(String(format: "step %d loss %.4f %.2f s", m.step, m.loss, m.seconds))
        }
        let tps = Double(s * b * steps) / times.reduce(0, +)
        Console.stdout(String(format: "smollm2-135m sft seq %d batch %d: peak RSS %.0f MB", s, b, Double(TrainingSupport.peakRSS()) / 1e6))
        Console.stdout(String(format: "tokens/s: %.0f", tps))
    }
}

/// The machine lines every benchmark prints first (CPU, features, BLAS library and kernels, threads):
/// a figure is only comparable with the machine beside it. Throws when the trainer cannot run here.
func printMachine(threads: Int) throws {
    for (name, value) in MachineCheck.report(threads: threads) { Console.stdout("\(name): \(value)") }
    try MachineCheck.requireTrainerKernels()
}
