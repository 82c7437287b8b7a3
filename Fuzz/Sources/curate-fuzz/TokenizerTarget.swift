import Foundation
import Trainer

/// tokenizer.json loading and encoding. The input is `tokenizer.json` text, optionally followed by a
/// NUL byte and a text to encode (default: a fixed sample). Encoding then decoding must not trap,
/// whatever vocabulary, merges and added tokens the file declares.
enum TokenizerTarget: FuzzTarget {
    static let name = "tokenizer"
    static let sample = "Hello, world! It's 2024: naïve café — 東京 🙂\n\t<|im_start|>user<|im_end|>  done"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let split = bytes.firstIndex(of: 0) ?? bytes.count
        let json = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<split]), as: UTF8.self)
        let text = split < bytes.count
            ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(split + 1)...]), as: UTF8.self) : sample
        guard let tokenizer = try? BPETokenizer.load(jsonText: json) else { return }
        for parseSpecial in [true, false] {
            let ids = tokenizer.encode(text, parseSpecialTokens: parseSpecial)
            _ = tokenizer.decode(ids)
            _ = tokenizer.decode(ids, skipSpecialTokens: true)
            let (withOffsets, offsets) = tokenizer.encodeWithOffsets(text, parseSpecialTokens: parseSpecial)
            invariant(withOffsets == ids, "encodeWithOffsets gives other ids than encode")
            invariant(offsets.count == ids.count, "\(offsets.count) offsets for \(ids.count) ids")
        }
        _ = tokenizer.decode([-1, 0, Int32.max, Int32.min])
    }
}
