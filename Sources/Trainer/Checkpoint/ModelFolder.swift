import Curation
import Foundation

/// Writing complete Hugging Face model folders: weights and config (`HFCheckpoint`) plus
/// `tokenizer.json` and a `tokenizer_config.json` naming the special tokens and the chat template, so
/// `AutoTokenizer.from_pretrained(...).apply_chat_template` renders what we trained on.
public enum ModelFolder {
    /// Jinja sources of the two families, as their checkpoints ship them.
    public static func jinja(for template: ChatTemplate) -> String {
        switch template.kind {
        case .chatml:
            var s = "{% for message in messages %}"
            if let sys = template.defaultSystemPrompt {
                let esc = sys.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "'", with: "\\'")
                s += "{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n\(esc)<|im_end|>\\n' }}{% endif %}"
            }
            return s + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
        case .tulu:
            return "{% for message in messages %}{% if message['role'] == 'assistant' %}{% if not loop.last %}"
                + "{{ '<|assistant|>\\n' + message['content'] + eos_token + '\\n' }}{% else %}"
                + "{{ '<|assistant|>\\n' + message['content'] + eos_token }}{% endif %}"
                + "{% else %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '\\n' }}{% endif %}"
                + "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}{% endfor %}"
        }
    }

    /// `tokenizer.json` and `tokenizer_config.json` for a folder. The checkpoint's own chat template
    /// source is kept when it is the same family; otherwise the family's standard one is written.
    public static func tokenizerFiles(_ tokenizer: BPETokenizer, template: ChatTemplate?) -> [String: [UInt8]] {
        var cfg = JSONObject()
        cfg["tokenizer_class"] = .string("PreTrainedTokenizerFast")
        cfg["clean_up_tokenization_spaces"] = .bool(false)
        cfg["model_max_length"] = .int(1_000_000)
        for (key, id) in [("bos_token", tokenizer.roles.bos), ("eos_token", tokenizer.roles.eos),
                          ("pad_token", tokenizer.roles.pad), ("unk_token", tokenizer.roles.unk)] {
            if let id, let s = tokenizer.token(of: id) { cfg[key] = .string(s) }
        }
        if cfg["eos_token"] == nil, let t = template, t.kind == .tulu { cfg["eos_token"] = .string(t.eosToken) }
        if let t = template {
            if let src = tokenizer.chatTemplateSource, ChatTemplate.detect(chatTemplate: src)?.kind == t.kind {
                cfg["chat_template"] = .string(src)
            } else {
                cfg["chat_template"] = .string(jinja(for: t))
            }
        } else if let src = tokenizer.chatTemplateSource {
            cfg["chat_template"] = .string(src)
        }
        return ["tokenizer.json": Array(tokenizer.tokenizerJSON().utf8),
                "tokenizer_config.json": Array((PrettyJSON.string(.object(cfg)) + "\n").utf8)]
    }

    /// Writes the model, its tokenizer and its chat template as one loadable folder.
    public static func save(_ model: LlamaModel, tokenizer: BPETokenizer, template: ChatTemplate?, to directory: String) throws {
        try HFCheckpoint.save(model, to: directory, extraFiles: tokenizerFiles(tokenizer, template: template))
    }
}
