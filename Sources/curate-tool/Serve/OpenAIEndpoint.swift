import Curation
import Foundation

/// Maps OpenAI-compatible requests onto a `Generator`: `/v1/chat/completions`, `/v1/completions`,
/// `/v1/models`, `/health`. Validation errors become OpenAI-style 400s naming the field.
final class OpenAIEndpoint: @unchecked Sendable {
    let generator: Generator
    let modelName: String
    /// Test mode: answer the first N generation requests with 503, so clients' retries can be tested.
    let failFirst: Int
    private var failed = 0
    private let lock = NSLock()
    private var counter = 0

    init(generator: Generator, modelName: String, failFirst: Int = 0) {
        self.generator = generator
        self.modelName = modelName
        self.failFirst = failFirst
    }

    func handle(_ req: HTTPServer.Request) -> HTTPServer.Response {
        let path = req.path.split(separator: "?").first.map(String.init) ?? req.path
        switch (req.method, path) {
        case ("GET", "/health"): return .init(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
        case ("GET", "/v1/models"):
            return .init(status: 200, body: JSONWriter.bytes(.object(JSONObject([
                "object": .string("list"),
                "data": .array([.object(JSONObject(["id": .string(modelName), "object": .string("model"), "owned_by": .string("curate")]))]),
            ]))))
        case ("POST", "/v1/chat/completions"): return generate(req, chat: true)
        case ("POST", "/v1/completions"): return generate(req, chat: false)
        case (_, "/v1/chat/completions"), (_, "/v1/completions"):
            return .init(status: 405, body: OpenAIErrors.body("use POST", type: "invalid_request_error"))
        default:
            return .init(status: 404, body: OpenAIErrors.body("no route \(req.method) \(path)", type: "invalid_request_error"))
        }
    }

    private func bad(_ message: String, param: String? = nil) -> HTTPServer.Response {
        .init(status: 400, body: OpenAIErrors.body(message, type: "invalid_request_error", code: param))
    }

    private func generate(_ req: HTTPServer.Request, chat: Bool) -> HTTPServer.Response {
        lock.lock()
        if failed < failFirst {
            failed += 1; lock.unlock()
            return .init(status: 503, body: OpenAIErrors.body("injected failure \(failed) of \(failFirst)", type: "server_error"))
        }
        counter += 1
        let serial = counter
        lock.unlock()

        let body: JSONValue
        do { body = try JSONParser.parse(req.body) } catch { return bad("request body is not valid JSON: \(error)") }
        guard case .object = body else { return bad("request body must be a JSON object") }
        var request = GenerationRequest(id: "req-\(serial)")
        if chat {
            guard let m = body["messages"] else { return bad("missing required field 'messages'", param: "messages") }
            do { request.messages = try Message.decodeList(m, field: "messages", at: SourceLocation(file: "request", line: 1, offset: 0)) } catch {
                return bad("\(error)", param: "messages")
            }
        } else {
            switch body["prompt"] {
            case .string(let s)?: request.prompt = s
            case .array(let a)? where a.count == 1 && a[0].stringValue != nil: request.prompt = a[0].stringValue
            default: return bad("'prompt' must be a string", param: "prompt")
            }
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let v = body[key], !v.isNull else { return nil }
            guard let d = v.doubleValue, range.contains(d) else { throw CLIFailure(description: "'\(key)' must be a number in \(range)") }
            return d
        }
        do {
            if let n = try number("n", 1...64) { request.samples = Int(n) }
            if let t = try number("max_tokens", 1...32768) { request.maxTokens = Int(t) }
            if let t = try number("max_completion_tokens", 1...32768) { request.maxTokens = Int(t) }
            if let t = try number("temperature", 0...5) { request.temperature = t }
            if let p = try number("top_p", 0...1) { request.topP = p }
            if let s = body["seed"], let v = s.intValue { request.seed = UInt64(bitPattern: Int64(v)) }
        } catch { return bad("\(error)") }
        switch body["stop"] {
        case .string(let s)?: request.stop = [s]
        case .array(let a)?: request.stop = a.compactMap(\.stringValue)
        case nil, .null?: break
        default: return bad("'stop' must be a string or a list of strings", param: "stop")
        }
        if body["stream"]?.boolValue == true { return bad("streaming is not supported by this server", param: "stream") }

        let completions: [Completion]
        do { completions = try generator.generate([request]).first ?? [] } catch {
            return .init(status: 500, body: OpenAIErrors.body("generation failed: \(error)", type: "server_error"))
        }
        var choices: [JSONValue] = []
        var total = 0
        for (i, c) in completions.enumerated() {
            total += c.tokens
            var o = JSONObject()
            o["index"] = .int(i)
            if chat { o["message"] = .object(JSONObject(["role": .string("assistant"), "content": .string(c.text)])) } else { o["text"] = .string(c.text) }
            o["finish_reason"] = .string(c.finishReason)
            o["completion_meta"] = .object(JSONObject(["tokens": .int(c.tokens), "thinking_tokens": .int(c.thinkingTokens),
                                                       "waits": .int(c.waits), "finish_reason": .string(c.finishReason)]))
            choices.append(.object(o))
        }
        var out = JSONObject()
        out["id"] = .string("cmpl-\(serial)")
        out["object"] = .string(chat ? "chat.completion" : "text_completion")
        out["created"] = .int(Int(Date().timeIntervalSince1970))
        out["model"] = .string(modelName)
        out["choices"] = .array(choices)
        out["usage"] = .object(JSONObject(["completion_tokens": .int(total)]))
        return .init(status: 200, body: JSONWriter.bytes(.object(out)))
    }
}
