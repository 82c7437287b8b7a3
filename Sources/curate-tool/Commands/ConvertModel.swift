import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool convert-model`: a GGUF (or model folder) written as a Hugging Face model folder.
struct ConvertModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-model",
        abstract: "Write a GGUF file or model folder as a Hugging Face folder (config.json, model.safetensors fp32, tokenizer.json, tokenizer_config.json).")

    @Option(name: .long, help: "A GGUF file (llama architecture) or a model folder.") var input: String
    @Option(name: .shortAndLong, help: "Output directory.") var output: String
    @Option(name: .long, help: "Chat template to record: tulu or chatml (default: the checkpoint's).") var template: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let loaded = try ModelLoader.load(path: input)
        let t = try template.map { try ChatTemplate.named($0, tokenizer: loaded.tokenizer) } ?? loaded.chatTemplate
        try ModelFolder.save(loaded.model, tokenizer: loaded.tokenizer, template: t, to: output)
        let c = loaded.model.config
        if !global.quiet {
            Console.info("wrote \(output): \(c.parameterCount) parameters, hidden \(c.hiddenSize), \(c.numHiddenLayers) layers, vocabulary \(c.vocabSize), template \(t?.kind.rawValue ?? "none")")
        }
        if global.json {
            Console.stdout(PrettyJSON.string(.object(JSONObject([.init(key: "output", value: .string(output)),
                                                                 .init(key: "parameters", value: .int(c.parameterCount)),
                                                                 .init(key: "config", value: c.json)]))))
        }
    }
}
