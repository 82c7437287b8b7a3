/// One chat turn. `content` may be given as a string or as OpenAI-style parts
/// (`[{"type": "text", "text": ...}]`), whose text parts are joined.
public struct Message: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) { self.role = role; self.content = content }

    public var json: JSONValue {
        .object(JSONObject([.init(key: "role", value: .string(role)), .init(key: "content", value: .string(content))]))
    }

    /// Decodes a `messages` array; errors name the turn and the field.
    public static func decodeList(_ value: JSONValue, field: String, at location: SourceLocation) throws -> [Message] {
        guard case .array(let items) = value else {
            throw CurationError.badRecord(location, reason: "field \"\(field)\" should be a list of messages, found \(value.typeName)", kind: .wrongType)
        }
        var out: [Message] = []
        out.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            guard case .object(let o) = item else {
                throw CurationError.badRecord(location, reason: "\(field)[\(n)] should be an object with role and content, found \(item.typeName)", kind: .wrongType)
            }
            // ShareGPT turns (`{"from": "human"|"gpt"|"system", "value"}`) read as role and content.
            let shareGPT = o["role"] == nil && o["from"] != nil
            guard let role = shareGPT ? o["from"]?.stringValue.map(Message.shareGPTRole) : o["role"]?.stringValue else {
                throw CurationError.badRecord(location, reason: "\(field)[\(n)] has no string \"role\"")
            }
            let content: String
            switch shareGPT ? o["value"] : o["content"] {
            case .string(let s)?: content = s
            case .null?, nil: content = ""
            case .array(let parts)?:
                content = parts.compactMap { $0["text"]?.stringValue ?? $0.stringValue }.joined(separator: "\n")
            case let other?:
                throw CurationError.badRecord(location, reason: "\(field)[\(n)].content should be a string, found \(other.typeName)", kind: .wrongType)
            }
            out.append(Message(role: role, content: content))
        }
        return out
    }

    /// ShareGPT speaker names as chat roles: human -> user, gpt -> assistant; others (system, tool) as written.
    static func shareGPTRole(_ from: String) -> String {
        switch from {
        case "human", "user": return "user"
        case "gpt", "assistant", "model": return "assistant"
        default: return from
        }
    }

    public static func encodeList(_ messages: [Message]) -> JSONValue { .array(messages.map(\.json)) }
}
