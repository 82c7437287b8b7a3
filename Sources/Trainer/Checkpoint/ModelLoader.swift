import Foundation

/// One entry point for "a model the user named on the command line": a Hugging Face folder or a GGUF
/// file, each giving the weights, the tokenizer that goes with them, and the chat template when the
/// checkpoint names a known family. SFT, DPO, scoring, generation and conversion all start here, so
/// they accept the same inputs and fail with the same errors.
public enum ModelLoader {
    /// What `load(path:)` returns.
    public typealias Loaded = (model: LlamaModel, tokenizer: BPETokenizer, chatTemplate: ChatTemplate?)

    /// Loads a model folder (`config.json` + `model.safetensors` [or a sharded index] + `tokenizer.json`
    /// [+ `tokenizer_config.json`]) or a `.gguf` file (weights dequantised to fp32, tokenizer built from
    /// its metadata).
    ///
    /// The chat template comes from the checkpoint's `chat_template` (tokenizer_config.json or the GGUF
    /// key `tokenizer.chat_template`) when it is a known family (ChatML, Tulu); failing that, from the
    /// vocabulary (`<|im_start|>` means ChatML, `<|user|>` and `<|assistant|>` mean Tulu); else nil.
    /// - Throws: `TrainerError` / `TokenizerError` naming the file and the reason.
    public static func load(path: String) throws -> Loaded {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TrainerError.io(path: path, reason: "no such file or directory")
        }
        if isDir.boolValue {
            let model = try HFCheckpoint.load(from: path)
            let tokPath = (path as NSString).appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: tokPath) else {
                throw TrainerError.io(path: tokPath, reason: "the model folder has no tokenizer.json")
            }
            let tokenizer = try BPETokenizer.load(path: path)
            try checkVocabulary(tokenizer, model: model, path: path)
            return (model, tokenizer, chatTemplate(for: tokenizer))
        }
        guard isGGUF(path) else {
            throw TrainerError.badFile(path: path, offset: 0, reason: "neither a model folder nor a GGUF file")
        }
        let gguf = try GGUFFile(path: path)
        let model = try gguf.loadLlama()
        let tokenizer = try tokenizer(from: gguf)
        try checkVocabulary(tokenizer, model: model, path: path)
        return (model, tokenizer, chatTemplate(for: tokenizer))
    }

    /// Loads only the tokenizer of a model folder, `tokenizer.json` file or GGUF file (no weights read).
    public static func loadTokenizer(path: String) throws -> BPETokenizer {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue, isGGUF(path) {
            return try tokenizer(from: GGUFFile(path: path))
        }
        return try BPETokenizer.load(path: path)
    }

    /// True when the file starts with the GGUF magic.
    public static func isGGUF(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let magic = (try? h.read(upToCount: 4)) ?? Data()
        return magic == Data("GGUF".utf8)
    }

    /// The tokenizer stored in a GGUF's metadata (`tokenizer.ggml.*`): byte-level BPE ("gpt2" model) only.
    public static func tokenizer(from gguf: GGUFFile) throws -> BPETokenizer {
        let src = gguf.path
        guard gguf.tokenizerModel == "gpt2" else {
            throw TokenizerError.unsupported(file: src, feature: "GGUF tokenizer model \(gguf.tokenizerModel ?? "(none)") (only gpt2 byte-level BPE)")
        }
        guard let tokens = try gguf.tokenizerTokenStrings(), !tokens.isEmpty else {
            throw TokenizerError.malformed(file: src, reason: "no tokenizer.ggml.tokens")
        }
        let preName = gguf.tokenizerPre ?? "gpt2"
        let pre: PreTokenizerKind
        if let p = PreTokenizerKind(ggufName: preName) { pre = p } else if preName == "default" { pre = .gpt2 } else {
            throw TokenizerError.unsupported(file: src, feature: "GGUF pre-tokenizer \"\(preName)\"")
        }
        func role(_ key: String) -> Int32? { gguf.int("tokenizer.ggml." + key).map { Int32(truncatingIfNeeded: $0) } }
        let roles = SpecialTokenRoles(bos: role("bos_token_id"), eos: role("eos_token_id"),
                                      pad: role("padding_token_id"), unk: role("unknown_token_id"))
        let types = gguf.tokenizerTokenTypes?.map { Int32(truncatingIfNeeded: $0) }
        return try BPETokenizer(ggufTokens: tokens, merges: gguf.tokenizerMerges ?? [], tokenTypes: types,
                                preTokenizer: pre, roles: roles, chatTemplateSource: gguf.chatTemplate, source: src)
    }

    /// The checkpoint's chat template if it is a known family, else one guessed from the vocabulary.
    public static func chatTemplate(for tokenizer: BPETokenizer) -> ChatTemplate? {
        if let t = ChatTemplate.detect(for: tokenizer) { return t }
        if tokenizer.id(of: "<|im_start|>") != nil && tokenizer.id(of: "<|im_end|>") != nil {
            return ChatTemplate(kind: .chatml, eosToken: "<|im_end|>")
        }
        if tokenizer.id(of: "<|user|>") != nil && tokenizer.id(of: "<|assistant|>") != nil {
            return try? ChatTemplate.named("tulu", tokenizer: tokenizer)
        }
        return nil
    }

    /// Every id the tokenizer can produce must have an embedding row.
    static func checkVocabulary(_ tokenizer: BPETokenizer, model: LlamaModel, path: String) throws {
        guard tokenizer.vocabSize <= model.config.vocabSize else {
            throw TrainerError.invalidConfig("\(path): the tokenizer has \(tokenizer.vocabSize) ids but the model only \(model.config.vocabSize) embeddings")
        }
    }
}
