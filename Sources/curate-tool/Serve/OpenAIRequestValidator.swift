import Curation

/// A client error in an OpenAI-style request: answered with 400 and
/// `{"error": {"message", "type": "invalid_request_error", "param", "code"}}`.
struct OpenAIRequestError: Error, Sendable {
    var message: String
    var param: String?
    var code: String?
    init(_ message: String, param: String? = nil, code: String? = nil) {
        self.message = message; self.param = param; self.code = code
    }
}

/// Turns the body of `/v1/chat/completions` or `/v1/completions` into a `GenerationRequest`, refusing what
/// the OpenAI API refuses (empty `messages`, unknown roles, `content: null`, an empty prompt, numbers of the
/// wrong kind) instead of generating from a request the client did not mean. Kept apart from the endpoint
/// so every rule is in one place and the model-dependent checks (context length) come after these.
enum OpenAIRequestValidator {
    /// Roles a chat template renders; `developer` is OpenAI's newer name for `system`.
    static let roles: Set<String> = ["system", "user", "assistant", "developer"]

    static func request(from bytes: [UInt8], chat: Bool, id: String) -> Result<GenerationRequest, OpenAIRequestError> {
        do { return .success(try parse(bytes, chat: chat, id: id)) } catch let e as OpenAIRequestError {
            return .failure(e)
        } catch {
            return .failure(OpenAIRequestError("\(error)"))
        }
    }

    static func parse(_ bytes: [UInt8], chat: Bool, id: String) throws -> GenerationRequest {
        let body: JSONValue
        do { body = try JSONParser.parse(bytes) } catch { throw OpenAIRequestError("request body is not valid JSON: \(error)") }
        guard case .object = body else { throw OpenAIRequestError("request body must be a JSON object") }
        var request = GenerationRequest(id: id)
        if chat {
            request.messages = try messages(body["messages"])
        } else {
            let prompt: String
            switch body["prompt"] {
            case .string(let s)?: prompt = s
            case .array(let a)? where a.count == 1 && a[0].stringValue != nil: prompt = a[0].stringValue ?? ""
            case nil: throw OpenAIRequestError("missing required field 'prompt'", param: "prompt")
            default: throw OpenAIRequestError("'prompt' must be a string", param: "prompt")
            }
            guard !prompt.isEmpty else { throw OpenAIRequestError("'prompt' must not be empty", param: "prompt") }
            request.prompt = prompt
        }
        if let n = try integer(body, "n", 1...64) { request.samples = n }
        if let t = try integer(body, "max_tokens", 1...32768) { request.maxTokens = t }
        if let t = try integer(body, "max_completion_tokens", 1...32768) { request.maxTokens = t }
        if let t = try number(body, "temperature", 0...5) { request.temperature = t }
        if let p = try number(body, "top_p", 0...1) { request.topP = p }
        if let s = body["seed"], !s.isNull {
            guard case .number = s, let v = s.intValue, let v64 = Int64(exactly: v) else {
                throw OpenAIRequestError("'seed' must be an integer", param: "seed")
            }
            request.seed = UInt64(bitPattern: v64)
        }
        switch body["stop"] {
        case .string(let s)?: request.stop = [s]
        case .array(let a)?:
            guard a.count <= 4, a.allSatisfy({ $0.stringValue != nil }) else {
                throw OpenAIRequestError("'stop' must be a string or a list of at most 4 strings", param: "stop")
            }
            request.stop = a.compactMap(\.stringValue)
        case nil, .null?: break
        default: throw OpenAIRequestError("'stop' must be a string or a list of strings", param: "stop")
        }
        if let stream = body["stream"], !stream.isNull {
            guard let b = stream.boolValue else { throw OpenAIRequestError("'stream' must be a boolean", param: "stream") }
            if b { throw OpenAIRequestError("streaming is not supported by this server", param: "stream") }
        }
        return request
    }

    /// `messages`: a non-empty list of `{"role", "content"}` with a known role and string content (or a
    /// list of text parts), as the OpenAI API requires.
    static func messages(_ value: JSONValue?) throws -> [Message] {
        guard let value else { throw OpenAIRequestError("missing required field 'messages'", param: "messages") }
        guard case .array(let items) = value else {
            throw OpenAIRequestError("'messages' must be a list of messages, found \(value.typeName)", param: "messages")
        }
        guard !items.isEmpty else {
            throw OpenAIRequestError("'messages' must not be empty: give at least one message", param: "messages")
        }
        var out: [Message] = []
        for (i, item) in items.enumerated() {
            let at = "messages[\(i)]"
            guard case .object(let o) = item else {
                throw OpenAIRequestError("\(at) must be an object with role and content, found \(item.typeName)", param: at)
            }
            guard let role = o["role"]?.stringValue else {
                throw OpenAIRequestError("\(at) has no string 'role'", param: "\(at).role")
            }
            guard roles.contains(role) else {
                throw OpenAIRequestError("\(at).role '\(role)' is not supported; use one of system, user, assistant, developer",
                                         param: "\(at).role")
            }
            let content: String
            switch o["content"] {
            case .string(let s)?: content = s
            case .array(let parts)?:
                var texts: [String] = []
                for (k, part) in parts.enumerated() {
                    guard part["type"]?.stringValue == "text", let t = part["text"]?.stringValue else {
                        throw OpenAIRequestError("\(at).content[\(k)] must be a text part {\"type\": \"text\", \"text\": ...}",
                                                 param: "\(at).content")
                    }
                    texts.append(t)
                }
                content = texts.joined(separator: "\n")
            case nil, .null?:
                throw OpenAIRequestError("\(at).content must be a string or a list of text parts, found null", param: "\(at).content")
            case let other?:
                throw OpenAIRequestError("\(at).content must be a string or a list of text parts, found \(other.typeName)",
                                         param: "\(at).content")
            }
            out.append(Message(role: role == "developer" ? "system" : role, content: content))
        }
        return out
    }

    static func number(_ body: JSONValue, _ key: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let v = body[key], !v.isNull else { return nil }
        guard let d = v.doubleValue, range.contains(d) else {
            throw OpenAIRequestError("'\(key)' must be a number in \(range)", param: key)
        }
        return d
    }

    static func integer(_ body: JSONValue, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let v = body[key], !v.isNull else { return nil }
        guard case .number = v, let n = v.intValue, range.contains(n) else {
            throw OpenAIRequestError("'\(key)' must be an integer in \(range)", param: key)
        }
        return n
    }
}
