/// Dremel record assembly: turns the leaf columns of one row group (definition and repetition levels
/// plus rendered values) back into one JSON object per row, following the schema tree.
///
/// Every write of a node consumes at least one entry of each leaf below it, so the loops end on any input;
/// an entry that contradicts the schema (a required value missing, levels that run out mid-row, leaves
/// that disagree on the row count) is an error, never a misread past an array's end.
final class RowAssembler {
    /// How a node is written. Lists and maps remember the levels of their repeated group: an entry whose
    /// definition level is below `repDef` is an empty list; a next entry whose repetition level equals
    /// `repLevel` continues this list.
    enum Kind {
        case leaf(Int)
        case structure([Int])
        case list(element: Int, repDef: Int, repLevel: Int)
        case map(key: Int, value: Int?, repDef: Int, repLevel: Int)
    }

    struct Node {
        var key: [UInt8]       // `"name":`
        var nullBelow: Int     // definition level under which the node is null (0: never null)
        var kind: Kind
        var leaves: Range<Int>
    }

    struct Leaf {
        var def: [UInt8] = []
        var rep: [UInt8] = []
        var text: [UInt8] = []
        var ends: [Int] = []
        var entries = 0
        var maxDef = 0
        var pos = 0
        var valuePos = 0
        var validUTF8 = true
    }

    private(set) var nodes: [Node] = []
    /// The selected top-level fields' nodes, in schema order.
    private(set) var top: [Int] = []
    var leaves: [Leaf]

    /// Builds the assembly plan for the top-level fields `fields` (indices into `schema.fieldNames`).
    init(schema: ParquetSchema, fields: [Int]) throws {
        leaves = Array(repeating: Leaf(), count: schema.columns.count)
        for (k, c) in schema.columns.enumerated() { leaves[k].maxDef = c.maxDefinitionLevel }
        for f in fields {
            top.append(try build(schema, schema.topLevel[f], asElement: false))
            topNames.append(schema.fieldNames[f])
        }
    }

    private func add(_ n: Node) -> Int { nodes.append(n); return nodes.count - 1 }

    /// The plan of schema node `s`. `asElement` reads a repeated node as one element of its list.
    private func build(_ schema: ParquetSchema, _ s: Int, asElement: Bool) throws -> Int {
        let node = schema.nodes[s]
        var key: [UInt8] = []
        JSONWriter.writeString(node.name, into: &key)
        key.append(UInt8(ascii: ":"))
        if node.repetition == .repeated && !asElement {
            // A repeated field outside a LIST annotation is a list of required elements (as pyarrow reads it).
            let element = try build(schema, s, asElement: true)
            return add(Node(key: key, nullBelow: 0, kind: .list(element: element, repDef: node.defLevel, repLevel: node.repLevel), leaves: node.leaves))
        }
        let nullBelow = node.repetition == .optional ? node.defLevel : 0
        if let leaf = node.leaf {
            return add(Node(key: key, nullBelow: nullBelow, kind: .leaf(leaf), leaves: node.leaves))
        }
        if node.logical == .list, node.children.count == 1, schema.nodes[node.children[0]].repetition == .repeated {
            let r = node.children[0]
            let rep = schema.nodes[r]
            // The list compatibility rules of the format: a primitive, multi-field, "array" or "<name>_tuple"
            // repeated group is itself the element; otherwise its single child is.
            let element: Int
            if rep.leaf != nil || rep.children.count != 1 || rep.name == "array" || rep.name == node.name + "_tuple" {
                element = try build(schema, r, asElement: true)
            } else {
                element = try build(schema, rep.children[0], asElement: false)
            }
            return add(Node(key: key, nullBelow: nullBelow, kind: .list(element: element, repDef: rep.defLevel, repLevel: rep.repLevel), leaves: node.leaves))
        }
        if node.logical == .map, node.children.count == 1 {
            let kv = schema.nodes[node.children[0]]
            if kv.repetition == .repeated, kv.leaf == nil, kv.children.count == 1 || kv.children.count == 2 {
                let k = try build(schema, kv.children[0], asElement: false)
                let v = kv.children.count == 2 ? try build(schema, kv.children[1], asElement: false) : nil
                return add(Node(key: key, nullBelow: nullBelow, kind: .map(key: k, value: v, repDef: kv.defLevel, repLevel: kv.repLevel), leaves: node.leaves))
            }
        }
        var children: [Int] = []
        for c in node.children { children.append(try build(schema, c, asElement: false)) }
        return add(Node(key: key, nullBelow: nullBelow, kind: .structure(children), leaves: node.leaves))
    }

    /// Every leaf the selected fields need.
    var neededLeaves: [Int] { top.flatMap { Array(nodes[$0].leaves) } }

    /// The selected top-level fields' names, in the order rows write them.
    var topNames: [String] = []

    /// How deep the rows' JSON nests at most (the row object is 1).
    var jsonDepth: Int {
        func depth(_ n: Int) -> Int {
            switch nodes[n].kind {
            case .leaf: return 0
            case .structure(let c): return 1 + (c.map(depth).max() ?? 0)
            case .list(let e, _, _): return 1 + depth(e)
            case .map(let k, let v, _, _): return 2 + max(depth(k), v.map(depth) ?? 0)
            }
        }
        return 1 + (top.map(depth).max() ?? 0)
    }

    /// Whether the rows of the loaded row group are valid JSON objects as written: every string value
    /// was valid UTF-8 and the nesting is within `JSONParser.maxDepth`. Everything else the assembler
    /// writes (escaped strings, numbers, literals, keys through `JSONWriter`) is valid by construction,
    /// so such rows need no JSON validation; their top-level fields come from `writeRow(into:spans:)`.
    var rowsAreValidJSON: Bool {
        jsonDepth <= JSONParser.maxDepth && neededLeaves.allSatisfy { leaves[$0].validUTF8 }
    }

