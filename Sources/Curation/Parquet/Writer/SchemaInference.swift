import Foundation

/// One field of the schema a Parquet output is inferred to have: the union over every record written.
///
/// Kinds only widen: `unknown` (only nulls so far) becomes any kind, `int` becomes `double` when a float
/// arrives, objects gain keys, lists' elements widen the same way. Any other change (a string where a
/// list was) is a record that cannot fit, reported by `SchemaInferrer.add`.
final class InferredField {
    enum Kind: UInt8 {
        case unknown, bool, int, double, string, list, object, json

        var name: String {
            switch self {
            case .unknown: return "null"
            case .bool: return "boolean"
            case .int: return "integer"
            case .double: return "float"
            case .string: return "string"
            case .list: return "list"
            case .object: return "object"
            case .json: return "JSON text"
            }
        }
    }

    /// The key, decoded (list elements: "element").
    let name: [UInt8]
    /// Dotted path through objects (list elements add no name), as `--json-columns` names fields.
    let path: String
    /// Path as error messages show it: `messages[].content`.
    let display: String
    var kind: Kind
    var children: [InferredField] = []
    var element: InferredField?
    /// The object visit in which this field was last seen (repeated keys are found with it).
    var stamp: UInt64 = 0

    // Layout, set by `SchemaInferrer.layout()`.
    var def: Int = 0
    var rep: Int = 0
    var leaves: Range<Int> = 0..<0
    var leaf: Int = -1

    init(name: [UInt8], path: String, display: String, kind: Kind) {
        self.name = name; self.path = path; self.display = display; self.kind = kind
    }

    func copy() -> InferredField {
        let c = InferredField(name: name, path: path, display: display, kind: kind)
        c.children = children.map { $0.copy() }
        c.element = element?.copy()
        return c
    }

    var nameString: String { String(decoding: name, as: UTF8.self) }

    /// Whether the name is the `len` bytes at `p` (a key compared in place in the record).
    @inline(__always) func matches(_ p: UnsafePointer<UInt8>, _ len: Int) -> Bool {
        name.count == len && name.withUnsafeBufferPointer { b in
            guard let a = b.baseAddress else { return len == 0 }
            return memcmp(a, p, len) == 0
        }
    }
}

/// Why a record cannot be written under the schema of the records before it.
struct RecordFitError: Error {
    var field: String
    var reason: String
    var isSyntax = false
    var kind: RejectionReason = .wrongType
}

/// Infers the union schema of JSON records, one record at a time, refusing a record that does not fit
/// (the schema is then left as it was before that record).
struct SchemaInferrer {
    private(set) var root = InferredField(name: [], path: "", display: "", kind: .object)
    let jsonColumns: Set<String>
    private var stamp: UInt64 = 0
    private var needsChange = false
    /// How deep objects and lists may nest below a record (each list is three Parquet levels).
    static let maxDepth = 20

    init(jsonColumns: [String]) { self.jsonColumns = Set(jsonColumns) }

    /// Checks `line` (one JSON object) against the schema so far and widens the schema by it. Throws
    /// `RecordFitError` when it cannot fit; the schema is then unchanged.
    mutating func add(_ line: UnsafeRawBufferPointer) throws {
        needsChange = false
        try walkRecord(line, mutate: false)
        guard needsChange else { return }
        let backup = root.copy()
        do { try walkRecord(line, mutate: true) } catch {
            root = backup
            throw error
        }
    }

    private mutating func walkRecord(_ line: UnsafeRawBufferPointer, mutate: Bool) throws {
        var p = JSONParser(line)
        p.skipWhitespace()
        guard p.peek == UInt8(ascii: "{") else {
            throw RecordFitError(field: "", reason: "a record must be a JSON object", isSyntax: true, kind: .malformedJSON)
        }
        do {
            try walk(&p, root, depth: 0, mutate: mutate)
            p.skipWhitespace()
            guard p.i == p.count else { throw p.error("unexpected bytes after the record") }
        } catch let e as JSONSyntaxError {
            throw RecordFitError(field: "", reason: e.description, isSyntax: true, kind: e.kind)
        }
    }

    private mutating func fit(_ node: InferredField, _ kind: InferredField.Kind, mutate: Bool) throws {
        if node.kind == kind { return }
        switch (node.kind, kind) {
        case (.unknown, _):
            if mutate { node.kind = kind } else { needsChange = true }
        case (.int, .double):
            if mutate { node.kind = .double } else { needsChange = true }
        case (.double, .int):
            return
        default:
            throw RecordFitError(field: node.display,
                                 reason: "\(article(kind.name)) where earlier records have \(article(node.kind.name))")
        }
    }

