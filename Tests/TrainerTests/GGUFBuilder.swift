import Foundation
import Trainer

/// Writes small GGUF files for tests (the library itself only reads GGUF).
struct GGUFBuilder {
    enum Meta { case u32(UInt32), f32(Float), str(String), strings([String]), i32s([Int32]), bool(Bool) }
    var meta: [(String, Meta)] = []
    var tensors: [(name: String, dims: [UInt64], type: UInt32, data: [UInt8])] = []
    var alignment = 32

    static func str(_ s: String, _ out: inout [UInt8]) { le(UInt64(s.utf8.count), &out); out += Array(s.utf8) }
    static func le<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }

    func build() -> [UInt8] {
        var out = Array("GGUF".utf8)
        Self.le(UInt32(3), &out)
        Self.le(UInt64(tensors.count), &out)
        Self.le(UInt64(meta.count), &out)
        for (k, v) in meta {
            Self.str(k, &out)
            switch v {
            case .u32(let x): Self.le(UInt32(4), &out); Self.le(x, &out)
            case .f32(let x): Self.le(UInt32(6), &out); Self.le(x.bitPattern, &out)
            case .bool(let b): Self.le(UInt32(7), &out); out.append(b ? 1 : 0)
            case .str(let s): Self.le(UInt32(8), &out); Self.str(s, &out)
            case .strings(let a):
                Self.le(UInt32(9), &out); Self.le(UInt32(8), &out); Self.le(UInt64(a.count), &out)
                for s in a { Self.str(s, &out) }
            case .i32s(let a):
                Self.le(UInt32(9), &out); Self.le(UInt32(5), &out); Self.le(UInt64(a.count), &out)
                for x in a { Self.le(x, &out) }
            }
        }
        var offsets: [UInt64] = [], off: UInt64 = 0
        for t in tensors {
            offsets.append(off)
            off += UInt64(t.data.count)
            off = (off + UInt64(alignment) - 1) / UInt64(alignment) * UInt64(alignment)
        }
        for (i, t) in tensors.enumerated() {
            Self.str(t.name, &out)
            Self.le(UInt32(t.dims.count), &out)
            for d in t.dims { Self.le(d, &out) }
            Self.le(t.type, &out)
            Self.le(offsets[i], &out)
        }
        while out.count % alignment != 0 { out.append(0) }
        let start = out.count
        for (i, t) in tensors.enumerated() {
            while out.count < start + Int(offsets[i]) { out.append(0) }
            out += t.data
        }
        return out
    }

    mutating func addF32(_ name: String, dims: [Int], _ values: [Float]) {
        var d: [UInt8] = []
        for v in values { Self.le(v.bitPattern, &d) }
        tensors.append((name, dims.map(UInt64.init), 0, d))
    }

    /// A tensor given as raw ggml blocks of `type` (e.g. GGMLType.q4_1.rawValue).
    mutating func addRaw(_ name: String, dims: [Int], type: GGMLType, _ bytes: [UInt8]) {
        tensors.append((name, dims.map(UInt64.init), type.rawValue, bytes))
    }
}

/// llama.cpp's Q/K permutation (the inverse of what the reader undoes), on [rows, cols] row-major.
func llamaCppPermute(_ w: [Float], heads: Int, rows: Int, cols: Int) -> [Float] {
    let hd = rows / heads, half = hd / 2
    var out = w
    for h in 0..<heads { for part in 0..<2 { for i in 0..<half {
        let hf = h * hd + part * half + i, gg = h * hd + 2 * i + part
        for c in 0..<cols { out[gg * cols + c] = w[hf * cols + c] }
    } } }
    return out
}
