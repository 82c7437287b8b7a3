import Curation
import Foundation

/// Reading and writing the Hugging Face `tokenizer.json` format (byte-level BPE models).
extension BPETokenizer {
    /// Loads a tokenizer from a `tokenizer.json` file, or from a directory holding one (then the
    /// directory's `tokenizer_config.json`, if present, supplies the bos/eos/pad roles and the chat template).
    public static func load(path: String) throws -> BPETokenizer {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TokenizerError.io(path: path, reason: "no such file or directory")
        }
        let file = isDir.boolValue ? (path as NSString).appendingPathComponent("tokenizer.json") : path
        let configPath = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tokenizer_config.json")
        let config: JSONObject? = FileManager.default.fileExists(atPath: configPath) ? try readJSONObject(configPath) : nil
        let name = "bpe:" + (isDir.boolValue ? (path as NSString).lastPathComponent
                                               : ((file as NSString).deletingLastPathComponent as NSString).lastPathComponent)
        return try load(json: readJSONObject(file), config: config, source: file, name: name)
    }

    /// Parses `tokenizer.json` text (and optionally `tokenizer_config.json` text).
    public static func load(jsonText: String, configText: String? = nil, source: String = "tokenizer.json") throws -> BPETokenizer {
        let root = try parseObject(Array(jsonText.utf8), source: source)
        let config = try configText.map { try parseObject(Array($0.utf8), source: "tokenizer_config.json") }
        return try load(json: root, config: config, source: source, name: "bpe")
    }

    static func readJSONObject(_ path: String) throws -> JSONObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError.io(path: path, reason: "cannot read file")
        }
        return try parseObject([UInt8](data), source: path)
    }

    static func parseObject(_ bytes: [UInt8], source: String) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch let e as JSONSyntaxError {
            let upTo = bytes.prefix(min(e.offset, bytes.count))
            let line = upTo.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw TokenizerError.malformed(file: source, reason: "invalid JSON at line \(line) (byte \(e.offset)): \(e.reason)")
        }
        guard case .object(let o) = value else {
            throw TokenizerError.malformed(file: source, reason: "expected a JSON object at the top level, found \(value.typeName)")
        }
        return o
    }

    static func load(json root: JSONObject, config: JSONObject?, source: String, name: String) throws -> BPETokenizer {
        func bad(_ reason: String) -> TokenizerError { .malformed(file: source, reason: reason) }

        guard case .object(let model)? = root["model"] else { throw bad("no \"model\" object") }
        if let type = model["type"], type.stringValue != "BPE" {
            throw TokenizerError.unsupported(file: source, feature: "model type \(type.stringValue ?? type.typeName) (only BPE)")
        }
        if let n = root["normalizer"], !n.isNull {
            throw TokenizerError.unsupported(file: source, feature: "normalizer \(n["type"]?.stringValue ?? n.typeName)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[key], let s = v.stringValue, !s.isEmpty {
                throw TokenizerError.unsupported(file: source, feature: "model.\(key) \"\(s)\"")
            }
        }
        if model["byte_fallback"]?.boolValue == true {
            throw TokenizerError.unsupported(file: source, feature: "model.byte_fallback (SentencePiece-style BPE)")
        }

        // Vocabulary: token -> id, into an id-indexed array.
        guard case .object(let vocabObj)? = model["vocab"] else { throw bad("model.vocab should be an object of token -> id") }
        var maxID = -1
        var pairs: [(String, Int)] = []
        pairs.reserveCapacity(vocabObj.entries.count)
        for e in vocabObj.entries {
            guard let id = e.value.intValue, id >= 0, id < 1 << 24 else {
                throw bad("model.vocab[\"\(e.key)\"] should be an id between 0 and 2^24, found \(e.value.typeName)")
            }
            pairs.append((e.key, id))
            maxID = max(maxID, id)
        }
        var vocab = [String](repeating: "", count: maxID + 1)
        for (t, id) in pairs {
            guard vocab[id].isEmpty else { throw bad("model.vocab gives id \(id) to both \"\(vocab[id])\" and \"\(t)\"") }
            vocab[id] = t
        }

        // Merges: "a b" strings (older files) or ["a", "b"] pairs (tokenizers >= 0.20).
        var merges: [(String, String)] = []
        switch model["merges"] {
        case .array(let items)?:
            merges.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let s):
                    let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else { throw bad("model.merges[\(i)] \"\(s)\" should be two tokens separated by one space") }
                    merges.append((String(parts[0]), String(parts[1])))
                case .array(let ab):
                    guard ab.count == 2, let a = ab[0].stringValue, let b = ab[1].stringValue else {
                        throw bad("model.merges[\(i)] should be a pair of strings")
                    }
                    merges.append((a, b))
                default:
                    throw bad("model.merges[\(i)] should be a string or a pair of strings, found \(item.typeName)")
                }
            }
        case nil, .null?: break
        case let other?: throw bad("model.merges should be an array, found \(other.typeName)")
        }

        // Added tokens.
        var added: [AddedToken] = []
        if case .array(let items)? = root["added_tokens"] {
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item, let id = o["id"]?.intValue, let content = o["content"]?.stringValue else {
                    throw bad("added_tokens[\(i)] should be an object with an integer \"id\" and a string \"content\"")
                }
                guard id >= 0 && id < 1 << 24 else { throw bad("added_tokens[\(i)] has invalid id \(id)") }
                guard !content.isEmpty else { throw bad("added_tokens[\(i)] has empty content") }
                added.append(AddedToken(id: Int32(id), content: content, special: o["special"]?.boolValue ?? false,
                                        singleWord: o["single_word"]?.boolValue ?? false, lstrip: o["lstrip"]?.boolValue ?? false,
                                        rstrip: o["rstrip"]?.boolValue ?? false, normalized: o["normalized"]?.boolValue ?? false))
            }
        } else if let v = root["added_tokens"], !v.isNull {
            throw bad("added_tokens should be an array, found \(v.typeName)")
        }

        let (kind, prefixSpace) = try preTokenizerKind(root["pre_tokenizer"], source: source)

        // Roles and template from tokenizer_config.json.
        var roles = SpecialTokenRoles()
        var template: String?
        let ids = Dictionary(vocab.enumerated().map { ($0.element, Int32($0.offset)) }, uniquingKeysWith: { a, _ in a })
            .merging(added.map { ($0.content, $0.id) }, uniquingKeysWith: { _, b in b })
        if let config {
            func role(_ key: String) -> Int32? {
                guard let v = config[key] else { return nil }
                let s = v.stringValue ?? v["content"]?.stringValue
                return s.flatMap { ids[$0] }
            }
            roles = SpecialTokenRoles(bos: role("bos_token"), eos: role("eos_token"), pad: role("pad_token"), unk: role("unk_token"))
            template = config["chat_template"]?.stringValue
        }
        if let unk = model["unk_token"]?.stringValue { roles.unk = roles.unk ?? ids[unk] }

        return try BPETokenizer(vocabulary: vocab, merges: merges, addedTokens: added, preTokenizer: kind,
                                addPrefixSpace: prefixSpace, ignoreMerges: model["ignore_merges"]?.boolValue ?? false,
                                roles: roles, chatTemplateSource: template, name: name, source: source)
    }

    /// Maps the `pre_tokenizer` section to one of the supported kinds.
    static func preTokenizerKind(_ v: JSONValue?, source: String) throws -> (PreTokenizerKind, Bool) {
        func unsupported(_ what: String) -> TokenizerError { .unsupported(file: source, feature: "pre_tokenizer \(what)") }
        func byteLevel(_ o: JSONValue) throws -> Bool {
            if o["use_regex"]?.boolValue == false { throw unsupported("ByteLevel with use_regex false") }
            return o["add_prefix_space"]?.boolValue ?? false
        }
        guard let v, !v.isNull else { throw unsupported("missing (a byte-level BPE needs ByteLevel)") }
        switch v["type"]?.stringValue {
        case "ByteLevel"?:
            return (.gpt2, try byteLevel(v))
        case "Sequence"?:
            guard let list = v["pretokenizers"]?.arrayValue else { throw TokenizerError.malformed(file: source, reason: "pre_tokenizer Sequence has no pretokenizers array") }
            let types = list.map { $0["type"]?.stringValue ?? "?" }
            if types == ["ByteLevel"] { return (.gpt2, try byteLevel(list[0])) }
            if types == ["Digits", "ByteLevel"] {
                guard list[0]["individual_digits"]?.boolValue == true else { throw unsupported("Digits without individual_digits") }
                let prefix = try byteLevel(list[1])
                if prefix { throw unsupported("Digits then ByteLevel with add_prefix_space") }
                return (.smollm, false)
            }
            throw unsupported("Sequence [\(types.joined(separator: ", "))]")
        case let t:
            throw unsupported(t ?? v.typeName)
        }
    }

    // MARK: - Saving

    /// The tokenizer as `tokenizer.json` text in the Hugging Face format (model BPE, ByteLevel
    /// pre-tokenizer (with Digits first for `.smollm`), ByteLevel decoder, merges as pairs, vocab by id).
    public func tokenizerJSON() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(tokenBytes.count * 4 + merges.count * 20)
        func w(_ s: String) { out.append(contentsOf: s.utf8) }
        func str(_ s: String) { JSONWriter.writeString(s, into: &out) }
        let byteLevel = "{\"type\":\"ByteLevel\",\"add_prefix_space\":\(addPrefixSpace),\"trim_offsets\":true,\"use_regex\":true}"
        w("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
        for (i, a) in addedTokens.sorted(by: { $0.id < $1.id }).enumerated() {
            w(i == 0 ? "\n    " : ",\n    ")
            w("{\"id\":\(a.id),\"content\":"); str(a.content)
            w(",\"single_word\":\(a.singleWord),\"lstrip\":\(a.lstrip),\"rstrip\":\(a.rstrip),\"normalized\":\(a.normalized),\"special\":\(a.special)}")
        }
        w("\n  ],\n  \"normalizer\": null,\n  \"pre_tokenizer\": ")
        switch preTokenizer {
        case .gpt2: w(byteLevel)
        case .smollm: w("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},\(byteLevel)]}")
        }
        w(",\n  \"post_processor\": null,\n  \"decoder\": \(byteLevel),\n")
        w("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
        w("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n")
        w("    \"byte_fallback\": false,\n    \"ignore_merges\": \(ignoreMerges),\n    \"vocab\": {")
        var first = true
        for (i, t) in tokens.enumerated() where !t.isEmpty {
            w(first ? "\n      " : ",\n      "); first = false
            str(t); w(": \(i)")
        }
        w("\n    },\n    \"merges\": [")
        for (i, m) in merges.ordered.enumerated() {
            w(i == 0 ? "\n      [" : ",\n      [")
            str(tokens[Int(m.left)]); w(", "); str(tokens[Int(m.right)]); w("]")
        }
        w("\n    ]\n  }\n}\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes `tokenizer.json` to `path` (a file path, or a directory to write `tokenizer.json` into),
    /// atomically.
    public func save(to path: String) throws {
        var isDir: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            ? (path as NSString).appendingPathComponent("tokenizer.json") : path
        do {
            try AtomicFileWriter.write(tokenizerJSON(), to: file)
        } catch {
            throw TokenizerError.io(path: file, reason: "cannot write tokenizer: \(error)")
        }
    }
}
