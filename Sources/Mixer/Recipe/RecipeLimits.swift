import CYaml
import Foundation

/// What a recipe may expand to. A recipe is a few kilobytes written by hand; these bounds are far above
/// that and far below what hurts. They exist because YAML aliases let a few hundred bytes stand for an
/// exponentially large tree (the "billion laughs" shape), and Yams hashes every mapping key while it
/// composes the tree: one alias used as a key (`? *j`) made `mix` and `run` hang for minutes before any
/// validation (issue 13, item 3).
public struct RecipeLimits: Sendable, Equatable {
    /// The recipe file's size in bytes.
    public var maxFileBytes: Int
    /// Nodes in the tree once every alias is expanded (an alias counts the nodes it stands for).
    public var maxExpandedNodes: Int
    /// Alias uses (`*name`) in the whole recipe.
    public var maxAliases: Int
    /// Nesting of mappings and lists.
    public var maxDepth: Int

    public init(maxFileBytes: Int = 1 << 20, maxExpandedNodes: Int = 100_000, maxAliases: Int = 1_000, maxDepth: Int = 64) {
        self.maxFileBytes = maxFileBytes; self.maxExpandedNodes = maxExpandedNodes
        self.maxAliases = maxAliases; self.maxDepth = maxDepth
    }

    public static let standard = RecipeLimits()
}

/// Walks a recipe's YAML events (libyaml's parser, the one Yams uses, which never expands aliases)
/// with the limits as a budget, before Yams composes the tree. Linear in the text: each anchor's
/// expanded size is remembered when its node ends, so an alias costs one lookup.
///
/// It also refuses keys that are not scalars (a list, a mapping, or an alias to one): recipe keys are
/// plain names, and a complex key is where Yams' duplicate-key check spends exponential time.
///
/// A syntax error stops the walk without an error of its own: the prefix before it was within the
/// limits, so Yams (which reads the same events) reports it in its usual words, quickly.
enum RecipeBudgetScan {
    static func check(_ text: String, file: String, limits: RecipeLimits) throws {
        var bytes = Array(text.utf8)
        if bytes.count > limits.maxFileBytes {
            throw RecipeError(file: file, line: 0, column: 0, entry: "",
                              message: "the recipe is \(bytes.count) bytes, more than the limit of \(limits.maxFileBytes) bytes")
        }
        if bytes.isEmpty { bytes.append(0x0A) }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, base, buffer.count)
            var walk = Walk(file: file, limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                try walk.take(&event)
            }
        }
    }

    /// The walk's state: open containers, the expanded size of every anchor seen, running totals.
    private struct Walk {
        struct Frame {
            var isMapping: Bool
            var anchor: String?
            var size = 1
            /// In a mapping: the number of keys and values seen so far (even: the next node is a key).
            var items = 0
        }
        struct AnchorInfo {
            var size: Int
            var isScalar: Bool
        }
        let file: String
        let limits: RecipeLimits
        var stack: [Frame] = []
        var anchors: [String: AnchorInfo] = [:]
        var expanded = 0
        var aliases = 0

        init(file: String, limits: RecipeLimits) { self.file = file; self.limits = limits }

        func fail(_ event: yaml_event_t, _ message: String) -> RecipeError {
            RecipeError(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1, entry: "", message: message)
        }

        static func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let p else { return nil }
            return String(cString: p)
        }

        /// Whether the node starting now sits in a mapping's key position.
        var atKey: Bool { stack.last.map { $0.isMapping && $0.items % 2 == 0 } ?? false }

        /// Adds a finished node (scalar, alias or closed container) of `size` expanded nodes to its parent.
        mutating func add(size: Int, anchor: String?, isScalar: Bool) {
            if let anchor { anchors[anchor] = AnchorInfo(size: size, isScalar: isScalar) }
            if !stack.isEmpty {
                stack[stack.count - 1].size += size
                stack[stack.count - 1].items += 1
            }
        }

        mutating func count(_ n: Int, _ event: yaml_event_t) throws {
            expanded += n
            if expanded > limits.maxExpandedNodes {
                throw fail(event, "the recipe expands to more than \(limits.maxExpandedNodes) nodes (aliases counted as what they stand for): too large")
            }
        }

        mutating func take(_ event: inout yaml_event_t) throws {
            switch event.type {
            case YAML_SCALAR_EVENT:
                try count(1, event)
                add(size: 1, anchor: Self.name(event.data.scalar.anchor), isScalar: true)
            case YAML_ALIAS_EVENT:
                aliases += 1
                if aliases > limits.maxAliases {
                    throw fail(event, "more than \(limits.maxAliases) aliases (*name): too many")
                }
                let target = Self.name(event.data.alias.anchor).flatMap { anchors[$0] } ?? AnchorInfo(size: 1, isScalar: true)
                if atKey && !target.isScalar {
                    throw fail(event, "keys must be plain names: an alias to a mapping or list cannot be a key")
                }
                try count(target.size, event)
                add(size: target.size, anchor: nil, isScalar: target.isScalar)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if atKey { throw fail(event, "keys must be plain names: a mapping or list cannot be a key") }
                if stack.count >= limits.maxDepth {
                    throw fail(event, "mappings and lists nest more than \(limits.maxDepth) deep: too deep")
                }
                try count(1, event)
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? Self.name(event.data.mapping_start.anchor) : Self.name(event.data.sequence_start.anchor)
                stack.append(Frame(isMapping: isMapping, anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let done = stack.popLast() else { return }
                add(size: done.size, anchor: done.anchor, isScalar: false)
            default:
                break // stream and document boundaries
            }
        }
    }
}
