import Foundation

/// One leaf column of the row group being built: its definition and repetition levels (one per entry)
/// and its non-null values, already in PLAIN encoding (booleans one byte each until a page packs them),
/// with per-row marks so pages can be cut at row boundaries, and the statistics of the chunk.
final class ColumnBuffer {
    enum Physical { case boolean, int64, double, byteArray }

    let physical: Physical
    let maxDef: Int
    let maxRep: Int
    let path: [String]
    var def: [UInt8] = []
    var rep: [UInt8] = []
    var values: [UInt8] = []
    var valueCount = 0
    var nullCount = 0
    /// For each row: its first entry, first value byte and value count.
    var rowEntries: [Int] = []
    var rowValueBytes: [Int] = []
    var rowValueCounts: [Int] = []

    // Statistics of the chunk.
    var minInt = Int64.max, maxInt = Int64.min
    var minDouble = Double.infinity, maxDouble = -Double.infinity
    var sawFalse = false, sawTrue = false
    /// Ranges in `values` (string contents, past the length prefix).
    var minBytes: Range<Int>?
    var maxBytes: Range<Int>?

    init(physical: Physical, maxDef: Int, maxRep: Int, path: [String]) {
        self.physical = physical; self.maxDef = maxDef; self.maxRep = maxRep; self.path = path
    }

    func beginRow() {
        rowEntries.append(def.count)
        rowValueBytes.append(values.count)
        rowValueCounts.append(valueCount)
    }

    func reset() {
        def.removeAll(keepingCapacity: true); rep.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true)
        rowEntries.removeAll(keepingCapacity: true); rowValueBytes.removeAll(keepingCapacity: true)
        rowValueCounts.removeAll(keepingCapacity: true)
        valueCount = 0; nullCount = 0
        minInt = .max; maxInt = .min; minDouble = .infinity; maxDouble = -.infinity
        sawFalse = false; sawTrue = false; minBytes = nil; maxBytes = nil
    }

    @inline(__always) private func level(_ r: Int, _ d: Int) {
        def.append(UInt8(truncatingIfNeeded: d))
        if maxRep > 0 { rep.append(UInt8(truncatingIfNeeded: r)) }
    }

    @inline(__always) func appendNull(rep r: Int, def d: Int) {
        level(r, d)
        nullCount += 1
    }

    @inline(__always) func appendInt(_ v: Int64, rep r: Int) {
        level(r, maxDef)
        withUnsafeBytes(of: v.littleEndian) { values.append(contentsOf: $0) }
        valueCount += 1
        if v < minInt { minInt = v }
        if v > maxInt { maxInt = v }
    }

    @inline(__always) func appendDouble(_ v: Double, rep r: Int) {
        level(r, maxDef)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { values.append(contentsOf: $0) }
        valueCount += 1
        if v < minDouble { minDouble = v }
        if v > maxDouble { maxDouble = v }
    }

    @inline(__always) func appendBool(_ v: Bool, rep r: Int) {
        level(r, maxDef)
        values.append(v ? 1 : 0)
        valueCount += 1
        if v { sawTrue = true } else { sawFalse = true }
    }

    /// Starts a BYTE_ARRAY value: a length prefix to patch by `endBytes`. Returns where its content starts.
    @inline(__always) func beginBytes(rep r: Int) -> Int {
        level(r, maxDef)
        withUnsafeBytes(of: UInt32(0)) { values.append(contentsOf: $0) }
        return values.count
    }

    /// Patches the length of the value begun at `start` and updates the statistics.
    func endBytes(_ start: Int) throws {
        let n = values.count - start
        guard n <= Int(Int32.max) else { throw RecordFitError(field: path.joined(separator: "."), reason: "a value of \(n) bytes is over Parquet's 2 GiB limit") }
        let u = UInt32(n)
        values.withUnsafeMutableBufferPointer { b in
            b[start - 4] = UInt8(truncatingIfNeeded: u); b[start - 3] = UInt8(truncatingIfNeeded: u >> 8)
            b[start - 2] = UInt8(truncatingIfNeeded: u >> 16); b[start - 1] = UInt8(truncatingIfNeeded: u >> 24)
        }
        valueCount += 1
        let r = start..<values.count
        if let lo = minBytes { if compare(r, lo) < 0 { minBytes = r } } else { minBytes = r }
        if let hi = maxBytes { if compare(r, hi) > 0 { maxBytes = r } } else { maxBytes = r }
    }

    func appendBytes(_ p: UnsafePointer<UInt8>, _ n: Int, rep r: Int) throws {
        let start = beginBytes(rep: r)
        values.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        try endBytes(start)
    }

    /// Unsigned lexicographic order (Parquet's order for STRING).
    private func compare(_ a: Range<Int>, _ b: Range<Int>) -> Int {
        values.withUnsafeBufferPointer { v -> Int in
            guard let base = v.baseAddress else { return 0 }
            let n = min(a.count, b.count)
            // Most strings differ in their first byte: decide on it without a call.
            if n > 0, base[a.lowerBound] != base[b.lowerBound] { return Int(base[a.lowerBound]) - Int(base[b.lowerBound]) }
            let c = n == 0 ? 0 : memcmp(base + a.lowerBound, base + b.lowerBound, n)
            if c != 0 { return Int(c) }
            return a.count - b.count
        }
    }

    /// Bytes buffered (what the row-group byte limit counts).
    var bufferedBytes: Int { values.count + def.count + rep.count }
}

