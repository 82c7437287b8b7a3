import Foundation

/// A GGUF file (versions 2 and 3): metadata key/values, tensor descriptions, and fp32 access to
/// tensors of the types in `GGMLType`.
///
/// Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count; metadata entries
/// (string key, u32 type, value); tensor infos (string name, u32 n_dims, u64 dims[n_dims] with
/// dims[0] the fastest-varying, u32 type, u64 offset); padding to `general.alignment` (default 32);
/// tensor data. Every count, length, dimension and offset is checked against the file before use.
public final class GGUFFile {
    /// A metadata value.
    public indirect enum Value: Sendable, Equatable {
        case uint(UInt64), int(Int64), float(Double), bool(Bool), string(String), array([Value])

        public var intValue: Int? {
            switch self {
            case .uint(let u): return u <= UInt64(Int.max) ? Int(u) : nil
            case .int(let i): return Int(exactly: i)
            default: return nil
            }
        }
        public var doubleValue: Double? {
            switch self {
            case .float(let d): return d
            case .uint(let u): return Double(u)
            case .int(let i): return Double(i)
            default: return nil
            }
        }
        public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
        public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
        public var arrayValue: [Value]? { if case .array(let a) = self { return a }; return nil }
        /// The value's kind, for error messages.
        public var typeName: String {
            switch self {
            case .uint: return "an unsigned integer"
            case .int: return "an integer"
            case .float: return "a float"
            case .bool: return "a boolean"
            case .string: return "a string"
            case .array: return "a list"
            }
        }
    }

    public struct TensorInfo: Sendable, Equatable {
        public var name: String
        /// ggml order: dims[0] is the row length (for a matrix stored [out, in], dims = [in, out]).
        public var dims: [Int]
        public var type: GGMLType
        /// Absolute byte range in the file.
        public var byteRange: Range<Int>
        public var elementCount: Int { dims.reduce(1, *) }
    }

