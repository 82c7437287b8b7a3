import Foundation
import Curation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping tensor names to dtype, shape and `data_offsets` (relative to the data section), then the
/// raw little-endian data.
///
/// The reader checks the header length against the file, every offset pair against the data
/// section, each size against its shape, and that tensors do not overlap.
public struct SafetensorsFile {
    public enum DType: String, Sendable, CaseIterable {
        case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL
        public var size: Int {
            switch self {
            case .F64, .I64: return 8
            case .F32, .I32: return 4
            case .F16, .BF16, .I16: return 2
            case .I8, .U8, .BOOL: return 1
            }
        }
    }

    public struct TensorInfo: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        /// Absolute byte range in the file.
        public var byteRange: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the format's own reference reader uses 100 MB).
    public static let maxHeaderBytes = 100_000_000

    public let path: String
    public let tensors: [String: TensorInfo]
    /// Tensor names in header order.
    public let names: [String]
    public let metadata: [String: String]
    private let data: Data

    public init(path: String) throws {
        try self.init(data: readFileData(path), path: path)
    }

    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        var r = ByteReader(data: data, path: path)
        let headerLen = try r.count("header length", limit: min(Self.maxHeaderBytes, data.count - 8))
        let headerBytes = try r.bytes(headerLen, "header")
        let dataStart = 8 + headerLen
        let dataSize = data.count - dataStart
        let json: JSONValue
        do { json = try JSONParser.parse(Array(headerBytes)) } catch {
            throw TrainerError.badFile(path: path, offset: 8, reason: "header is not valid JSON: \(error)")
        }
        guard let obj = json.objectValue else { throw TrainerError.badFile(path: path, offset: 8, reason: "header is not a JSON object") }
        var tensors: [String: TensorInfo] = [:]
        var names: [String] = []
        var meta: [String: String] = [:]
        func bad(_ name: String, _ why: String) -> TrainerError {
            .badFile(path: path, offset: 8, reason: "tensor \(name): \(why)")
        }
        for entry in obj {
            if entry.key == "__metadata__" {
                for m in entry.value.objectValue ?? JSONObject() { if let s = m.value.stringValue { meta[m.key] = s } }
                continue
            }
            guard let t = entry.value.objectValue else { throw bad(entry.key, "entry is not an object") }
            guard let ds = t["dtype"]?.stringValue else { throw bad(entry.key, "missing dtype") }
            guard let dtype = DType(rawValue: ds) else { throw bad(entry.key, "unsupported dtype \(ds)") }
            guard let shapeJSON = t["shape"]?.arrayValue, shapeJSON.count <= 8 else { throw bad(entry.key, "missing or bad shape") }
            var shape: [Int] = [], elements = 1
            for d in shapeJSON {
                guard let v = d.intValue, v >= 0 else { throw bad(entry.key, "shape has a non-integer or negative dimension") }
                let (p, o) = elements.multipliedReportingOverflow(by: v)
                guard !o, p <= dataSize else { throw bad(entry.key, "shape is larger than the file") }
                elements = p; shape.append(v)
            }
            guard let offs = t["data_offsets"]?.arrayValue, offs.count == 2 else { throw bad(entry.key, "missing data_offsets") }
            guard case .number(let bText) = offs[0], case .number(let eText) = offs[1] else {
                throw bad(entry.key, "data_offsets should be two integers, found \(offs[0].typeName) and \(offs[1].typeName)")
            }
            // A number too large for an Int (above 2^63) is an offset out of range, not a missing one.
            guard let b = offs[0].intValue, let e = offs[1].intValue else {
                throw bad(entry.key, "data_offsets [\(bText), \(eText)] out of range (not integers within the data section of \(dataSize) bytes)")
            }
            guard b >= 0, b <= e, e <= dataSize else {
                throw bad(entry.key, "data_offsets [\(b), \(e)] outside the data section (\(dataSize) bytes)")
            }
            guard e - b == elements * dtype.size else {
                throw bad(entry.key, "data_offsets span \(e - b) bytes but shape \(shape) of \(ds) needs \(elements * dtype.size)")
            }
            guard tensors[entry.key] == nil else { throw bad(entry.key, "listed twice") }
            tensors[entry.key] = TensorInfo(name: entry.key, dtype: dtype, shape: shape, byteRange: (dataStart + b)..<(dataStart + e))
            names.append(entry.key)
        }
        let sorted = tensors.values.sorted { ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound) }
        for i in sorted.indices.dropFirst() where sorted[i].byteRange.lowerBound < sorted[i - 1].byteRange.upperBound {
            throw bad(sorted[i].name, "overlaps tensor \(sorted[i - 1].name)")
        }
        self.tensors = tensors
        self.names = names
        self.metadata = meta
    }

    /// The tensor converted to fp32 (F32, F16 and BF16 only).
    public func floats(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw TrainerError.tensorMismatch(path: path, name: name, reason: "not in the file") }
        guard t.elementCount > 0 else { return [] }
        var out = [Float](repeating: 0, count: t.elementCount)
        try out.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { try read(t, into: p) } }
        return out
    }

    /// Converts a tensor into caller memory of `elementCount` floats.
    public func read(_ t: TensorInfo, into dst: UnsafeMutablePointer<Float>) throws {
        let n = t.elementCount
        try data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            let src = base + t.byteRange.lowerBound
            switch t.dtype {
            case .F32:
                UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: n * 4)
            case .F16:
                for i in 0..<n { dst[i] = HalfPrecision.halfToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            case .BF16:
                for i in 0..<n { dst[i] = HalfPrecision.bf16ToFloat(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            default:
                throw TrainerError.tensorMismatch(path: path, name: t.name, reason: "dtype \(t.dtype.rawValue) is not a float type")
            }
        }
    }

    /// One tensor to write: name, shape and fp32 values (shape product must equal the count).
    public struct Entry {
        public var name: String
        public var shape: [Int]
        public var values: UnsafeBufferPointer<Float>
        public init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    /// Writes F32 tensors (atomically: temp file + rename). `metadata` defaults to `{"format": "pt"}`,
    /// which `transformers` expects.
    public static func write(_ entries: [Entry], metadata: [String: String] = ["format": "pt"], to path: String) throws {
        var header = JSONObject()
        var meta = JSONObject()
        for k in metadata.keys.sorted() { meta[k] = .string(metadata[k]!) }
        header["__metadata__"] = .object(meta)
        var offset = 0
        for e in entries {
            guard e.shape.reduce(1, *) == e.values.count else {
                throw TrainerError.tensorMismatch(path: path, name: e.name, reason: "shape \(e.shape) does not match \(e.values.count) values")
            }
            let n = e.values.count * 4
            header[e.name] = .object(JSONObject([
                .init(key: "dtype", value: .string("F32")),
                .init(key: "shape", value: .array(e.shape.map { .int($0) })),
                .init(key: "data_offsets", value: .array([.int(offset), .int(offset + n)])),
            ]))
            offset += n
        }
        var hb = JSONWriter.bytes(.object(header))
        while hb.count % 8 != 0 { hb.append(0x20) }
        let w: AtomicFileWriter
        do { w = try AtomicFileWriter(path: path) } catch { throw TrainerError.io(path: path, reason: "\(error)") }
        do {
            var len = UInt64(hb.count).littleEndian
            try withUnsafeBytes(of: &len) { try w.write($0) }
            try w.write(hb)
            for e in entries { try w.write(UnsafeRawBufferPointer(e.values)) }
            try w.commit()
        } catch let e as TrainerError { throw e } catch { throw TrainerError.io(path: path, reason: "\(error)") }
    }
}
