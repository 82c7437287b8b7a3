import Curation
import Foundation
import Yams

extension MixRecipe {
    /// The top-level keys of a mix recipe.
    public static let topLevelKeys: Set<String> = ["seed", "sources", "total_tokens", "dedupe", "output", "normalize"]

    /// Reads a mix recipe file. Paths are resolved against the recipe's directory and must match files.
    public static func load(path: String) throws -> MixRecipe {
        let doc = try YAMLDocument(path: path)
        return try parse(doc, node: doc.root, entry: "", extraKeys: [], inputs: nil, defaultSeed: 0)
    }

    /// Reads a mix from a mapping node: a whole mix recipe, or a `mix` stage of a run recipe.
    ///
    /// - Parameters:
    ///   - extraKeys: further keys the caller reads itself (a stage's `name`, `kind`, `inputs`).
    ///   - inputs: names a source may take with `input:` (nil: `input:` is not allowed).
    ///   - defaultSeed: the seed when the mapping gives none.
    public static func parse(_ doc: YAMLDocument, node: Node, entry: String, extraKeys: Set<String>,
                             inputs: [String]?, defaultSeed: UInt64) throws -> MixRecipe {
        let top = try doc.mapping(node, entry, allowed: topLevelKeys.union(extraKeys))
        var recipe = MixRecipe(file: doc.file, seed: defaultSeed, sources: [])
        var sourcesNode: Node?
        for (key, keyNode, value) in top {
            switch key {
            case "seed":
                let s = try doc.integer(value, entry, what: "seed")
                guard s >= 0 else { throw doc.error(value, entry, "seed should be 0 or more") }
                recipe.seed = UInt64(s)
            case "sources": sourcesNode = value
            case "total_tokens":
                let t = try doc.integer(value, entry, what: "total_tokens")
                guard t > 0 else { throw doc.error(value, entry, "total_tokens should be more than 0, found \(t)") }
                recipe.totalTokens = t
            case "dedupe": recipe.dedupe = try doc.bool(value, entry, what: "dedupe")
            case "output":
                let oe = entry.isEmpty ? "output" : "\(entry) output"
                for (k, _, v) in try doc.mapping(value, oe, allowed: MixOutputFormat.keys.union(["prefix", "max_records", "max_bytes"])) {
                    switch k {
                    case "prefix": recipe.prefix = try doc.string(v, oe)
                    case "max_records":
                        recipe.maxRecords = try doc.integer(v, oe, what: "max_records")
                        if (recipe.maxRecords ?? 0) < 1 { throw doc.error(v, oe, "max_records should be at least 1") }
                    case "max_bytes":
                        recipe.maxBytes = try doc.integer(v, oe, what: "max_bytes")
                        if (recipe.maxBytes ?? 0) < 1 { throw doc.error(v, oe, "max_bytes should be at least 1") }
                    default:
                        _ = try recipe.output.read(k, v, doc, oe)
                    }
                }
            case "normalize": recipe.normalize = try parseNormalize(doc, value, entry.isEmpty ? "normalize" : "\(entry) normalize")
            default: _ = keyNode // the caller's own keys
            }
        }
        guard let sourcesNode else { throw doc.error(node, entry, "no sources: a mix needs a \"sources\" list") }
        let list = try doc.sequence(sourcesNode, entry.isEmpty ? "sources" : "\(entry) sources")
        guard !list.isEmpty else { throw doc.error(sourcesNode, entry, "the sources list is empty") }
        var names = Set<String>()
        for (i, item) in list.enumerated() {
            let prefix = entry.isEmpty ? "" : "\(entry) "
            let src = try parseSource(doc, item, index: i, prefix: prefix, inputs: inputs)
            if !names.insert(src.name).inserted {
                throw doc.error(item, "\(prefix)sources[\(i)] \"\(src.name)\"", "two sources are named \"\(src.name)\"")
            }
            recipe.sources.append(src)
        }
        let shares = recipe.sources.compactMap { s -> Double? in if case .share(let v) = s.amount { return v }; return nil }
        if !shares.isEmpty {
            guard recipe.totalTokens != nil else {
                let i = recipe.sources.firstIndex { $0.amount.unit == "share" } ?? 0
                throw doc.error(list[i], "\(entry.isEmpty ? "" : entry + " ")sources[\(i)] \"\(recipe.sources[i].name)\"",
                                "a share needs total_tokens at the top of the recipe")
            }
            let sum = shares.reduce(0, +)
            if sum > 1 + 1e-9 { throw doc.error(sourcesNode, entry, "shares add up to \(sum), more than 1") }
        }
        return recipe
    }