    func load(_ leaf: Int, _ data: ColumnData) {
        leaves[leaf].def = data.def
        leaves[leaf].rep = data.rep
        leaves[leaf].text = data.values.text
        leaves[leaf].ends = data.values.ends
        leaves[leaf].entries = data.entries
        leaves[leaf].pos = 0
        leaves[leaf].valuePos = 0
        leaves[leaf].validUTF8 = data.values.validUTF8
    }

    // MARK: - Writing rows

    private func inconsistent(_ leaf: Int, _ what: String) -> ParquetDecodeError {
        ParquetDecodeError("levels of leaf column \(leaf) do not fit the schema: \(what)")
    }

    @inline(__always)
    private func defAt(_ l: Int) throws -> Int {
        let p = leaves[l].pos
        guard p < leaves[l].entries else { throw inconsistent(l, "the column ends inside a row") }
        return leaves[l].def.isEmpty ? leaves[l].maxDef : Int(leaves[l].def[p])
    }

    /// Whether leaf `l`'s next entry continues the list repeated at `level`.
    @inline(__always)
    private func continues(_ l: Int, level: Int) -> Bool {
        let p = leaves[l].pos
        return p < leaves[l].entries && !leaves[l].rep.isEmpty && Int(leaves[l].rep[p]) == level
    }

    /// Consumes one entry of every leaf below a null or empty node.
    private func skip(_ node: Node) throws {
        for l in node.leaves {
            guard leaves[l].pos < leaves[l].entries else { throw inconsistent(l, "the column ends inside a row") }
            if !leaves[l].def.isEmpty, Int(leaves[l].def[leaves[l].pos]) == leaves[l].maxDef {
                throw inconsistent(l, "a value where the row holds none")
            }
            leaves[l].pos += 1
        }
    }

    private func write(_ n: Int, into out: inout [UInt8]) throws {
        let node = nodes[n]
        let first = node.leaves.lowerBound
        let d = try defAt(first)
        if d < node.nullBelow {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            try skip(node)
            return
        }
        switch node.kind {
        case .leaf(let l):
            guard d == leaves[l].maxDef else { throw inconsistent(l, "a required value is missing") }
            let v = leaves[l].valuePos
            guard v < leaves[l].ends.count else { throw inconsistent(l, "more values are used than the pages hold") }
            let start = v == 0 ? 0 : leaves[l].ends[v - 1]
            out.append(contentsOf: leaves[l].text[start..<leaves[l].ends[v]])
            leaves[l].valuePos = v + 1
            leaves[l].pos += 1
        case .structure(let children):
            out.append(UInt8(ascii: "{"))
            for (k, c) in children.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: nodes[c].key)
                try write(c, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .list(let element, let repDef, let repLevel):
            if d < repDef {
                out.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
                try skip(node)
                return
            }
            out.append(UInt8(ascii: "["))
            try write(element, into: &out)
            while continues(first, level: repLevel) {
                guard try defAt(first) >= repDef else { throw inconsistent(first, "an empty list continues a list") }
                out.append(UInt8(ascii: ","))
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let key, let value, let repDef, let repLevel):
            if d < repDef {
                out.append(contentsOf: [UInt8(ascii: "["), UInt8(ascii: "]")])
                try skip(node)
                return
            }
            out.append(UInt8(ascii: "["))
            var firstPair = true
            repeat {
                if !firstPair {
                    guard try defAt(first) >= repDef else { throw inconsistent(first, "an empty map continues a map") }
                    out.append(UInt8(ascii: ","))
                }
                firstPair = false
                out.append(UInt8(ascii: "["))
                try write(key, into: &out)
                out.append(UInt8(ascii: ","))
                if let v = value { try write(v, into: &out) } else { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }
                out.append(UInt8(ascii: "]"))
            } while continues(first, level: repLevel)
            out.append(UInt8(ascii: "]"))
        }
    }

    /// Appends the next row as a JSON object.
    func writeRow(into out: inout [UInt8]) throws {
        var none: [FieldSpan]? = nil
        try writeRow(into: &out, spans: &none)
    }

    /// Appends the next row as a JSON object; with `spans`, also appends each top-level field's name and
    /// value range, relative to the row's first byte (what `JSONParser.scanTopLevel` finds in it).
    func writeRow(into out: inout [UInt8], spans: inout [FieldSpan]?) throws {
        let rowStart = out.count
        out.append(UInt8(ascii: "{"))
        for (k, n) in top.enumerated() {
            let first = nodes[n].leaves.lowerBound
            let p = leaves[first].pos
            if p < leaves[first].entries, !leaves[first].rep.isEmpty, leaves[first].rep[p] != 0 {
                throw inconsistent(first, "a row starts with repetition level \(leaves[first].rep[p])")
            }
            if k > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: nodes[n].key)
            let valueStart = out.count - rowStart
            try write(n, into: &out)
            spans?.append(FieldSpan(key: topNames[k], value: valueStart..<(out.count - rowStart)))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// After the last row: every entry and value of every selected leaf was used.
    func checkConsumed() throws {
        for l in neededLeaves {
            guard leaves[l].pos == leaves[l].entries else {
                throw inconsistent(l, "\(leaves[l].entries - leaves[l].pos) entries left after the row group's last row")
            }
            guard leaves[l].valuePos == leaves[l].ends.count else {
                throw inconsistent(l, "\(leaves[l].ends.count - leaves[l].valuePos) values left after the row group's last row")
            }
        }
    }
}
