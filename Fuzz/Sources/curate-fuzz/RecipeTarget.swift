import Curation
import Foundation
import Mixer

/// The mix recipe loader: YAML text to a validated `MixRecipe` (source paths resolve against a scratch
/// directory holding one small JSONL file, `data.jsonl`, so recipes can name a real file).
enum RecipeTarget: FuzzTarget {
    static let name = "recipe"

    static let dataFile: String = Array("{\"text\":\"hello\"}\n".utf8).withUnsafeBytes { scratchFile("data.jsonl", $0) }

    static func run(_ bytes: UnsafeRawBufferPointer) {
        _ = dataFile
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            let doc = try YAMLDocument(text: text, file: fuzzScratchDirectory + "/recipe.yaml")
            _ = try MixRecipe.parse(doc, node: doc.root, entry: "", extraKeys: [], inputs: nil, defaultSeed: 0)
        } catch {
            return
        }
    }
}
