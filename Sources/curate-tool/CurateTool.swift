import ArgumentParser
import Curation

@main
struct CurateTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate-tool",
        abstract: "Curate, decontaminate, mix and train on post-training data.",
        discussion: "Every data stage reads and writes sharded JSONL (.jsonl, .jsonl.zst, .jsonl.gz), writes a manifest and a report, and counts records in, out and dropped by reason.",
        version: "0.1.0",
        subcommands: [Stats.self, Convert.self, Tokenize.self, Decontaminate.self, Verify.self, Vote.self, Select.self, PersonaCommand.self, Mix.self, Run.self, Runs.self, SFT.self, DPO.self, Score.self, ConvertModel.self, Generate.self, Eval.self, Serve.self, Bench.self, AnswersEval.self]
    )
}
