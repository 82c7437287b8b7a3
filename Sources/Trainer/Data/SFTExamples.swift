import Curation
import Foundation

/// A training example built from one record: its tokens, which of them are loss targets, and the
/// record id (which decides the held-out split).
public struct SFTExample: Sendable, Equatable {
    public var id: String
    public var example: TokenBatch.Example
    public init(id: String, example: TokenBatch.Example) { self.id = id; self.example = example }
    public var count: Int { example.tokens.count }
}

/// Turns records into SFT examples with a chat template: loss on the assistant's tokens only (every
/// assistant turn, with its end-of-turn token), everything else masked.
///
/// Accepted layouts: chat (`messages`), persona records with `messages`, `prompt`/`completion` pairs
/// (a user turn then an assistant turn; `prompt` may also be a message list), samples after `vote`
/// (`prompt` or `messages` + the first of `completions`), verifiable records (`messages`/`prompt` +
/// `response`), s1 pool items (`question` -> `thinking` and `attempt`, s1's thinking-then-answer layout),
/// preference pairs (the chosen conversation), and documents (`text`, every token counted: continued pre-training through the same path).
public struct SFTExampleBuilder {
    public let tokenizer: BPETokenizer
    public let template: ChatTemplate
    /// Examples longer than this are cut to it (their tail is lost, as open-instruct truncates).
    public var maxLength: Int
    /// How s1 pool items (`question`, `thinking`, `attempt`) are laid out.
    public var thinkingFormat: ThinkingFormat

    public init(tokenizer: BPETokenizer, template: ChatTemplate, maxLength: Int, thinkingFormat: ThinkingFormat = .plain) {
        self.tokenizer = tokenizer; self.template = template; self.maxLength = maxLength; self.thinkingFormat = thinkingFormat
    }

    /// The conversation a record holds, or nil for a document record (`text` only).
    public static func messages(of record: RawRecord, thinkingFormat: ThinkingFormat = .plain) throws -> [Message]? {
        // A response to a prompt: verifiable records carry it in `response`, samples in `completions`.
        var reply: JSONValue? = try record.value("completion")
        if reply == nil || reply?.isNull == true, let r = try record.value("response"), !r.isNull { reply = r }
        if reply == nil || reply?.isNull == true, let cs = try record.value("completions") {
            guard let list = cs.arrayValue else { throw record.typeError("completions", expected: "a list of strings") }
            reply = list.first
        }
        if let m = try record.value("messages"), !m.isNull {
            var turns = try Message.decodeList(m, field: "messages", at: record.location)
            if let r = reply?.stringValue, turns.last?.role != "assistant" { turns.append(Message(role: "assistant", content: r)) }
            return turns
        }
        if record.has("chosen") && record.has("rejected") {
            // A preference pair trains SFT on its chosen conversation.
            return try Preference(record: record).chosen
        }
        if let q = try record.string("question") {
            // s1: the model thinks, then answers; both are targets.
            let thinking = try record.string("thinking") ?? ""
            let attempt = try record.string("attempt") ?? ""
            guard !thinking.isEmpty || !attempt.isEmpty else {
                throw CurationError.badRecord(record.location, reason: "an s1 pool item needs \"thinking\" or \"attempt\" to train on")
            }
            return [Message(role: "user", content: q), Message(role: "assistant", content: thinkingFormat.assistant(thinking: thinking, answer: attempt))]
        }
        if let c = reply, !c.isNull {
            var turns: [Message] = []
            switch try record.value("prompt") {
            case .string(let s)?: turns.append(Message(role: "user", content: s))
            case let p? where !p.isNull: turns = try Message.decodeList(p, field: "prompt", at: record.location)
            default: break
            }
            switch c {
            case .string(let s): turns.append(Message(role: "assistant", content: s))
            default: turns += try Message.decodeList(c, field: "completion", at: record.location)
            }
            return turns
        }
        if try record.string("text") != nil { return nil }
        throw CurationError.badRecord(record.location, reason: "an SFT record needs \"messages\", \"prompt\"+\"completion\" or \"text\"")
    }

    /// The example for one record; nil when nothing in it is a loss target (e.g. no assistant turn).
    public func example(_ record: RawRecord) throws -> SFTExample? {
        let id = try RecordID.of(record)
        var ids: [Int32], mask: [Bool]
        if let msgs = try Self.messages(of: record, thinkingFormat: thinkingFormat) {
            let r = template.render(msgs, tokenizer: tokenizer)
            ids = r.ids; mask = r.assistantMask
        } else {
            // Special-token text in a document becomes its id, as Hugging Face tokenizers does by default;
            // an eos already written at the end is not added twice.
            ids = tokenizer.encode(try record.string("text") ?? "")
            if let eos = tokenizer.roles.eos, ids.last != eos { ids.append(eos) }
            if let bos = tokenizer.roles.bos, ids.first != bos { ids.insert(bos, at: 0) }
            mask = ids.indices.map { $0 > 0 }
        }
        if ids.count > maxLength { ids.removeLast(ids.count - maxLength); mask.removeLast(mask.count - maxLength) }
        // Token 0 is never a target (nothing predicts it).
        if !mask.isEmpty { mask[0] = false }
        guard ids.count >= 2, mask.contains(true) else { return nil }
        return SFTExample(id: id, example: TokenBatch.Example(tokens: ids, lossMask: mask))
    }
}

/// The held-out split by a hash of the record id: stable across runs, machines and input order.
public enum HeldOutSplit {
    /// True when the record with this id belongs to the evaluation split of the given fraction.
    public static func isHeldOut(id: String, fraction: Double, seed: UInt64 = 0) -> Bool {
        guard fraction > 0 else { return false }
        let h = XXH3.hash64(id, seed: seed ^ 0x5EED_E7A1)
        return Double(h >> 11) * 0x1.0p-53 < fraction
    }
}
