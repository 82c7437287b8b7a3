import ArgumentParser
import Curation
import Foundation
import Trainer

extension DPOLossType: ExpressibleByArgument {}

/// `curate-tool dpo`: direct preference optimisation from a model folder or GGUF.
struct DPO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpo",
        abstract: "Preference optimisation (sigmoid, dpo_norm, ipo, hinge, simpo) with cached reference log-probs.",
        discussion: "Reference log-probabilities are computed once with the starting model and cached (default OUTPUT/reference_logps.jsonl, keyed by record id and content hash). Writes OUTPUT as a model folder, OUTPUT/checkpoint, OUTPUT/metrics.jsonl and OUTPUT/report.json.")

    @Option(name: .long, help: "Model to start from (and the reference): a Hugging Face folder or a GGUF file.") var model: String
    @Option(name: .long, parsing: .singleValue, help: "Preference records (Tulu 3 or TRL layout): files, globs or directories.") var data: [String]
    @Option(name: .shortAndLong, help: "Output directory.") var output: String
    @Option(name: .long, help: "Loss: sigmoid, dpo_norm, ipo, hinge or simpo.") var loss: DPOLossType = .dpoNorm
    @Option(name: .long, help: "Beta.") var beta = 5.0
    @Option(name: .long, help: "SimPO's target margin gamma.") var gamma = 0.5
    @Option(name: .long, help: "Label smoothing for sigmoid / dpo_norm (robust DPO).") var labelSmoothing = 0.0
    @Option(name: .long, help: "Chat template: tulu or chatml (default: the model's, else tulu).") var template: String?
    @Option(name: .long, help: "Reference log-prob cache file (default OUTPUT/reference_logps.jsonl).") var referenceCache: String?
    @OptionGroup var hyper: TrainHyperOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        var s = DPOSettings()
        s.loss = DPOLoss(type: loss, beta: beta, labelSmoothing: labelSmoothing, gamma: gamma)
        try hyper.apply(to: &s.loop)
        let job = DPOJob(model: model, template: template, data: data, output: output, settings: s, referenceCache: referenceCache,
                         saveEvery: hyper.saveEvery, resume: hyper.resume, stopAfter: hyper.stopAfter, threads: global.threadCount,
                         quiet: global.quiet)
        let out = try job.run()
        try out.report.write(to: (output as NSString).appendingPathComponent("report.json"))
        Console.show(out.report, options: global)
    }
}