/// Turns a JSON record into entries of the leaf columns (Dremel's striping), against the final schema.
/// Records reach it only after `SchemaInferrer` accepted them, so a mismatch here is a bug reported as an
/// error, never a trap.
///
/// The schema tree is flattened once into a table of plain `Node` values (children, names and visit
/// stamps in flat buffers, columns as unretained references), so walking a record touches no class
/// references: walking the `InferredField` objects and the `[ColumnBuffer]` array retained and released
/// every node and column per record, a fifth of the shredder's time. The `InferredField`s are kept
/// (by `fields`) for error messages only, and `columns` keeps the buffers alive.
final class RecordShredder {
    private struct Node {
        var kind: InferredField.Kind
        var def: Int
        var rep: Int
        var leaf: Int
        var leavesStart: Int
        var leavesEnd: Int
        /// Objects: the node ids of the children are `childIDs[firstChild ..< firstChild + childCount]`.
        var firstChild: Int
        var childCount: Int
        /// Lists: the element's node id (-1: none).
        var element: Int
        /// The decoded name: `names[nameStart ..< nameStart + nameCount]`.
        var nameStart: Int
        var nameCount: Int
    }

    let root: InferredField
    let columns: [ColumnBuffer]
    private let fields: [InferredField]
    private let nodes: UnsafeMutableBufferPointer<Node>
    private let childIDs: UnsafeMutableBufferPointer<Int>
    private let names: UnsafeMutableBufferPointer<UInt8>
    private let stamps: UnsafeMutableBufferPointer<UInt64>
    private let cols: UnsafeMutableBufferPointer<Unmanaged<ColumnBuffer>>
    private var stamp: UInt64 = 0
    private var scratch: [UInt8] = []

    init(root: InferredField, columns: [ColumnBuffer]) {
        self.root = root; self.columns = columns
        var fields: [InferredField] = []
        var nodes: [Node] = []
        var childIDs: [Int] = []
        var names: [UInt8] = []
        // Ids in preorder; an object's children get consecutive slots in `childIDs` before any grandchild.
        func add(_ f: InferredField) -> Int {
            let id = nodes.count
            fields.append(f)
            nodes.append(Node(kind: f.kind, def: f.def, rep: f.rep, leaf: f.leaf, leavesStart: f.leaves.lowerBound, leavesEnd: f.leaves.upperBound,
                              firstChild: 0, childCount: 0, element: -1, nameStart: names.count, nameCount: f.name.count))
            names.append(contentsOf: f.name)
            if f.kind == .object {
                let first = childIDs.count
                childIDs.append(contentsOf: repeatElement(-1, count: f.children.count))
                nodes[id].firstChild = first
                nodes[id].childCount = f.children.count
                for (k, c) in f.children.enumerated() { childIDs[first + k] = add(c) }
            } else if f.kind == .list, let e = f.element {
                nodes[id].element = add(e)
            }
            return id
        }
        _ = add(root)
        self.fields = fields
        self.nodes = .allocate(capacity: nodes.count)
        _ = self.nodes.initialize(from: nodes)
        self.childIDs = .allocate(capacity: max(1, childIDs.count))
        _ = self.childIDs.initialize(from: childIDs)
        self.names = .allocate(capacity: max(1, names.count))
        _ = self.names.initialize(from: names)
        self.stamps = .allocate(capacity: nodes.count)
        self.stamps.initialize(repeating: 0)
        self.cols = .allocate(capacity: max(1, columns.count))
        _ = self.cols.initialize(from: columns.map { Unmanaged.passUnretained($0) })
    }

    deinit {
        nodes.deallocate(); childIDs.deallocate(); names.deallocate(); stamps.deallocate(); cols.deallocate()
    }

    func shred(_ line: UnsafeRawBufferPointer) throws {
        for k in 0..<columns.count { cols[k]._withUnsafeGuaranteedRef { $0.beginRow() } }
        var p = JSONParser(line)
        do {
            p.skipWhitespace()
            try object(&p, 0, rep: 0)
        } catch let e as JSONSyntaxError {
            throw RecordFitError(field: "", reason: e.description, isSyntax: true, kind: e.kind)
        }
    }

