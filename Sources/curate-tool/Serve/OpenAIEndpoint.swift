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

    /// Checks a valid request against the model (prompt tokens, context length); returns the client
    /// error to answer, or nil. Runs before generation, so these are 400s rather than 500s.
    let contextCheck: (@Sendable (GenerationRequest) throws -> OpenAIRequestError?)?

    init(generator: Generator, modelName: String, failFirst: Int = 0,
         contextCheck: (@Sendable (GenerationRequest) throws -> OpenAIRequestError?)? = nil) {
        self.generator = generator
        self.modelName = modelName
        self.failFirst = failFirst
        self.contextCheck = contextCheck
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

    private func bad(_ message: String, param: String? = nil, code: String? = nil) -> HTTPServer.Response {
        .init(status: 400, body: OpenAIErrors.body(message, type: "invalid_request_error", param: param, code: code))
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

        let request: GenerationRequest
        switch OpenAIRequestValidator.request(from: req.body, chat: chat, id: "req-\(serial)") {
        case .failure(let e): return bad(e.message, param: e.param, code: e.code)
        case .success(let r): request = r
        }
        if let check = contextCheck {
            do {
                if let e = try check(request) { return bad(e.message, param: e.param, code: e.code) }
            } catch {
                return bad("\(error)", param: chat ? "messages" : "prompt")
            }
        }

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