    public let path: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: Value]
    public let tensors: [TensorInfo]
    private let tensorIndex: [String: Int]
    private let data: Data

    /// Limits for header values: keys and names are short; nesting is shallow.
    static let maxKeyBytes = 1 << 16
    static let maxDims = 4

    public convenience init(path: String) throws {
        try self.init(data: readFileData(path), path: path)
    }

    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        var r = ByteReader(data: data, path: path)
        let magic = try r.bytes(4, "magic")
        guard Array(magic) == Array("GGUF".utf8) else { throw r.fail("not a GGUF file (bad magic)", at: 0) }
        version = try r.u32("version")
        guard version == 2 || version == 3 else { throw r.fail("unsupported GGUF version \(version)", at: 4) }
        // Each tensor info takes at least 24 bytes, each metadata entry at least 13.
        let nTensors = try r.count("tensor count", limit: r.remaining / 24)
        let nKV = try r.count("metadata count", limit: r.remaining / 13)
        var keys: [String] = [], meta: [String: Value] = [:]
        for _ in 0..<nKV {
            let key = try Self.readString(&r, "metadata key", limit: Self.maxKeyBytes)
            let typeAt = r.offset
            let type = try r.u32("type of \(key)")
            let v = try Self.readValue(&r, type: type, key: key, depth: 0, typeAt: typeAt)
            if meta[key] == nil { keys.append(key) }
            meta[key] = v
        }
        var alignment = 32
        if let a = meta["general.alignment"] {
            guard let ai = a.intValue, ai > 0, ai <= 1 << 16, ai & (ai - 1) == 0 else {
                throw r.fail("general.alignment must be a power of two up to 65536")
            }
            alignment = ai
        }
        var infos: [(String, [Int], GGMLType, UInt64, Int)] = []
        for _ in 0..<nTensors {
            let at = r.offset
            let name = try Self.readString(&r, "tensor name", limit: Self.maxKeyBytes)
            let nd = try r.u32("dimension count of \(name)")
            guard nd >= 1, nd <= UInt32(Self.maxDims) else { throw r.fail("tensor \(name): \(nd) dimensions (1...4 allowed)", at: at) }
            var dims: [Int] = [], elements = 1
            for _ in 0..<nd {
                let d = try r.count("dimension of \(name)", limit: data.count * 2)
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o, p <= data.count * 8 else { throw r.fail("tensor \(name): dimensions larger than the file", at: at) }
                elements = p; dims.append(d)
            }
            let rawType = try r.u32("type of \(name)")
            guard let type = GGMLType(rawValue: rawType) else {
                throw r.fail("tensor \(name): ggml type \(rawType) is not supported (supported: \(GGMLType.supportedNames))", at: at)
            }
            let off = try r.u64("offset of \(name)")
            infos.append((name, dims, type, off, at))
        }
        let dataStart = (r.offset + alignment - 1) / alignment * alignment
        guard dataStart <= data.count else { throw r.fail("truncated before the tensor data") }
        var tensors: [TensorInfo] = [], index: [String: Int] = [:]
        for (name, dims, type, off, at) in infos {
            let elements = dims.reduce(1, *)
            guard dims[0] % type.blockSize == 0 else {
                throw r.fail("tensor \(name): row length \(dims[0]) is not a multiple of the \(type.name) block size", at: at)
            }
            let bytes = elements / type.blockSize * type.blockBytes
            guard off <= UInt64(data.count), Int(off) % alignment == 0 else {
                throw r.fail("tensor \(name): data offset \(off) is outside the file or misaligned", at: at)
            }
            let start = dataStart + Int(off)
            guard start <= data.count, bytes <= data.count - start else {
                throw r.fail("tensor \(name): data [\(start), \(start + bytes)) runs past the end of the file (\(data.count) bytes)", at: at)
            }
            guard index[name] == nil else { throw r.fail("tensor \(name) listed twice", at: at) }
            index[name] = tensors.count
            tensors.append(TensorInfo(name: name, dims: dims, type: type, byteRange: start..<(start + bytes)))
        }
        metadataKeys = keys
        metadata = meta
        self.tensors = tensors
        tensorIndex = index
    }

    static func readString(_ r: inout ByteReader, _ what: String, limit: Int) throws -> String {
        let n = try r.count("length of \(what)", limit: min(limit, r.remaining))
        return try r.string(n, what)
    }

    static func readValue(_ r: inout ByteReader, type: UInt32, key: String, depth: Int, typeAt: Int) throws -> Value {
        switch type {
        case 0: return .uint(UInt64(try r.u8(key)))
        case 1: return .int(Int64(Int8(bitPattern: try r.u8(key))))
        case 2: return .uint(UInt64(try r.readInteger(UInt16.self, key)))
        case 3: return .int(Int64(try r.readInteger(Int16.self, key)))
        case 4: return .uint(UInt64(try r.u32(key)))
        case 5: return .int(Int64(try r.readInteger(Int32.self, key)))
        case 6: return .float(Double(Float(bitPattern: try r.u32(key))))
        case 7:
            let b = try r.u8(key)
            guard b <= 1 else { throw r.fail("\(key): boolean byte \(b)") }
            return .bool(b == 1)
        case 8: return .string(try readString(&r, key, limit: r.remaining))
        case 9:
            guard depth == 0 else { throw r.fail("\(key): nested arrays are not supported") }
            let elemType = try r.u32("element type of \(key)")
            let minSize: Int
            switch elemType {
            case 0, 1, 7: minSize = 1
            case 2, 3: minSize = 2
            case 4, 5, 6: minSize = 4
            case 8, 10, 11, 12: minSize = 8
            default: throw r.fail("\(key): array element type \(elemType) is not supported")
            }
            let n = try r.count("element count of \(key)", limit: r.remaining / minSize)
            var out: [Value] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try readValue(&r, type: elemType, key: key, depth: depth + 1, typeAt: typeAt)) }
            return .array(out)
        case 10: return .uint(try r.u64(key))
        case 11: return .int(Int64(bitPattern: try r.u64(key)))
        case 12: return .float(Double(bitPattern: try r.u64(key)))
        default: throw r.fail("\(key): metadata type \(type) is unknown", at: typeAt)
        }
    }

    /// The tensor description with this name.
    public func tensor(named name: String) -> TensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// A tensor dequantised to fp32, in ggml element order (row-major with dims[0] fastest).
    public func floats(_ name: String) throws -> [Float] {
        guard let t = tensor(named: name) else { throw TrainerError.tensorMismatch(path: path, name: name, reason: "not in the file") }
        guard t.elementCount > 0 else { return [] }
        var out = [Float](repeating: 0, count: t.elementCount)
        out.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { read(t, into: p) } }
        return out
    }

    /// Dequantises a tensor into caller memory of `elementCount` floats (ranges were checked at open).
    public func read(_ t: TensorInfo, into dst: UnsafeMutablePointer<Float>) {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            t.type.dequantize(base + t.byteRange.lowerBound, count: t.elementCount, into: dst)
        }
    }

    /// Runs `body` over a tensor's raw bytes as stored in the file (ranges were checked at open);
    /// the quantised decode store keeps Q4_0/Q4_1/Q8_0 blocks this way instead of their fp32 values.
    public func withRawBytes<R>(of t: TensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[t.byteRange])) }
    }

    // MARK: typed metadata

    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    public func double(_ key: String) -> Double? { metadata[key]?.doubleValue }

    /// `tokenizer.ggml.tokens` (the vocabulary, by id); nil when absent or not a list of strings (never a
    /// list shortened by dropping the entries of another type).
    public var tokenizerTokens: [String]? { try? tokenizerTokenStrings() }

    /// `tokenizer.ggml.tokens`, or nil when the file has none. Throws when it is there but is not a list of
    /// strings, so the error says so (a list of numbers used to read as an empty vocabulary and fail
    /// later as "vocab_size 0 out of range").
    public func tokenizerTokenStrings() throws -> [String]? {
        guard let v = metadata["tokenizer.ggml.tokens"] else { return nil }
        guard let items = v.arrayValue else {
            throw TrainerError.badFile(path: path, offset: nil, reason: "tokenizer.ggml.tokens should be a list of strings, found \(v.typeName)")
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue else {
                throw TrainerError.badFile(path: path, offset: nil,
                                           reason: "tokenizer.ggml.tokens should be a list of strings, but entry \(i) is \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }
    /// `tokenizer.ggml.merges` ("a b" pairs, by rank).
    public var tokenizerMerges: [String]? { metadata["tokenizer.ggml.merges"]?.arrayValue?.compactMap(\.stringValue) }
    /// `tokenizer.ggml.token_type` (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
    public var tokenizerTokenTypes: [Int]? { metadata["tokenizer.ggml.token_type"]?.arrayValue?.compactMap(\.intValue) }
    /// `tokenizer.ggml.pre` (the pre-tokenizer's name, e.g. "smollm", "gpt-2", "llama-bpe").
    public var tokenizerPre: String? { string("tokenizer.ggml.pre") }
    /// `tokenizer.ggml.model` ("gpt2" for byte-level BPE).
    public var tokenizerModel: String? { string("tokenizer.ggml.model") }
    public var chatTemplate: String? { string("tokenizer.chat_template") }
}