    /// Entries saying "not defined below level `def`" for every leaf under node `id`.
    @inline(__always) private func nulls(_ id: Int, rep: Int, def: Int) {
        let n = nodes[id]
        for k in n.leavesStart..<n.leavesEnd { cols[k]._withUnsafeGuaranteedRef { $0.appendNull(rep: rep, def: def) } }
    }

    private func mismatch(_ id: Int, _ what: String) -> RecordFitError {
        let f = fields[id]
        return RecordFitError(field: f.display, reason: "\(what) in a \(f.kind.name) column (the record changed after its schema was inferred)")
    }

    private func value(_ p: inout JSONParser, _ id: Int, rep: Int, parentDef: Int) throws {
        p.skipWhitespace()
        guard p.i < p.count else { throw p.error("expected a value") }
        let c = p.base[p.i]
        if c == UInt8(ascii: "n") {
            try p.literal("null")
            nulls(id, rep: rep, def: parentDef)
            return
        }
        let node = nodes[id]
        switch node.kind {
        case .json:
            let s = p.i
            try p.skipValue(depth: 0)
            try cols[node.leaf]._withUnsafeGuaranteedRef { try $0.appendBytes(p.base + s, p.i - s, rep: rep) }
        case .bool:
            if c == UInt8(ascii: "t") { try p.literal("true"); cols[node.leaf]._withUnsafeGuaranteedRef { $0.appendBool(true, rep: rep) } }
            else if c == UInt8(ascii: "f") { try p.literal("false"); cols[node.leaf]._withUnsafeGuaranteedRef { $0.appendBool(false, rep: rep) } }
            else { throw mismatch(id, "a non-boolean") }
        case .int:
            let r = try p.scanNumber()
            guard let v = SchemaInferrer.parseInt(p.base, r), SchemaInferrer.isInteger(p.base, r) else { throw mismatch(id, "a float") }
            cols[node.leaf]._withUnsafeGuaranteedRef { $0.appendInt(v, rep: rep) }
        case .double:
            guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw mismatch(id, "a non-number") }
            let r = try p.scanNumber()
            let v = Self.parseDouble(p.base, r)
            cols[node.leaf]._withUnsafeGuaranteedRef { $0.appendDouble(v, rep: rep) }
        case .string, .unknown:
            guard c == UInt8(ascii: "\"") else { throw mismatch(id, "a non-string") }
            try cols[node.leaf]._withUnsafeGuaranteedRef { try string(&p, $0, rep: rep) }
        case .object:
            guard c == UInt8(ascii: "{") else { throw mismatch(id, "a non-object") }
            try object(&p, id, rep: rep)
        case .list:
            let e = node.element
            guard c == UInt8(ascii: "["), e >= 0 else { throw mismatch(id, "a non-list") }
            p.i += 1; p.skipWhitespace()
            if p.peek == UInt8(ascii: "]") {
                p.i += 1
                nulls(e, rep: rep, def: node.def)
                return
            }
            let elementRep = node.rep + 1
            var r = rep
            while true {
                try value(&p, e, rep: r, parentDef: node.def + 1)
                r = elementRep
                p.skipWhitespace()
                if try p.moreMembers(closing: UInt8(ascii: "]")) { continue }
                return
            }
        }
    }

    private func object(_ p: inout JSONParser, _ id: Int, rep: Int) throws {
        guard p.peek == UInt8(ascii: "{") else { throw mismatch(id, "a non-object") }
        let node = nodes[id]
        stamp &+= 1
        let visit = stamp
        p.i += 1; p.skipWhitespace()
        var hint = 0
        if p.peek == UInt8(ascii: "}") {
            p.i += 1
        } else {
            while true {
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
                let keyStart = p.i
                try skipKey(&p)
                let child = find(node, p.base, keyStart, p.i, hint: &hint)
                p.skipWhitespace()
                guard p.peek == UInt8(ascii: ":") else { throw p.error("expected ':' after key") }
                p.i += 1
                guard child >= 0 else {
                    throw RecordFitError(field: fields[id].display, reason: "a key the inferred schema does not have (the record changed after its schema was inferred)")
                }
                guard stamps[child] != visit else { throw RecordFitError(field: fields[child].display, reason: "the key appears twice in one object") }
                stamps[child] = visit
                try value(&p, child, rep: rep, parentDef: node.def)
                p.skipWhitespace()
                if try p.moreMembers(closing: UInt8(ascii: "}")) { continue }
                break
            }
        }
        for k in node.firstChild..<(node.firstChild + node.childCount) {
            let c = childIDs[k]
            if stamps[c] != visit { nulls(c, rep: rep, def: node.def) }
        }
    }

    /// Whether node `id`'s name is the `len` bytes at `key`.
    @inline(__always) private func named(_ id: Int, _ key: UnsafePointer<UInt8>, _ len: Int) -> Bool {
        let n = nodes[id]
        guard n.nameCount == len else { return false }
        guard len > 0, let names = names.baseAddress else { return true }
        return memcmp(names + n.nameStart, key, len) == 0
    }

    /// The child (node id, -1: none) of `node` named by the key at `start..<end` (quotes included). Keys
    /// without escapes are compared in place; keys mostly come in the same order, so the expected
    /// position is tried first.
    private func find(_ node: Node, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, hint: inout Int) -> Int {
        let len = end - start - 2
        guard len >= 0 else { return -1 }
        let key = base + start + 1
        if memchr(key, 0x5C, len) != nil {
            scratch.removeAll(keepingCapacity: true)
            var k = start + 1
            let stop = end - 1
            while k < stop {
                if base[k] == UInt8(ascii: "\\"), let next = JSONEscapes.decode(base, at: k, end: stop, into: &scratch) { k = next }
                else { scratch.append(base[k]); k += 1 }
            }
            return scratch.withUnsafeBufferPointer { b -> Int in
                guard let a = b.baseAddress else { return search(node, base, 0, &hint) }
                return search(node, a, b.count, &hint)
            }
        }
        return search(node, key, len, &hint)
    }

    @inline(__always) private func search(_ node: Node, _ key: UnsafePointer<UInt8>, _ len: Int, _ hint: inout Int) -> Int {
        let n = node.childCount
        if hint < n, named(childIDs[node.firstChild + hint], key, len) { hint += 1; return childIDs[node.firstChild + hint - 1] }
        for j in 0..<n where named(childIDs[node.firstChild + j], key, len) { hint = j + 1; return childIDs[node.firstChild + j] }
        return -1
    }

    /// Decodes a string value straight into the column's value buffer.
    ///
    /// The spill holds only lines `SchemaInferrer` validated (UTF-8, escapes, no raw control bytes), so the
    /// only bytes that matter here are `"` and `\`: libc's `memchr` finds each (vector code, many bytes a
    /// cycle) where a word-at-a-time scan for every special byte was the shredder's hottest loop. The next
    /// quote is searched once and kept while escapes before it are decoded (a quote an escape consumed,
    /// `\"`, is passed over and the search resumes after it).
    private func string(_ p: inout JSONParser, _ col: ColumnBuffer, rep: Int) throws {
        let start = col.beginBytes(rep: rep)
        let base = p.base, end = p.count
        let raw = UnsafeRawPointer(base)
        var i = p.i + 1
        var quote = -1
        while true {
            if quote < i {
                guard i < end, let q = memchr(raw + i, 0x22, end - i) else { p.i = end; throw p.error("unterminated string") }
                quote = raw.distance(to: UnsafeRawPointer(q))
            }
            guard let b = memchr(raw + i, 0x5C, quote - i) else {
                col.values.append(contentsOf: UnsafeBufferPointer(start: base + i, count: quote - i))
                p.i = quote + 1
                break
            }
            let slash = raw.distance(to: UnsafeRawPointer(b))
            col.values.append(contentsOf: UnsafeBufferPointer(start: base + i, count: slash - i))
            guard slash + 1 < end, let next = JSONEscapes.decode(base, at: slash, end: end, into: &col.values) else {
                p.i = slash
                throw p.error("invalid escape")
            }
            i = next
        }
        try col.endBytes(start)
    }

    /// Steps over a key (at its opening quote) of a validated line: only `"` and `\` matter, keys are short.
    @inline(__always) private func skipKey(_ p: inout JSONParser) throws {
        var k = p.i + 1
        while k < p.count {
            let c = p.base[k]
            if c == UInt8(ascii: "\"") { p.i = k + 1; return }
            k += c == UInt8(ascii: "\\") ? 2 : 1
        }
        p.i = p.count
        throw p.error("unterminated string")
    }

    /// A JSON number as a double (the literal was validated by `scanNumber`).
    static func parseDouble(_ base: UnsafePointer<UInt8>, _ r: Range<Int>) -> Double {
        let n = r.count
        if n < 64 {
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf -> Double in
                guard let b = buf.baseAddress else { return 0 }
                UnsafeMutableRawPointer(b).copyMemory(from: base + r.lowerBound, byteCount: n)
                b[n] = 0
                return strtod(b, nil)
            }
        }
        return Double(String(decoding: UnsafeBufferPointer(start: base + r.lowerBound, count: n), as: UTF8.self)) ?? .nan
    }
}
