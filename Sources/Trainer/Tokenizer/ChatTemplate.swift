import Curation
import Foundation

/// A conversation rendered for training or generation: ids, and which of them are the assistant's.
public struct RenderedChat: Sendable, Hashable {
    /// The rendered text (what the ids decode to).
    public var text: String
    public var ids: [Int32]
    /// `true` for tokens of assistant content and the assistant's end-of-turn token (the loss targets
    /// of SFT); `false` for role headers, system and user turns, and the generation prompt.
    public var assistantMask: [Bool]
}

/// The chat formats of the model families we train: Tulu and ChatML.
///
/// Rendering follows the families' Jinja templates character for character, then tokenizes the whole
/// text at once (as `apply_chat_template` does), so ids match the reference; the assistant mask is
/// computed from the byte ranges of assistant content in the text.
public struct ChatTemplate: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `<|user|>\n...\n<|assistant|>\n...<eos>` (Tulu 2/3, OLMo).
        case tulu
        /// `<|im_start|>role\n...<|im_end|>\n` (SmolLM2, Qwen, ...).
        case chatml
    }

    public var kind: Kind
    /// The token closing an assistant turn in Tulu (the model's eos, e.g. `</s>` or `<|endoftext|>`).
    /// ChatML always closes turns with `<|im_end|>`.
    public var eosToken: String
    /// A system turn put first when the conversation has none (SmolLM2's template does this).
    public var defaultSystemPrompt: String?

    public init(kind: Kind, eosToken: String = "<|endoftext|>", defaultSystemPrompt: String? = nil) {
        self.kind = kind; self.eosToken = eosToken; self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// The template called `name` ("tulu" or "chatml"); Tulu's eos is taken from the tokenizer's eos role
    /// when it has one, else `<|endoftext|>` if in its vocabulary, else `</s>`.
    public static func named(_ name: String, tokenizer: BPETokenizer? = nil) throws -> ChatTemplate {
        guard let kind = Kind(rawValue: name.lowercased()) else {
            throw TokenizerError.invalidArgument("unknown chat template \"\(name)\" (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return ChatTemplate(kind: kind, eosToken: defaultEOS(kind: kind, tokenizer: tokenizer))
    }

    static func defaultEOS(kind: Kind, tokenizer: BPETokenizer?) -> String {
        if kind == .chatml { return "<|im_end|>" }
        if let tok = tokenizer {
            if let e = tok.roles.eos, let s = tok.token(of: e), !s.isEmpty { return s }
            if tok.id(of: "<|endoftext|>") != nil { return "<|endoftext|>" }
            return "</s>"
        }
        return "<|endoftext|>"
    }

    /// Recognises a known family from a checkpoint's `chat_template` source: `<|im_start|>` means
    /// ChatML, `<|user|>` or `<|assistant|>` means Tulu (Tulu's own template, and `ModelFolder.jinja`'s,
    /// build the user tag as `'<|' + message['role'] + '|>'`, so only the assistant tag is spelt out).
    /// Returns nil for other templates.
    public static func detect(chatTemplate source: String, eosToken: String? = nil) -> ChatTemplate? {
        if source.contains("<|im_start|>") {
            return ChatTemplate(kind: .chatml, eosToken: "<|im_end|>", defaultSystemPrompt: defaultSystem(in: source))
        }
        if source.contains("<|user|>") || source.contains("<|assistant|>") {
            return ChatTemplate(kind: .tulu, eosToken: eosToken ?? "<|endoftext|>")
        }
        return nil
    }

    /// The template a loaded tokenizer's `tokenizer_config.json` names, if it is a known family.
    public static func detect(for tokenizer: BPETokenizer) -> ChatTemplate? {
        guard let src = tokenizer.chatTemplateSource else { return nil }
        let eos = tokenizer.roles.eos.flatMap { tokenizer.token(of: $0) }
        return detect(chatTemplate: src, eosToken: eos)
    }

    /// Reads `tokenizer_config.json` (a file, or a checkpoint directory holding one) and detects its template.
    public static func detect(tokenizerConfigAt path: String) throws -> ChatTemplate? {
        var isDir: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
            ? (path as NSString).appendingPathComponent("tokenizer_config.json") : path
        let config = try BPETokenizer.readJSONObject(file)
        guard let src = config["chat_template"]?.stringValue else { return nil }
        let eos = config["eos_token"].flatMap { $0.stringValue ?? $0["content"]?.stringValue }
        return detect(chatTemplate: src, eosToken: eos)
    }

    /// SmolLM2-style templates insert a fixed system turn when the first message is not a system one;
    /// the Jinja source holds it as `'<|im_start|>system\n...<|im_end|>`.
    static func defaultSystem(in source: String) -> String? {
        let marker = "<|im_start|>system\\n"
        guard source.contains("!= 'system'") || source.contains("!= \"system\""),
              let r = source.range(of: marker),
              let e = source.range(of: "<|im_end|>", range: r.upperBound..<source.endIndex) else { return nil }
        let body = String(source[r.upperBound..<e.lowerBound])
        guard !body.contains("{{") && !body.contains("'") else { return nil }
        return body.replacingOccurrences(of: "\\n", with: "\n")
    }

    /// The rendered text and the UTF-8 byte ranges of assistant content (with its end-of-turn token).
    public func renderText(_ messages: [Message], addGenerationPrompt: Bool = false) -> (text: String, assistantRanges: [Range<Int>]) {
        var out = ""
        var ranges: [Range<Int>] = []
        var msgs = messages
        if let sys = defaultSystemPrompt, msgs.first?.role != "system" {
            msgs.insert(Message(role: "system", content: sys), at: 0)
        }
        func assistant(_ body: String) {
            let s = out.utf8.count
            out += body
            ranges.append(s..<out.utf8.count)
        }
        for (i, m) in msgs.enumerated() {
            let last = i == msgs.count - 1
            switch kind {
            case .tulu:
                if m.role == "assistant" {
                    out += "<|assistant|>\n"
                    assistant(m.content + eosToken)
                    if !last { out += "\n" }
                } else {
                    out += "<|\(m.role)|>\n" + m.content + "\n"
                }
            case .chatml:
                out += "<|im_start|>" + m.role + "\n"
                if m.role == "assistant" { assistant(m.content + "<|im_end|>") } else { out += m.content + "<|im_end|>" }
                out += "\n"
            }
        }
        if addGenerationPrompt {
            out += kind == .tulu ? "<|assistant|>\n" : "<|im_start|>assistant\n"
        }
        return (out, ranges)
    }

    /// Renders and tokenizes `messages`. A token is marked as assistant when any of its bytes lies in
    /// assistant content (or its end-of-turn token). With `addGenerationPrompt`, the text ends with the
    /// assistant header, ready for generation.
    public func render(_ messages: [Message], tokenizer: BPETokenizer, addGenerationPrompt: Bool = false) -> RenderedChat {
        let (text, ranges) = renderText(messages, addGenerationPrompt: addGenerationPrompt)
        let (ids, offsets) = tokenizer.encodeWithOffsets(text)
        var mask = [Bool](repeating: false, count: ids.count)
        var r = 0
        for (k, id) in ids.enumerated() {
            let s = offsets[k], e = s + max(tokenizer.byteLength(of: id), 1)
            while r < ranges.count && ranges[r].upperBound <= s { r += 1 }
            if r < ranges.count && ranges[r].lowerBound < e { mask[k] = true }
        }
        return RenderedChat(text: text, ids: ids, assistantMask: mask)
    }
}
