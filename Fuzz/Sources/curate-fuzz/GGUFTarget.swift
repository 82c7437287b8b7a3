import Foundation
import Trainer

/// The GGUF loader: header, metadata, tensor table, then what `curate-tool` does next with a file
/// that parses: dequantise small tensors, build the tokenizer, load a llama model.
enum GGUFTarget: FuzzTarget {
    static let name = "gguf"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let file = try? GGUFFile(data: Data(bytes), path: "fuzz.gguf") else { return }
        for t in file.tensors where t.byteRange.count <= 1 << 20 && t.elementCount <= 1 << 22 {
            _ = try? file.floats(t.name)
        }
        if let tokenizer = try? ModelLoader.tokenizer(from: file) {
            _ = tokenizer.decode(tokenizer.encode("Hello, world! 123 <|im_end|>"))
        }
        _ = try? file.loadLlama()
    }
}
