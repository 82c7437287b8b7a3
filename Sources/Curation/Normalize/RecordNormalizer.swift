/// Rewrites records of any schema into one layout a trainer takes as it is, so a mix of chat records,
/// s1 pool items, verifiable records, voted samples and preference pairs loads as a handful of columns
/// (not two dozen mostly null) and TRL's or open-instruct's SFT and DPO code trains on it without a script.
///
/// The mapping per schema (README, "Normalizing a mix"):
///
/// | schema | `chat` target (`id`, `messages`, `source`) | `preference` target (`id`, `prompt`, `chosen`, `rejected`, `source`) |
/// |---|---|---|
/// | chat | its turns (ShareGPT `conversations` read as turns) | dropped: not a preference pair |
/// | s1 pool item | user: `question`; assistant: `thinking` in the s1 delimiters, then `attempt` | dropped |
/// | verifiable | `messages`/`prompt` then `response` as the assistant turn | dropped |
/// | samples | the prompt, then the voted completion (the first kept by `vote`) | dropped |
/// | preference | the chosen conversation | TRL's layout: shared prompt turns, chosen and rejected completions |
/// | persona | its `messages` when it has a response | dropped |
/// | document | dropped unless `documentAs` is set (then the text as one turn of that role) | dropped |
///
/// A record that cannot be mapped (no response to train on, no assistant turn, an unvoted samples record
/// with several completions, ...) gets a drop reason, never an empty conversation. A record whose fields
/// have the wrong types is an error (`CurationError.badRecord`) for the stage's `--on-error` policy.
public struct RecordNormalizer: Sendable {
    public enum Target: String, Sendable, CaseIterable, Codable {
        /// The Tulu 3 SFT chat schema: `{"id", "messages": [{"role", "content"}], "source"}`.
        case chat
        /// TRL's conversational preference layout: `{"id", "prompt": [turns], "chosen": [turns], "rejected": [turns], "source"}`.
        case preference
    }

    /// What becomes of one record.
    public enum Outcome: Sendable {
        case record(RawRecord)
        /// A stable reason (counted in the stage report under `normalize: REASON`).
        case dropped(String)
    }

    public var target: Target
    /// How an s1 pool item's thinking and attempt become the assistant turn (s1's delimiters by default).
    public var thinkingFormat: ThinkingFormat
    /// The role a document's text is given (only `assistant` is accepted by the CLI); nil drops documents.
    public var documentAs: String?
    /// Top-level fields copied after the normalised ones, when a record has them (lineage by default).
    public var keptFields: [String]

    public static let defaultKeptFields = ["orig_id", "orig_source"]
    /// How stage reports name a normalisation drop: `normalize: REASON`.
    public static let reasonPrefix = "normalize: "

    public init(target: Target, thinkingFormat: ThinkingFormat = .s1, documentAs: String? = nil,
                keptFields: [String] = RecordNormalizer.defaultKeptFields) {
        self.target = target; self.thinkingFormat = thinkingFormat; self.documentAs = documentAs; self.keptFields = keptFields
    }

    /// The fields the normalised layout writes itself (a kept field of the same name is ignored).
    var ownFields: Set<String> {
        switch target {
        case .chat: return ["id", "messages", "source"]
        case .preference: return ["id", "prompt", "chosen", "rejected", "source"]
        }
    }

    /// Normalises one record. `id` is the record's id as the stage determined it (`RecordID.of`).
    public func normalize(_ record: RawRecord, id: String) throws -> Outcome {
        var out = JSONObject()
        out["id"] = .string(id)
        switch target {
        case .chat:
            switch try conversation(of: record) {
            case .failure(let why): return .dropped(why.reason)
            case .success(let turns): out["messages"] = Message.encodeList(turns)
            }
        case .preference:
            guard record.has("chosen"), record.has("rejected") else {
                return .dropped("not a preference pair (\(Schema.detect(record).rawValue))")
            }
            let pair = try Preference(record: record)
            out["prompt"] = Message.encodeList(pair.promptTurns)
            out["chosen"] = Message.encodeList(pair.chosenCompletion)
            out["rejected"] = Message.encodeList(pair.rejectedCompletion)
        }
        if let source = try record.value("source"), !source.isNull { out["source"] = source }
        let own = ownFields
        for f in keptFields where !own.contains(f) {
            if let v = try record.value(f) { out[f] = v }
        }
        return .record(RawRecord(object: out, location: record.location))
    }

