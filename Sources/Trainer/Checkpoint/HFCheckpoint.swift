import Foundation
import Curation

/// Hugging Face model folders: `config.json` + `model.safetensors` (or a sharded
/// `model.safetensors.index.json`), loadable by `LlamaForCausalLM.from_pretrained`.
public enum HFCheckpoint {
    /// Writes `config.json` and `model.safetensors` (fp32; the LM head is omitted when tied, as
    /// transformers does) plus any `extraFiles` (e.g. tokenizer.json) into `directory`.
    public static func save(_ model: LlamaModel, to directory: String, extraFiles: [String: [UInt8]] = [:]) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw TrainerError.io(path: directory, reason: "cannot create directory: \(error.localizedDescription)") }
        let p = model.parameters.pointer
        let entries = model.layout.tensors.map {
            SafetensorsFile.Entry(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(start: p + $0.offset, count: $0.count))
        }
        try SafetensorsFile.write(entries, to: directory + "/model.safetensors")
        try writeFile(PrettyJSON.string(model.config.json) + "\n", to: directory + "/config.json")
        for (name, bytes) in extraFiles.sorted(by: { $0.key < $1.key }) {
            try writeFile(bytes, to: directory + "/" + name)
        }
    }

    /// Loads a model folder. Every tensor the layout needs must be present with the right shape.
    public static func load(from directory: String) throws -> LlamaModel {
        let configPath = directory + "/config.json"
        let cfgData = try readFileData(configPath)
        let json: JSONValue
        do { json = try JSONParser.parse(Array(cfgData)) } catch {
            throw TrainerError.badFile(path: configPath, offset: nil, reason: "not valid JSON: \(error)")
        }
        let config = try LlamaConfig(json: json, path: configPath)
        let files = try safetensorsFiles(in: directory)
        var located: [String: SafetensorsFile] = [:]
        for f in files { for n in f.names { located[n] = f } }
        let layout = ParameterLayout(config: config)
        // Check every tensor before allocating: the allocation is then bounded by what the files hold.
        var sources: [(SafetensorsFile, SafetensorsFile.TensorInfo, Int)] = []
        for t in layout.tensors {
            guard let f = located[t.name], let info = f.tensors[t.name] else {
                throw TrainerError.tensorMismatch(path: directory, name: t.name, reason: "missing from the checkpoint")
            }
            guard info.shape == t.shape else {
                throw TrainerError.tensorMismatch(path: f.path, name: t.name, reason: "shape \(info.shape), expected \(t.shape)")
            }
            guard [.F32, .F16, .BF16].contains(info.dtype) else {
                throw TrainerError.tensorMismatch(path: f.path, name: t.name, reason: "dtype \(info.dtype.rawValue) is not a float type")
            }
            sources.append((f, info, t.offset))
        }
        let params = FloatBuffer(count: layout.count)
        for (f, info, offset) in sources { try f.read(info, into: params.pointer + offset) }
        return try LlamaModel(config: config, parameters: params)
    }

    static func safetensorsFiles(in directory: String) throws -> [SafetensorsFile] {
        let single = directory + "/model.safetensors"
        if FileManager.default.fileExists(atPath: single) { return [try SafetensorsFile(path: single)] }
        let indexPath = directory + "/model.safetensors.index.json"
        guard FileManager.default.fileExists(atPath: indexPath) else {
            throw TrainerError.io(path: directory, reason: "no model.safetensors or model.safetensors.index.json")
        }
        let idx = try JSONParser.parse(Array(try readFileData(indexPath)))
        guard let map = idx["weight_map"]?.objectValue else {
            throw TrainerError.badFile(path: indexPath, offset: nil, reason: "missing weight_map")
        }
        var names = Set<String>()
        for e in map {
            guard let f = e.value.stringValue, !f.contains("/"), !f.hasPrefix(".") else {
                throw TrainerError.badFile(path: indexPath, offset: nil, reason: "bad shard name for \(e.key)")
            }
            names.insert(f)
        }
        return try names.sorted().map { try SafetensorsFile(path: directory + "/" + $0) }
    }

    static func writeFile(_ text: String, to path: String) throws { try writeFile(Array(text.utf8), to: path) }
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        do { try AtomicFileWriter.write(bytes, to: path) } catch let e as CurationError {
            throw TrainerError.io(path: path, reason: e.description)
        }
    }
}
