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
        subcommands: [Stats.self, Convert.self, Merge.self, Normalize.self, Tokenize.self, Decontaminate.self, Verify.self, Vote.self, Select.self, PersonaCommand.self, Mix.self, Run.self, RunTask.self, Runs.self, SFT.self, DPO.self, RLVR.self, Score.self, ConvertModel.self, Generate.self, Eval.self, Serve.self, Bench.self, AnswersEval.self, Doctor.self, LangID.self, Synth.self, Ablate.self]
    )

    /// Refuses the trainer's commands on a CPU without AVX2 + FMA before any of the Trainer module's code runs:
    /// that module is compiled for x86-64-v3, and on an older CPU its first vector instruction would kill the
    /// process with SIGILL instead of an error. This file and CPlatform are compiled for the x86-64 baseline.
    static func main() {
        if let refusal = trainerCPURefusal(CommandLine.arguments.dropFirst().first) {
            FileHandle.standardError.write(Data(("error: " + refusal + "\n").utf8))
            Foundation.exit(1)
        }
        MallocTuning.apply()
        main(nil)
    }

    /// The subcommands that run the Trainer module's kernels.
    static let trainerCommands: Set<String> = ["sft", "dpo", "rlvr", "score", "convert-model", "generate", "eval", "serve", "bench", "tokenize", "doctor"]

    static func trainerCPURefusal(_ command: String?) -> String? {
        guard let command, trainerCommands.contains(command), let lacking = trainerKernelShortfall else { return nil }
        return "`\(command)` needs a CPU with AVX2 and FMA (x86-64-v3), which the trainer's kernels are compiled for; this one lacks \(lacking)"
    }

    /// The `run` stage kinds that run the Trainer module's kernels.
    static let trainerStageKinds: Set<String> = ["sft", "dpo", "rlvr", "generate", "eval"]

    /// Refuses a recipe with a trainer stage on a CPU without AVX2 + FMA before its first stage runs (not after
    /// the data stages before it, and never with SIGILL half-way through).
    static func recipeCPURefusal(stages: [(name: String, kind: String)]) -> String? {
        guard let stage = stages.first(where: { trainerStageKinds.contains($0.kind) }), let lacking = trainerKernelShortfall else { return nil }
        return "stage \(stage.name) (\(stage.kind)) needs a CPU with AVX2 and FMA (x86-64-v3), which the trainer's kernels are compiled for; this one lacks \(lacking)"
    }

    /// What the trainer's kernels need and this CPU lacks ("AVX2", "FMA", "AVX2 and FMA"), nil when nothing.
    /// Test builds (CURATE_TEST_HOOKS) read `CURATE_TEST_CPU_LACKS=AVX2|FMA` to act as such a CPU.
    static var trainerKernelShortfall: String? {
        #if CURATE_TEST_HOOKS
        if let simulated = ProcessInfo.processInfo.environment["CURATE_TEST_CPU_LACKS"], !simulated.isEmpty { return simulated }
        #endif
        #if arch(x86_64)
        var cpu = cplatform_cpu()
        cplatform_cpu_info(&cpu)
        let lacking = [cpu.avx2 == 0 ? "AVX2" : nil, cpu.fma == 0 ? "FMA" : nil].compactMap { $0 }
        return lacking.isEmpty ? nil : lacking.joined(separator: " and ")
        #else
        return nil
        #endif
    }
}
