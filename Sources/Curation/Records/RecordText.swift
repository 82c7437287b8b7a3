/// The one place that says which text of a record counts, per schema, for n-grams, token counts and
/// hashing. Decontamination, dedupe, stats and token budgets all call this, so they agree.
public enum RecordText {
    /// The record's text under its schema (DESIGN.md section 4; issue 3 for what decontamination reads):
    /// document `text`; chat: every message's content; preference: prompt + chosen + rejected;
    /// verifiable: prompt or messages + response; samples: prompt + completions; persona: prompt +
    /// messages; s1 pool: question + thinking + attempt; prompt: prompt. Parts are joined by newlines.
    public static func text(of record: RawRecord, schema: Schema? = nil) throws -> String {
        switch schema ?? Schema.detect(record) {
        case .document: return try record.string("text") ?? ""
        case .chat: return try join(record, ["messages", "conversations"])
        case .preference: return try preferenceText(record)
        case .verifiable: return try join(record, ["prompt", "messages", "response"])
        case .samples: return try join(record, ["prompt", "messages", "completions", "completion"])
        case .persona: return try join(record, ["prompt", "messages"])
        case .s1Pool: return try join(record, ["question", "thinking", "attempt"])
        case .prompt: return try join(record, ["prompt"])
        case .unknown: return try join(record, ["text", "content", "prompt", "question"])
        }
    }

    /// The text of chosen fields, in the order given: strings as they are, message lists by their
    /// contents, lists of strings joined; absent fields add nothing. Used by `--fields` overrides.
    public static func join(_ record: RawRecord, _ fields: [String]) throws -> String {
        var parts: [String] = []
        for f in fields {
            guard let v = try record.value(f) else { continue }
            try append(v, field: f, record: record, into: &parts)
        }
        return parts.joined(separator: "\n")
    }

    /// Fields that hold a list of chat messages in every schema that has them.
    static let messageListFields: Set<String> = ["messages", "chosen", "rejected", "conversations"]

    static func append(_ v: JSONValue, field: String, record: RawRecord, into parts: inout [String]) throws {
        if messageListFields.contains(field), !v.isNull, v.arrayValue == nil {
            throw CurationError.badRecord(record.location, reason: "field \"\(field)\" should be a list of messages, found \(v.typeName)", kind: .wrongType)
        }
        switch v {
        case .string(let s): parts.append(s)
        case .null: break
        case .array(let items):
            for item in items {
                switch item {
                case .string(let s): parts.append(s)
                case .object: // a message
                    for m in try Message.decodeList(.array([item]), field: field, at: record.location) { parts.append(m.content) }
                default: break
                }
            }
        case .number(let n): parts.append(n)
        default:
            throw CurationError.badRecord(record.location, reason: "field \"\(field)\" should be text (a string, or a list of strings or messages), found \(v.typeName)", kind: .wrongType)
        }
    }

    /// Preference text: the shared prompt turns once, then both final completions. Works for the Tulu 3
    /// layout (whole conversations) and the TRL layout (prompt separate, completions only).
    static func preferenceText(_ record: RawRecord) throws -> String {
        let pref = try Preference(record: record)
        var parts = pref.promptTurns.map(\.content)
        parts.append(contentsOf: pref.chosenCompletion.map(\.content))
        parts.append(contentsOf: pref.rejectedCompletion.map(\.content))
        return parts.joined(separator: "\n")
    }
}

/// A preference pair normalised to the Tulu 3 layout: the prompt turns both sides share, then each
/// side's completion turns (DPO scores only the final assistant turn).
public struct Preference: Sendable, Hashable {
    public var promptTurns: [Message]
    public var chosenCompletion: [Message]
    public var rejectedCompletion: [Message]

    public var chosen: [Message] { promptTurns + chosenCompletion }
    public var rejected: [Message] { promptTurns + rejectedCompletion }

    public init(promptTurns: [Message], chosenCompletion: [Message], rejectedCompletion: [Message]) {
        self.promptTurns = promptTurns; self.chosenCompletion = chosenCompletion; self.rejectedCompletion = rejectedCompletion
    }

    /// Reads either layout. TRL: `prompt` (string or messages), `chosen`/`rejected` holding the completion
    /// (string or messages). Tulu 3: `chosen`/`rejected` are whole conversations with a shared prefix.
    public init(record: RawRecord) throws {
        let loc = record.location
        func turns(_ field: String, defaultRole: String) throws -> [Message] {
            guard let v = try record.value(field) else { throw record.missing(field) }
            if case .string(let s) = v { return [Message(role: defaultRole, content: s)] }
            return try Message.decodeList(v, field: field, at: loc)
        }
        let chosen = try turns("chosen", defaultRole: "assistant")
        let rejected = try turns("rejected", defaultRole: "assistant")
        var prompt: [Message] = []
        if let p = try record.value("prompt"), !p.isNull {
            if case .string(let s) = p { prompt = [Message(role: "user", content: s)] } else {
                prompt = try Message.decodeList(p, field: "prompt", at: loc)
            }
        }
        // Tulu layout: strip the prefix both sides share (and a prompt field repeated inside them).
        var shared = 0
        while shared < chosen.count - 1, shared < rejected.count - 1, chosen[shared] == rejected[shared] { shared += 1 }
        if shared > 0 || prompt.isEmpty {
            self.promptTurns = shared > 0 ? Array(chosen[..<shared]) : prompt
            self.chosenCompletion = Array(chosen[shared...])
            self.rejectedCompletion = Array(rejected[shared...])
        } else {
            self.promptTurns = prompt
            self.chosenCompletion = chosen
            self.rejectedCompletion = rejected
        }
        guard !chosenCompletion.isEmpty, !rejectedCompletion.isEmpty else {
            throw CurationError.badRecord(loc, reason: "preference record has an empty chosen or rejected side")
        }
    }
}