    private func article(_ s: String) -> String {
        s == "null" ? "null" : (["a", "i", "o", "u", "e"].contains(s.first.map(String.init) ?? "") ? "an \(s)" : "a \(s)")
    }

    private mutating func walk(_ p: inout JSONParser, _ node: InferredField, depth: Int, mutate: Bool) throws {
        p.skipWhitespace()
        if node.kind == .json { try p.skipValue(depth: depth); return }
        guard p.i < p.count else { throw p.error("expected a value") }
        switch p.base[p.i] {
        case UInt8(ascii: "n"): try p.literal("null")
        case UInt8(ascii: "t"): try p.literal("true"); try fit(node, .bool, mutate: mutate)
        case UInt8(ascii: "f"): try p.literal("false"); try fit(node, .bool, mutate: mutate)
        case UInt8(ascii: "\""): try p.skipLongString(); try fit(node, .string, mutate: mutate)
        case UInt8(ascii: "["):
            try fit(node, .list, mutate: mutate)
            guard depth < Self.maxDepth else {
                throw RecordFitError(field: node.display, reason: "nests deeper than \(Self.maxDepth) levels (name it in --json-columns to keep it as JSON text)")
            }
            p.i += 1; p.skipWhitespace()
            if p.peek == UInt8(ascii: "]") { p.i += 1; return }
            if node.element == nil, node.kind == .list, mutate {
                node.element = InferredField(name: Array("element".utf8), path: node.path, display: node.display + "[]", kind: .unknown)
            }
            while true {
                p.skipWhitespace()
                if let e = node.element, node.kind == .list {
                    try walk(&p, e, depth: depth + 1, mutate: mutate)
                } else {
                    needsChange = true
                    try p.skipValue(depth: depth + 1)
                }
                p.skipWhitespace()
                if try p.moreMembers(closing: UInt8(ascii: "]")) { continue }
                return
            }
        case UInt8(ascii: "{"):
            try fit(node, .object, mutate: mutate)
            guard depth < Self.maxDepth else {
                throw RecordFitError(field: node.display, reason: "nests deeper than \(Self.maxDepth) levels (name it in --json-columns to keep it as JSON text)")
            }
            let isObject = node.kind == .object
            stamp &+= 1
            let visit = stamp
            p.i += 1; p.skipWhitespace()
            if p.peek == UInt8(ascii: "}") { p.i += 1; return }
            var hint = 0
            var key: [UInt8] = []
            while true {
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
                let keyStart = p.i
                try p.skipString()
                let keyEnd = p.i
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: ":") else { throw p.error("expected ':' after key") }
                p.i += 1; p.skipWhitespace()
                var child: InferredField?
                if isObject {
                    child = findChild(node, p.base, keyStart, keyEnd, hint: &hint, scratch: &key)
                    if child == nil, mutate {
                        decodeKey(p.base, keyStart, keyEnd, into: &key)
                        let name = String(decoding: key, as: UTF8.self)
                        let path = node.path.isEmpty ? name : node.path + "." + name
                        let display = node.display.isEmpty ? name : node.display + "." + name
                        let c = InferredField(name: key, path: path, display: display, kind: jsonColumns.contains(path) ? .json : .unknown)
                        node.children.append(c)
                        hint = node.children.count
                        child = c
                    }
                }
                if let c = child {
                    if c.stamp == visit {
                        throw RecordFitError(field: c.display, reason: "the key appears twice in one object")
                    }
                    c.stamp = visit
                    try walk(&p, c, depth: depth + 1, mutate: mutate)
                } else {
                    needsChange = true
                    try p.skipValue(depth: depth + 1)
                }
                p.skipWhitespace()
                if try p.moreMembers(closing: UInt8(ascii: "}")) { continue }
                return
            }
        default:
            let r = try p.scanNumber()
            try fit(node, Self.isInteger(p.base, r) ? .int : .double, mutate: mutate)
        }
    }

    /// A key's decoded bytes (`start` at the opening quote, `end` past the closing one).
    private func decodeKey(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into key: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        var k = start + 1
        let stop = end - 1
        while k < stop {
            if base[k] == UInt8(ascii: "\\"), let next = JSONEscapes.decode(base, at: k, end: stop, into: &key) {
                k = next
            } else {
                key.append(base[k]); k += 1
            }
        }
    }

    /// The child of `node` named by the key at `start..<end` (quotes included). Keys mostly come in the
    /// same order record after record: look at the expected position first. A key without escapes (almost
    /// all) is compared in place, so no key is copied or allocated per object.
    private func findChild(_ node: InferredField, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, hint: inout Int,
                           scratch: inout [UInt8]) -> InferredField? {
        let n = node.children.count
        let len = end - start - 2
        guard len >= 0 else { return nil }
        if memchr(base + start + 1, 0x5C, len) == nil {
            if hint < n, node.children[hint].matches(base + start + 1, len) { hint += 1; return node.children[hint - 1] }
            for k in 0..<n where node.children[k].matches(base + start + 1, len) { hint = k + 1; return node.children[k] }
            return nil
        }
        decodeKey(base, start, end, into: &scratch)
        if hint < n, node.children[hint].name == scratch { hint += 1; return node.children[hint - 1] }
        for k in 0..<n where node.children[k].name == scratch { hint = k + 1; return node.children[k] }
        return nil
    }

    /// An integer literal that fits Int64 (no fraction, no exponent); anything else is a float.
    static func isInteger(_ base: UnsafePointer<UInt8>, _ r: Range<Int>) -> Bool {
        var digits = 0
        for k in r {
            let c = base[k]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { return false }
            if c != UInt8(ascii: "-") { digits += 1 }
        }
        if digits < 19 { return true }
        return parseInt(base, r) != nil
    }

    /// An integer literal's value, nil when it overflows Int64.
    static func parseInt(_ base: UnsafePointer<UInt8>, _ r: Range<Int>) -> Int64? {
        var k = r.lowerBound
        let negative = base[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        var v: Int64 = 0
        while k < r.upperBound {
            let d = Int64(base[k] &- 0x30)
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
            k += 1
        }
        return v
    }

    /// Fixes the schema for writing: an object never seen with a key becomes JSON text (Parquet has no
    /// empty groups), a list never seen with an element gets a string element, and every node gets its
    /// definition and repetition levels and its leaf columns. Returns the leaves in column order.
    mutating func layout() -> [InferredField] {
        var leaves: [InferredField] = []
        func visit(_ f: InferredField, def: Int, rep: Int) {
            f.def = def + 1
            f.rep = rep
            let first = leaves.count
            switch f.kind {
            case .object where f.children.isEmpty:
                f.kind = .json
                f.leaf = leaves.count; leaves.append(f)
            case .object:
                for c in f.children { visit(c, def: f.def, rep: rep) }
            case .list:
                if f.element == nil {
                    f.element = InferredField(name: Array("element".utf8), path: f.path, display: f.display + "[]", kind: .unknown)
                }
                if let e = f.element { visit(e, def: f.def + 1, rep: rep + 1) }
            default:
                f.leaf = leaves.count; leaves.append(f)
            }
            f.leaves = first..<leaves.count
        }
        root.def = 0; root.rep = 0
        let first = leaves.count
        for c in root.children { visit(c, def: 0, rep: 0) }
        root.leaves = first..<leaves.count
        return leaves
    }
}

