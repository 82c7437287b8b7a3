import Foundation
import Trainer

/// The safetensors loader: header length, JSON header, tensor table, then reading each small tensor.
enum SafetensorsTarget: FuzzTarget {
    static let name = "safetensors"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let file = try? SafetensorsFile(data: Data(bytes), path: "fuzz.safetensors") else { return }
        for name in file.names {
            guard let t = file.tensors[name], t.byteRange.count <= 1 << 20, t.elementCount <= 1 << 22 else { continue }
            _ = try? file.floats(name)
        }
    }
}
