/// A file's schema as a tree, with what record assembly needs per node: definition and repetition
/// levels, which leaf columns lie below, and how each leaf's values are written as JSON.
public struct ParquetSchema: Sendable {
    /// One leaf column (a path of names, e.g. `messages.list.element.content`).
    public struct Column: Sendable {
        public var path: [String]
        public var physicalType: ParquetPhysicalType
        public var typeLength: Int
        public var logicalType: ParquetLogicalType
        public var maxDefinitionLevel: Int
        public var maxRepetitionLevel: Int
        /// Index of the top-level field it belongs to.
        public var topLevelField: Int
        var render: RenderKind
        public var dottedPath: String { path.joined(separator: ".") }
    }

    struct Node: Sendable {
        var name: String
        var repetition: ParquetRepetition
        var logical: ParquetLogicalType
        var children: [Int] = []
        var leaf: Int?
        var defLevel = 0
        var repLevel = 0
        var leaves: Range<Int> = 0..<0
    }

    public private(set) var columns: [Column] = []
    /// The top-level field names, in schema order.
    public private(set) var fieldNames: [String] = []
    var nodes: [Node] = []
    /// Node indices of the top-level fields.
    var topLevel: [Int] = []

    init(_ elements: [SchemaElement], limits: ParquetLimits) throws {
        guard let root = elements.first else { throw ParquetDecodeError("schema is empty") }
        guard elements.count <= limits.maxSchemaElements else {
            throw ParquetDecodeError("schema has \(elements.count) elements, more than the limit of \(limits.maxSchemaElements)")
        }
        var next = 1
        // Builds the subtree of element `next - 1` (already consumed) and returns its node index.
        func build(_ e: SchemaElement, depth: Int, def: Int, rep: Int, path: [String], top: Int) throws -> Int {
            guard depth <= limits.maxSchemaDepth else {
                throw ParquetDecodeError("schema nests deeper than the limit of \(limits.maxSchemaDepth) levels")
            }
            let repetition = e.repetition ?? .required
            var node = Node(name: e.name, repetition: repetition, logical: e.logicalType)
            node.defLevel = def + (repetition == .required ? 0 : 1)
            node.repLevel = rep + (repetition == .repeated ? 1 : 0)
            let index = nodes.count
            nodes.append(node)
            let firstLeaf = columns.count
            if let n = e.numChildren, n > 0 || e.type == nil {
                guard n > 0 else { throw ParquetDecodeError("schema group \"\(e.name)\" has no children") }
                guard Int(n) <= elements.count - next else {
                    throw ParquetDecodeError("schema group \"\(e.name)\" claims \(n) children, only \(elements.count - next) elements follow")
                }
                var children: [Int] = []
                for _ in 0..<Int(n) {
                    guard next < elements.count else {
                        throw ParquetDecodeError("schema group \"\(e.name)\" claims more children than the schema holds")
                    }
                    let child = elements[next]
                    next += 1
                    children.append(try build(child, depth: depth + 1, def: node.defLevel, rep: node.repLevel, path: path + [child.name], top: top))
                }
                nodes[index].children = children
            } else {
                guard let type = e.type else { throw ParquetDecodeError("schema leaf \"\(e.name)\" has no physical type") }
                if case .unknown(let v) = type { throw ParquetDecodeError("column \(path.joined(separator: ".")): unknown physical type \(v)") }
                if type == .fixedLenByteArray, e.typeLength < 0 || e.typeLength > (1 << 20) {
                    throw ParquetDecodeError("column \(path.joined(separator: ".")): fixed length \(e.typeLength) out of range")
                }
                let render = try RenderKind.choose(type, length: Int(e.typeLength), logical: e.logicalType, column: path.joined(separator: "."))
                nodes[index].leaf = columns.count
                columns.append(Column(path: path, physicalType: type, typeLength: Int(e.typeLength), logicalType: e.logicalType,
                                      maxDefinitionLevel: node.defLevel, maxRepetitionLevel: node.repLevel, topLevelField: top, render: render))
            }
            nodes[index].leaves = firstLeaf..<columns.count
            return index
        }
        let n = Int(root.numChildren ?? 0)
        guard n >= 0, n <= elements.count - 1 else { throw ParquetDecodeError("schema root claims \(n) children, only \(elements.count - 1) elements follow") }
        nodes.append(Node(name: root.name, repetition: .required, logical: .none))
        for k in 0..<n {
            guard next < elements.count else { throw ParquetDecodeError("schema root claims more children than the schema holds") }
            let e = elements[next]
            next += 1
            topLevel.append(try build(e, depth: 1, def: 0, rep: 0, path: [e.name], top: k))
            fieldNames.append(e.name)
        }
        nodes[0].children = topLevel
        nodes[0].leaves = 0..<columns.count
        guard next == elements.count else {
            throw ParquetDecodeError("schema has \(elements.count - next) elements outside the tree")
        }
    }
}

/// How a leaf's values become JSON, decided once per column from its physical and logical types.
enum RenderKind: Sendable, Equatable {
    case boolean
    case int(signed: Bool)              // INT32 / INT64, INT(bits, signed)
    case date                            // INT32 days
    case timestamp(ParquetLogicalType.TimeUnit, utc: Bool)
    case time(ParquetLogicalType.TimeUnit)
    case int96                           // legacy timestamp, nanoseconds
    case decimal(scale: Int)
    case float, double, float16
    case string                          // BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY as UTF-8 text
    case binary                          // base64
    case uuid

    static func choose(_ type: ParquetPhysicalType, length: Int, logical: ParquetLogicalType, column: String) throws -> RenderKind {
        func unsupported() -> ParquetDecodeError {
            ParquetDecodeError("column \(column): logical type \(logical) on physical type \(type) is not supported")
        }
        switch type {
        case .boolean: return .boolean
        case .int32, .int64:
            switch logical {
            case .none, .unknownNull: return .int(signed: true)
            case .integer(_, let signed): return .int(signed: signed)
            case .date: return .date
            case .timestamp(let u, let utc): return .timestamp(u, utc: utc)
            case .time(let u, _): return .time(u)
            case .decimal(let s, _): return .decimal(scale: s)
            default: throw unsupported()
            }
        case .int96: return .int96
        case .float: return .float
        case .double: return .double
        case .byteArray, .fixedLenByteArray:
            switch logical {
            case .string, .enumeration, .json: return .string
            case .decimal(let s, _):
                if length > 256 { throw unsupported() }
                return .decimal(scale: s)
            case .uuid where type == .fixedLenByteArray && length == 16: return .uuid
            case .float16 where type == .fixedLenByteArray && length == 2: return .float16
            case .none, .bson, .unknownNull, .other: return .binary
            default: throw unsupported()
            }
        case .unknown: throw unsupported()
        }
    }
}
