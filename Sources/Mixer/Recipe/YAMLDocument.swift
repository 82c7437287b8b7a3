import Foundation
import Yams
import Curation

/// A parsed YAML recipe with the helpers every recipe reader needs: typed getters that fail with a
/// `RecipeError` naming the node's line, unknown-key checks (a misspelt key is an error, never
/// ignored), and numbers written with `_` separators (`5_000_000`).
///
/// Public so the recipe runner in curate-tool reads its stage graph with the same error style.
public struct YAMLDocument {
    public let file: String
    public let root: Node
    /// When set, relative paths resolve against this directory instead of the file's (a generated recipe
    /// written elsewhere, e.g. an ablation lab's variant recipes, keeps its base recipe's paths).
    public var directory: String? = nil

    /// Parses `text`; a syntax error becomes a `RecipeError` at the parser's line and column. The text
    /// is first walked within `limits` (size, expanded nodes, aliases, depth, plain keys), so a hostile
    /// recipe fails fast instead of hanging inside Yams.
    public init(text: String, file: String, limits: RecipeLimits = .standard) throws {
        self.file = file
        try RecipeBudgetScan.check(text, file: file, limits: limits)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RecipeError(file: file, line: 0, column: 0, entry: "", message: "the recipe is empty")
            }
            root = node
        } catch let e as RecipeError {
            throw e
        } catch let e as YamlError {
            throw YAMLDocument.convert(e, file: file)
        } catch {
            throw RecipeError(file: file, line: 0, column: 0, entry: "", message: "not valid YAML: \(error)")
        }
    }

    /// Reads and parses a recipe file.
    public init(path: String, limits: RecipeLimits = .standard) throws {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limits.maxFileBytes {
            throw RecipeError(file: path, line: 0, column: 0, entry: "",
                              message: "the recipe is \(size) bytes, more than the limit of \(limits.maxFileBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecipeError(file: path, line: 0, column: 0, entry: "", message: "cannot read the recipe file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(file: path, line: 0, column: 0, entry: "", message: "the recipe is not UTF-8 text")
        }
        try self.init(text: text, file: path, limits: limits)
    }

    static func convert(_ e: YamlError, file: String) -> RecipeError {
        switch e {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
             .composer(let ctx, let problem, let mark, _):
            let c = ctx.map { "\($0.text) " } ?? ""
            return RecipeError(file: file, line: mark.line, column: mark.column, entry: "", message: "YAML syntax: \(c)\(problem)")
        default:
            return RecipeError(file: file, line: 0, column: 0, entry: "", message: "YAML: \(e)")
        }
    }

    /// The directory relative paths in the recipe are resolved against.
    public var baseDirectory: String {
        if let directory { return directory }
        let d = (file as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Resolves a path written in the recipe against the recipe's directory (absolute paths stay).
    /// `${NAME}` is replaced by the environment variable NAME (e.g. a model fetched outside the
    /// repository: `local:${SMOLLM2_GGUF}`); an unset variable stays as written, so the file-not-found
    /// error shows it.
    public func resolvePath(_ p: String) -> String {
        let expanded = YAMLDocument.expandEnvironment(p)
        return expanded.hasPrefix("/") ? expanded : (baseDirectory as NSString).appendingPathComponent(expanded)
    }

    static func expandEnvironment(_ s: String) -> String {
        guard s.contains("${") else { return s }
        var out = ""
        var rest = Substring(s)
        let env = ProcessInfo.processInfo.environment
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { out += rest[open.lowerBound...]; return out }
            let name = String(rest[open.upperBound..<close])
            out += env[name] ?? "${\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    // MARK: - Errors

    public func error(_ node: Node?, _ entry: String, _ message: String) -> RecipeError {
        let m = node?.mark
        return RecipeError(file: file, line: m?.line ?? 0, column: m?.column ?? 0, entry: entry, message: message)
    }

    // MARK: - Typed access

    /// The node as a mapping, with keys checked against `allowed` (nil: any key) and for duplicates.
    public func mapping(_ node: Node, _ entry: String, allowed: Set<String>?) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else { throw error(node, entry, "expected a mapping (key: value lines), found \(describe(node))") }
        var out: [(key: String, keyNode: Node, value: Node)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw error(k, entry, "keys must be plain names") }
            if !seen.insert(s.string).inserted { throw error(k, entry, "key \"\(s.string)\" is given twice") }
            if let allowed, !allowed.contains(s.string) {
                throw error(k, entry, "unknown key \"\(s.string)\" (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            out.append((s.string, k, v))
        }
        return out
    }

    public func sequence(_ node: Node, _ entry: String) throws -> [Node] {
        guard case .sequence(let s) = node else { throw error(node, entry, "expected a list, found \(describe(node))") }
        return Array(s)
    }

    /// A list, or a single scalar taken as a one-item list (`paths: a.jsonl`).
    public func scalarList(_ node: Node, _ entry: String) throws -> [(String, Node)] {
        if case .scalar(let s) = node { return [(s.string, node)] }
        return try sequence(node, entry).map { (try string($0, entry), $0) }
    }

    public func string(_ node: Node, _ entry: String) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, entry, "expected a text value, found \(describe(node))") }
        return s.string
    }

    /// A number written plainly (`0.25`, `5_000_000`, `1e6`); quoted text is not a number.
    public func double(_ node: Node, _ entry: String, what: String) throws -> Double {
        if case .scalar(let s) = node, s.style == .plain || s.style == .any, YAMLDocument.number(s.string) == nil,
           let v = Double(s.string.replacingOccurrences(of: "_", with: "")), v.isInfinite {
            throw error(node, entry, "\(what) is out of range, found \(describe(node))")
        }
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any,
              let v = YAMLDocument.number(s.string) else {
            throw error(node, entry, "\(what) should be a number, found \(describe(node))")
        }
        return v
    }

    /// A whole number; `1.5` is an error, `10_000` and `1e4` are fine.
    public func integer(_ node: Node, _ entry: String, what: String) throws -> Int {
        let v = try double(node, entry, what: what)
        guard v == v.rounded() else { throw error(node, entry, "\(what) should be a whole number, found \(describe(node))") }
        guard abs(v) <= Double(YAMLDocument.maxWholeNumber) else {
            throw error(node, entry, "\(what) is out of range, found \(describe(node)) (at most \(YAMLDocument.maxWholeNumber) in size)")
        }
        return Int(v)
    }

    /// The largest whole number `integer` accepts: every one up to it is exact in a Double.
    public static let maxWholeNumber = 9_000_000_000_000_000

    public func bool(_ node: Node, _ entry: String, what: String) throws -> Bool {
        guard case .scalar(let s) = node else { throw error(node, entry, "\(what) should be true or false") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, entry, "\(what) should be true or false, found \"\(s.string)\"")
        }
    }

    /// Parses a YAML number, allowing `_` digit separators.
    public static func number(_ text: String) -> Double? {
        let t = text.replacingOccurrences(of: "_", with: "")
        guard !t.isEmpty, let first = t.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// A scalar as a filter value: plain `true`/`false`/`null`/numbers keep their type, quoted text is text.
    public func value(_ node: Node, _ entry: String) throws -> JSONScalar {
        guard case .scalar(let s) = node else { throw error(node, entry, "expected a single value, found \(describe(node))") }
        if s.style == .plain || s.style == .any {
            switch s.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case "null", "Null", "NULL", "~", "": return .null
            default: if let d = YAMLDocument.number(s.string) { return .number(d) }
            }
        }
        return .string(s.string)
    }

    public func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "\"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The node as plain JSON (mappings keep their order): how settings are stored and fingerprinted.
    public func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar:
            switch (try? value(node, "")) ?? .null {
            case .string(let s): return .string(s)
            case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
            case .bool(let b): return .bool(b)
            case .null: return .null
            }
        case .mapping(let m):
            var o = JSONObject()
            for (k, v) in m { o[k.string ?? "?"] = json(v) }
            return .object(o)
        case .sequence(let s): return .array(s.map { json($0) })
        case .alias: return .null
        }
    }
}

/// A scalar a filter compares against: text, number, boolean or null.
public enum JSONScalar: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        }
    }
}
