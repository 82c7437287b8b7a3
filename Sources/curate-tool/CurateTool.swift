import ArgumentParser
import CPlatform
import Curation
import Foundation

@main
struct CurateTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate-tool",
        abstract: "Curate, decontaminate, mix and train on post-training data.",
        discussion: "Every data stage reads and writes sharded JSONL (.jsonl, .jsonl.zst, .jsonl.gz), writes a manifest and a report, and counts records in, out and dropped by reason.",
        version: "0.1.0",
        subcommands: [Stats.self, Convert.self, Tokenize.self, Decontaminate.self, Verify.self, Vote.self, Select.self, PersonaCommand.self, Mix.self, Run.self, Runs.self, SFT.self, DPO.self, Score.self, ConvertModel.self, Generate.self, Eval.self, Serve.self, Bench.self, AnswersEval.self, Doctor.self, Synth.self]
    )

    /// Refuses the trainer's commands on a CPU without AVX2 + FMA before any of the Trainer module's code runs:
    /// that module is compiled for x86-64-v3, and on an older CPU its first vector instruction would kill the
    /// process with SIGILL instead of an error. This file and CPlatform are compiled for the x86-64 baseline.
    static func main() {
        if let refusal = trainerCPURefusal(CommandLine.arguments.dropFirst().first) {
            FileHandle.standardError.write(Data(("error: " + refusal + "\n").utf8))
            Foundation.exit(1)
        }
        main(nil)
    }

    /// The subcommands that run the Trainer module's kernels.
    static let trainerCommands: Set<String> = ["sft", "dpo", "score", "convert-model", "generate", "eval", "serve", "bench", "tokenize", "doctor"]

    static func trainerCPURefusal(_ command: String?) -> String? {
        #if arch(x86_64)
        guard let command, trainerCommands.contains(command) else { return nil }
        var cpu = cplatform_cpu()
        cplatform_cpu_info(&cpu)
        guard cpu.avx2 == 0 || cpu.fma == 0 else { return nil }
        return "`\(command)` needs a CPU with AVX2 and FMA (x86-64-v3), which the trainer's kernels are compiled for; this one lacks "
            + [cpu.avx2 == 0 ? "AVX2" : nil, cpu.fma == 0 ? "FMA" : nil].compactMap { $0 }.joined(separator: " and ")
        #else
        return nil
        #endif
    }
}
