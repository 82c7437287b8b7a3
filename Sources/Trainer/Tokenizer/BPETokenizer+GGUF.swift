/// Building a tokenizer from the arrays a GGUF file's metadata holds (`tokenizer.ggml.tokens`,
/// `.merges`, `.token_type`, `.bos_token_id`, ...). The GGUF reader lives elsewhere; this is the
/// entry point it calls, so both file formats end in the same tokenizer.
extension BPETokenizer {
    /// GGUF token types (llama.cpp's `llama_token_type`).
    public enum GGUFTokenType: Int32, Sendable {
        case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`, byte-level token strings indexed by id.
    ///   - merges: `tokenizer.ggml.merges`, `"a b"` strings in rank order.
    ///   - tokenTypes: `tokenizer.ggml.token_type`; control tokens become special added tokens and
    ///     user-defined ones non-special added tokens (both matched verbatim in text). Nil: none.
    ///   - preTokenizer: from `tokenizer.ggml.pre` via `PreTokenizerKind(ggufName:)`.
    /// - Throws: `TokenizerError.malformed` (naming `source`) for a merge that is not two tokens, a
    ///   token-type array of the wrong length, a role id out of range, or merges naming unknown tokens.
    public convenience init(ggufTokens tokens: [String], merges: [String], tokenTypes: [Int32]?,
                            preTokenizer: PreTokenizerKind, roles: SpecialTokenRoles = SpecialTokenRoles(),
                            chatTemplateSource: String? = nil, source: String = "GGUF") throws {
        if let t = tokenTypes, t.count != tokens.count {
            throw TokenizerError.malformed(file: source, reason: "tokenizer.ggml.token_type has \(t.count) entries for \(tokens.count) tokens")
        }
        for (role, id) in [("bos", roles.bos), ("eos", roles.eos), ("pad", roles.pad), ("unk", roles.unk)] {
            if let id, id < 0 || Int(id) >= tokens.count {
                throw TokenizerError.malformed(file: source, reason: "\(role) token id \(id) is outside the \(tokens.count) tokens")
            }
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(merges.count)
        for (i, m) in merges.enumerated() {
            let parts = m.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.malformed(file: source, reason: "tokenizer.ggml.merges[\(i)] \"\(m)\" should be two tokens separated by one space")
            }
            pairs.append((String(parts[0]), String(parts[1])))
        }
        var added: [AddedToken] = []
        if let types = tokenTypes {
            for (i, t) in types.enumerated() where !tokens[i].isEmpty {
                if t == GGUFTokenType.control.rawValue {
                    added.append(AddedToken(id: Int32(i), content: tokens[i], special: true))
                } else if t == GGUFTokenType.userDefined.rawValue {
                    added.append(AddedToken(id: Int32(i), content: tokens[i], special: false))
                }
            }
        }
        try self.init(vocabulary: tokens, merges: pairs, addedTokens: added, preTokenizer: preTokenizer,
                      roles: roles, chatTemplateSource: chatTemplateSource, name: "bpe:gguf", source: source)
    }
}