    static let sourceKeys: Set<String> = Set(["name", "paths", "path", "input", "schema", "id_field", "filters", "dedupe", "amount", "count_of"])
        .union(Amount.unitNames)

    /// `normalize: chat` (or `preference`), or a mapping `{to, thinking_format, document_as, keep_fields}`.
    public static func parseNormalize(_ doc: YAMLDocument, _ node: Node, _ entry: String) throws -> RecordNormalizer {
        func target(_ n: Node) throws -> RecordNormalizer.Target {
            let name = try doc.string(n, entry)
            guard let t = RecordNormalizer.Target(rawValue: name) else { throw doc.error(n, entry, "normalize should be chat or preference, found \"\(name)\"") }
            return t
        }
        if case .scalar = node { return RecordNormalizer(target: try target(node)) }
        var n = RecordNormalizer(target: .chat)
        var sawTarget = false
        for (k, _, v) in try doc.mapping(node, entry, allowed: ["to", "thinking_format", "document_as", "keep_fields"]) {
            switch k {
            case "to": n.target = try target(v); sawTarget = true
            case "thinking_format":
                let name = try doc.string(v, entry)
                guard let f = ThinkingFormat(rawValue: name) else { throw doc.error(v, entry, "thinking_format should be s1, think or plain, found \"\(name)\"") }
                n.thinkingFormat = f
            case "document_as":
                let role = try doc.string(v, entry)
                guard role == "assistant" else { throw doc.error(v, entry, "document_as accepts only assistant, found \"\(role)\"") }
                n.documentAs = role
            default:
                n.keptFields = try doc.sequence(v, entry).map { try doc.string($0, entry) }
            }
        }
        guard sawTarget else { throw doc.error(node, entry, "normalize needs `to: chat` or `to: preference`") }
        return n
    }