extension JSONParser {
    /// `skipString` (the same validation, the same errors) for string values, the bulk of record text:
    /// first 32 bytes a step while none of them is special (four words tested, one branch), then
    /// `skipString` from the last plain byte. Chat turns run hundreds of plain bytes, so most of a value
    /// is passed in the wide steps.
    @inline(__always) fileprivate mutating func skipLongString() throws {
        let quote = i
        i += 1
        while i &+ 32 <= count {
            let w = base + i
            if Self.special(SWAR.load(w)) | Self.special(SWAR.load(w + 8)) | Self.special(SWAR.load(w + 16)) | Self.special(SWAR.load(w + 24)) != 0 { break }
            i &+= 32
        }
        // Back to a byte `skipString` may step over as its opening quote: the quote itself, or a plain byte.
        i = i == quote + 1 ? quote : i - 1
        try skipString()
    }

    /// 0x80 in each byte that is `"`, `\`, a control byte or non-ASCII (as `SWAR.hasJSONStringSpecial`).
    @inline(__always) private static func special(_ x: UInt64) -> UInt64 {
        let control = (x &- SWAR.ones &* 0x20) & ~x
        let q = x ^ (SWAR.ones &* 0x22), b = x ^ (SWAR.ones &* 0x5C)
        return (control | ((q &- SWAR.ones) & ~q) | ((b &- SWAR.ones) & ~b) | x) & SWAR.high
    }
}
