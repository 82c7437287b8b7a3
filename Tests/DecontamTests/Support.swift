import Curation
import Decontam
import Foundation

/// The package root, found from this file.
let packageRoot: URL = {
    var u = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) { u.deleteLastPathComponent() }
    return u
}()

func fixture(_ rel: String) -> String { packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(rel).path }

/// A fresh temporary directory per test.
func tempDir(_ name: String = #function) -> String {
    let d = NSTemporaryDirectory() + "decontam-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func writeJSONL(_ path: String, _ objects: [JSONObject]) throws {
    try AtomicFileWriter.write(objects.map { JSONWriter.string(.object($0)) + "\n" }.joined(), to: path)
}

func chat(_ id: String, _ user: String, _ assistant: String = "ok") -> JSONObject {
    JSONObject(["id": .string(id), "messages": .array([
        .object(JSONObject(["role": .string("user"), "content": .string(user)])),
        .object(JSONObject(["role": .string("assistant"), "content": .string(assistant)])),
    ])])
}

func doc(_ id: String, _ text: String) -> JSONObject { JSONObject(["id": .string(id), "text": .string(text)]) }

/// Builds an index of eval sets given as (name, [instance texts]) in `dir`.
func buildIndex(_ dir: String, _ sets: [(String, [String])], settings: NGramSettings = NGramSettings()) throws -> String {
    let path = dir + "/index.sqlite"
    var sources: [EvalSource] = []
    for (name, texts) in sets {
        let file = dir + "/\(name).jsonl"
        try writeJSONL(file, texts.enumerated().map { JSONObject(["id": .string("\(name)-\($0.offset)"), "question": .string($0.element)]) })
        sources.append(EvalSource(name: name, path: file))
    }
    _ = try EvalIndexStore.build(path: path, settings: settings, sources: sources)
    return path
}

/// Scans records (written to a file) and returns the report and the matches file's lines.
func scan(_ dir: String, index: String, records: [JSONObject], configure: (inout ScanOptions) -> Void = { _ in },
          maxEvalFrequency: Int? = nil) throws -> (ScanReport, [JSONObject]) {
    let input = dir + "/train-\(UUID().uuidString.prefix(6)).jsonl"
    try writeJSONL(input, records)
    return try scanFiles(dir, index: index, inputs: [input], configure: configure, maxEvalFrequency: maxEvalFrequency)
}

func scanFiles(_ dir: String, index: String, inputs: [String], configure: (inout ScanOptions) -> Void = { _ in },
               maxEvalFrequency: Int? = nil) throws -> (ScanReport, [JSONObject]) {
    var options = ScanOptions(output: dir + "/out-\(UUID().uuidString.prefix(6))")
    options.matchesPath = options.output + "/matches.jsonl"
    configure(&options)
    let idx = try EvalIndexStore.load(path: index, maxEvalFrequency: maxEvalFrequency)
    let report = try DecontamScan(index: idx, options: options).run(inputs: inputs)
    let path = options.shard?.name(options.matchesPath!) ?? options.matchesPath!
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let lines = try text.split(separator: "\n").map { try JSONParser.parse(String($0)).objectValue ?? JSONObject() }
    return (report, lines)
}

/// Reads every record of a scan's output shards with a prefix.
func outputRecords(_ dir: String, prefix: String = "part") throws -> [JSONObject] {
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(prefix + "-") && $0.hasSuffix(".jsonl.zst") }.sorted()
    var out: [JSONObject] = []
    try RecordReader(files: names.map { dir + "/" + $0 }).forEach { out.append(try $0.object()) }
    return out
}

/// Distinct words: `words(k)` gives k tokens that never repeat, so n-gram counts are exact.
func words(_ k: Int, from start: Int = 0, prefix: String = "w") -> String {
    (start..<(start + k)).map { "\(prefix)\($0)" }.joined(separator: " ")
}