    static func parseSource(_ doc: YAMLDocument, _ node: Node, index: Int, prefix: String, inputs: [String]?) throws -> MixSource {
        var entry = "\(prefix)sources[\(index)]"
        let fields = try doc.mapping(node, entry, allowed: sourceKeys)
        guard let nameNode = fields.first(where: { $0.key == "name" })?.value else {
            throw doc.error(node, entry, "a source needs a name")
        }
        let name = try doc.string(nameNode, entry)
        guard !name.isEmpty else { throw doc.error(nameNode, entry, "a source needs a non-empty name") }
        entry += " \"\(name)\""

        var origin: SourceOrigin?
        var schema: Schema?
        var idField: String?
        var predicates: [FieldPredicate] = []
        var length: LengthBounds?
        var language: LanguageFilter?
        var dedupe = true
        var amounts: [(Amount, Node)] = []
        var countOf: String?
        for (key, keyNode, value) in fields {
            switch key {
            case "name": break
            case "paths", "path":
                if origin != nil { throw doc.error(keyNode, entry, "give either paths or input, not both") }
                var files: [String] = []
                for (p, pNode) in try doc.scalarList(value, entry) {
                    do { files.append(contentsOf: try InputFiles.resolve([doc.resolvePath(p)])) } catch let e as CurationError {
                        if case .io(let path, let reason) = e { throw doc.error(pNode, entry, "file not found: \(path): \(reason)") }
                        throw doc.error(pNode, entry, e.description)
                    }
                }
                guard !files.isEmpty else { throw doc.error(value, entry, "no paths given") }
                var seen = Set<String>()
                origin = .files(files.filter { seen.insert($0).inserted })
            case "input":
                if origin != nil { throw doc.error(keyNode, entry, "give either paths or input, not both") }
                let n = try doc.string(value, entry)
                guard let inputs else { throw doc.error(keyNode, entry, "input: is only for mix stages of a run recipe; use paths") }
                guard inputs.contains(n) else {
                    throw doc.error(value, entry, "unknown source \"\(n)\": the stage's inputs are \(inputs.map { "\"\($0)\"" }.joined(separator: ", "))")
                }
                origin = .input(n)
            case "count_of":
                let n = try doc.string(value, entry)
                guard let inputs else { throw doc.error(keyNode, entry, "count_of: is only for mix stages of a run recipe") }
                guard inputs.contains(n) else {
                    throw doc.error(value, entry, "count_of: unknown input \"\(n)\": the stage's inputs are \(inputs.map { "\"\($0)\"" }.joined(separator: ", "))")
                }
                countOf = n
                amounts.append((.count(0), keyNode))
            case "schema":
                let s = try doc.string(value, entry)
                guard s != "auto" else { break }
                guard let sc = Schema(name: s) else {
                    throw doc.error(value, entry, "unknown schema \"\(s)\" (document, chat, preference, verifiable, samples, persona, s1_pool, prompt, auto)")
                }
                schema = sc
            case "id_field": idField = try doc.string(value, entry)
            case "dedupe": dedupe = try doc.bool(value, entry, what: "dedupe")
            case "filters":
                for (j, f) in try doc.sequence(value, entry).enumerated() {
                    let fe = "\(entry) filters[\(j)]"
                    if let lf = try parseLanguageFilter(doc, f, entry: fe) {
                        if language != nil { throw doc.error(f, fe, "a language filter is given twice") }
                        language = lf
                        continue
                    }
                    let (p, l) = try parseFilter(doc, f, entry: fe)
                    if let p { predicates.append(p) }
                    if let l {
                        if length != nil { throw doc.error(f, fe, "length bounds are given twice") }
                        length = l
                    }
                }
            case "amount":
                for (k, kn, v) in try doc.mapping(value, "\(entry) amount", allowed: Set(Amount.unitNames)) {
                    amounts.append((try parseAmount(doc, unit: k, value: v, entry: entry), kn))
                }
            default: // a unit written directly on the entry
                amounts.append((try parseAmount(doc, unit: key, value: value, entry: entry), keyNode))
            }
        }
        guard let origin else {
            throw doc.error(node, entry, inputs == nil ? "a source needs paths" : "a source needs paths or input")
        }
        guard let amount = amounts.first?.0 else {
            throw doc.error(node, entry, "no amount: give exactly one of fraction, repeat, count, tokens, share\(inputs == nil ? "" : " or count_of")")
        }
        if amounts.count > 1 {
            throw doc.error(amounts[1].1, entry, "two amounts given (\(amounts.map(\.0.unit).joined(separator: " and "))): give exactly one")
        }
        var source = MixSource(name: name, origin: origin, schema: schema, idField: idField, predicates: predicates, length: length,
                               dedupe: dedupe, amount: amount, line: node.mark?.line ?? 0, language: language)
        source.countOf = countOf
        return source
    }

    static func parseAmount(_ doc: YAMLDocument, unit: String, value: Node, entry: String) throws -> Amount {
        let v = try doc.double(value, entry, what: unit)
        guard v >= 0 else { throw doc.error(value, entry, "\(unit) should not be negative, found \((try? doc.string(value, entry)) ?? String(v))") }
        switch unit {
        case "fraction":
            guard v <= 1 else { throw doc.error(value, entry, "fraction should be at most 1 (use repeat to up-sample), found \(v)") }
            return .fraction(v)
        case "repeat":
            guard v <= Amount.maxRepeat else {
                throw doc.error(value, entry, "repeat \(describeNumber(doc, value, v)) is too large (at most \(Int(Amount.maxRepeat)))")
            }
            return .repeats(v)
        case "share":
            guard v <= 1 else { throw doc.error(value, entry, "share should be at most 1, found \(v)") }
            return .share(v)
        case "count": return .count(try doc.integer(value, entry, what: "count"))
        default: return .tokens(try doc.integer(value, entry, what: "tokens"))
        }
    }

    /// A number as the recipe wrote it (`1e19`), for messages.
    static func describeNumber(_ doc: YAMLDocument, _ node: Node, _ v: Double) -> String {
        (try? doc.string(node, "")) ?? String(v)
    }

    static let languageFilterKeys: Set<String> = ["language", "min_confidence"]

    /// `{language: [en, de], min_confidence: 0.65}` (or `language: en`), or nil when the entry is another
    /// kind of filter. Codes must be ones `LanguageID` knows, so a typo is an error, not an empty mix.
    static func parseLanguageFilter(_ doc: YAMLDocument, _ node: Node, entry: String) throws -> LanguageFilter? {
        let probe = try doc.mapping(node, entry, allowed: filterKeys.union(languageFilterKeys))
        guard let langNode = probe.first(where: { $0.key == "language" })?.value else {
            if let m = probe.first(where: { $0.key == "min_confidence" }) {
                throw doc.error(m.keyNode, entry, "min_confidence needs a language list: add `language: [en]`")
            }
            return nil
        }
        let fields = try doc.mapping(node, entry, allowed: languageFilterKeys)
        var codes: [String] = []
        if let list = try? doc.scalarList(langNode, entry) { codes = list.map(\.0) } else { codes = [try doc.string(langNode, entry)] }
        guard !codes.isEmpty else { throw doc.error(langNode, entry, "language needs at least one ISO 639-1 code") }
        for code in codes where LanguageID.names[code] == nil {
            throw doc.error(langNode, entry, "unknown language \"\(code)\" (known: \(LanguageID.names.keys.sorted().joined(separator: " ")))")
        }
        var filter = LanguageFilter(languages: codes)
        if let v = fields.first(where: { $0.key == "min_confidence" })?.value {
            let c = try doc.double(v, entry, what: "min_confidence")
            guard c >= 0, c <= 1 else { throw doc.error(v, entry, "min_confidence should be in [0, 1], found \(c)") }
            filter.minConfidence = c
        }
        return filter
    }

    static let filterKeys: Set<String> = ["field", "present", "equals", "not_equals", "in", "min", "max", "min_tokens", "max_tokens", "min_chars", "max_chars"]

    static func parseFilter(_ doc: YAMLDocument, _ node: Node, entry: String) throws -> (FieldPredicate?, LengthBounds?) {
        let fields = try doc.mapping(node, entry, allowed: filterKeys)
        let keys = Set(fields.map(\.key))
        if let fieldNode = fields.first(where: { $0.key == "field" })?.value {
            let name = try doc.string(fieldNode, entry)
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, !path.contains("") else { throw doc.error(fieldNode, entry, "field \"\(name)\" is not a valid field path") }
            let tests = keys.intersection(["present", "equals", "not_equals", "in", "min", "max"])
            if tests.isEmpty { throw doc.error(node, entry, "a field filter needs one of present, equals, not_equals, in, or min/max") }
            if !keys.intersection(["min_tokens", "max_tokens", "min_chars", "max_chars"]).isEmpty {
                throw doc.error(node, entry, "length bounds go in their own filter entry, without field")
            }
            if tests.count > 1 && tests != ["min", "max"] {
                throw doc.error(node, entry, "give one test per filter (\(tests.sorted().joined(separator: ", ")) given)")
            }
            var test: FieldPredicate.Test
            if let v = fields.first(where: { $0.key == "present" })?.value {
                test = .present(try doc.bool(v, entry, what: "present"))
            } else if let v = fields.first(where: { $0.key == "equals" })?.value {
                test = .equals(try doc.value(v, entry))
            } else if let v = fields.first(where: { $0.key == "not_equals" })?.value {
                test = .notEquals(try doc.value(v, entry))
            } else if let v = fields.first(where: { $0.key == "in" })?.value {
                test = .oneOf(try doc.sequence(v, entry).map { try doc.value($0, entry) })
            } else {
                let lo = try fields.first(where: { $0.key == "min" }).map { try doc.double($0.value, entry, what: "min") }
                let hi = try fields.first(where: { $0.key == "max" }).map { try doc.double($0.value, entry, what: "max") }
                if let lo, let hi, lo > hi { throw doc.error(node, entry, "min \(lo) is more than max \(hi)") }
                test = .range(min: lo, max: hi)
            }
            return (FieldPredicate(path: path, test: test), nil)
        }
        var b = LengthBounds()
        guard !keys.isEmpty else { throw doc.error(node, entry, "an empty filter") }
        for (k, _, v) in fields {
            let n = try doc.integer(v, entry, what: k)
            guard n >= 0 else { throw doc.error(v, entry, "\(k) should not be negative") }
            switch k {
            case "min_tokens": b.minTokens = n
            case "max_tokens": b.maxTokens = n
            case "min_chars": b.minChars = n
            case "max_chars": b.maxChars = n
            default: throw doc.error(v, entry, "\(k) needs a field: add `field: NAME`")
            }
        }
        return (nil, b)
    }
}