    /// Why `normalize` would drop the record, or nil when it maps: the same decision without building the
    /// output (the mix's scan asks this of every record, and builds the output only for the records it takes).
    public func dropReason(_ record: RawRecord) throws -> String? {
        switch target {
        case .chat:
            if case .failure(let why) = try conversation(of: record) { return why.reason }
            return nil
        case .preference:
            guard record.has("chosen"), record.has("rejected") else { return "not a preference pair (\(Schema.detect(record).rawValue))" }
            _ = try Preference(record: record)
            return nil
        }
    }

    /// Why a record has no conversation to train on.
    struct Unmappable: Error { var reason: String }

    /// The conversation of a record for the chat target: ends with an assistant turn, or fails with a reason.
    func conversation(of record: RawRecord) throws -> Result<[Message], Unmappable> {
        let schema = Schema.detect(record)
        var turns: [Message]
        switch schema {
        case .preference:
            turns = try Preference(record: record).chosen
        case .s1Pool:
            guard let question = try record.string("question") else { return .failure(Unmappable(reason: "s1 item without a question")) }
            let thinking = try record.string("thinking") ?? ""
            let attempt = try record.string("attempt") ?? ""
            guard !attempt.isEmpty || !thinking.isEmpty else { return .failure(Unmappable(reason: "s1 item without thinking or attempt")) }
            turns = [Message(role: "user", content: question),
                     Message(role: "assistant", content: thinkingFormat.assistant(thinking: thinking, answer: attempt))]
        case .samples:
            let reply: String
            switch try votedCompletion(record) {
            case .failure(let why): return .failure(why)
            case .success(let r): reply = r
            }
            turns = try promptTurns(record) + [Message(role: "assistant", content: reply)]
        case .verifiable, .chat, .persona, .prompt:
            turns = try promptTurns(record)
            if turns.last?.role != "assistant" {
                guard let response = try record.string("response"), !response.isEmpty else {
                    return .failure(Unmappable(reason: "\(schema.rawValue) record without a response"))
                }
                turns.append(Message(role: "assistant", content: response))
            }
        case .document:
            guard let role = documentAs else { return .failure(Unmappable(reason: "document record (use --document-as assistant)")) }
            guard let text = try record.string("text"), !text.isEmpty else { return .failure(Unmappable(reason: "document without text")) }
            turns = [Message(role: role, content: text)]
        case .unknown:
            return .failure(Unmappable(reason: "unknown schema"))
        }
        guard turns.contains(where: { $0.role == "assistant" }) else { return .failure(Unmappable(reason: "no assistant turn")) }
        return .success(turns)
    }

    /// The turns before the response: `messages` (or ShareGPT `conversations`), else `prompt` as one user turn
    /// (or as messages when it is a list).
    func promptTurns(_ record: RawRecord) throws -> [Message] {
        for field in ["messages", "conversations"] {
            if let m = try record.value(field), !m.isNull { return try Message.decodeList(m, field: field, at: record.location) }
        }
        guard let p = try record.value("prompt"), !p.isNull else { return [] }
        if case .string(let s) = p { return [Message(role: "user", content: s)] }
        return try Message.decodeList(p, field: "prompt", at: record.location)
    }

    /// A samples record's completion to train on: the first of `completions` after `vote` (which keeps
    /// only majority-consistent completions and records its verdict in `vote`), or the only completion
    /// of an unvoted record. Several unvoted completions give no single answer: dropped.
    func votedCompletion(_ record: RawRecord) throws -> Result<String, Unmappable> {
        if let c = try record.string("completion") { return c.isEmpty ? .failure(Unmappable(reason: "empty completion")) : .success(c) }
        guard let v = try record.value("completions") else { return .failure(Unmappable(reason: "samples record without completions")) }
        guard let list = v.arrayValue else { throw record.typeError("completions", expected: "a list of strings") }
        let voted = record.has("vote") && !record.isNull("vote")
        guard voted || list.count == 1 else {
            return .failure(Unmappable(reason: "unvoted samples with \(list.count == 0 ? "no" : "several") completions (run vote first)"))
        }
        guard let first = list.first else { return .failure(Unmappable(reason: "samples record without completions")) }
        guard let text = first.stringValue else { throw record.typeError("completions", expected: "a list of strings") }
        return text.isEmpty ? .failure(Unmappable(reason: "empty completion")) : .success(text)
    }
}
