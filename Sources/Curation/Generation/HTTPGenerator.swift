import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Errors of the OpenAI-compatible HTTP backend.
public enum HTTPGeneratorError: Error, CustomStringConvertible, Sendable {
    case badURL(String)
    case http(status: Int, body: String, url: String)
    case transport(String, url: String)
    case badResponse(String, url: String)

    public var description: String {
        switch self {
        case .badURL(let u): return "not a usable server URL: \(u)"
        case .http(let s, let b, let u): return "\(u): HTTP \(s): \(b.prefix(300))"
        case .transport(let m, let u): return "\(u): \(m)"
        case .badResponse(let m, let u): return "\(u): unexpected response: \(m)"
        }
    }
}

/// A `Generator` that talks to an OpenAI-compatible server (`/v1/chat/completions` for chat requests,
/// `/v1/completions` for raw prompts): vLLM, llama.cpp's server, Ollama, hosted APIs, and our own `serve`.
///
/// At most `concurrency` requests are in flight; 429, 5xx and timeouts are retried with exponential
/// backoff; the API key is read from an environment variable and never logged; with a cache, a request
/// answered before is not sent again.
public final class HTTPGenerator: Generator, @unchecked Sendable {
    public struct Settings: Sendable {
        public var baseURL: String
        public var model: String
        public var apiKeyVariable: String
        public var concurrency: Int
        public var maxRetries: Int
        public var timeout: TimeInterval
        public var initialBackoff: TimeInterval
        public init(baseURL: String, model: String = "default", apiKeyVariable: String = "OPENAI_API_KEY",
                    concurrency: Int = 4, maxRetries: Int = 5, timeout: TimeInterval = 120, initialBackoff: TimeInterval = 0.5) {
            self.baseURL = baseURL; self.model = model; self.apiKeyVariable = apiKeyVariable; self.concurrency = concurrency
            self.maxRetries = maxRetries; self.timeout = timeout; self.initialBackoff = initialBackoff
        }
    }

    public let settings: Settings
    public let cache: RequestCache?
    private let session: URLSession
    private let lock = NSLock()
    /// Requests actually sent over the network (retries included); cache hits are not counted.
    public private(set) var requestsSent = 0
    public private(set) var cacheHits = 0

    public var name: String { "openai:\(settings.baseURL)" }

    public init(settings: Settings, cache: RequestCache? = nil) throws {
        guard URL(string: settings.baseURL)?.scheme != nil else { throw HTTPGeneratorError.badURL(settings.baseURL) }
        self.settings = settings
        self.cache = cache
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = settings.timeout
        config.httpMaximumConnectionsPerHost = max(1, settings.concurrency)
        session = URLSession(configuration: config)
    }

    /// The request body for one generation request (deterministic, so it can key the cache).
    public func body(for r: GenerationRequest) -> (endpoint: String, body: JSONValue) {
        var o = JSONObject()
        o["model"] = .string(settings.model)
        let endpoint: String
        if let messages = r.messages {
            endpoint = "/v1/chat/completions"
            o["messages"] = Message.encodeList(messages)
        } else {
            endpoint = "/v1/completions"
            o["prompt"] = .string(r.prompt ?? "")
        }
        o["n"] = .int(r.samples)
        o["max_tokens"] = .int(r.maxTokens)
        o["temperature"] = .double(r.temperature)
        o["top_p"] = .double(r.topP)
        o["seed"] = .number(String(r.seed))
        if !r.stop.isEmpty { o["stop"] = .array(r.stop.map { .string($0) }) }
        return (endpoint, .object(o))
    }

    public func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        var results = [Result<[Completion], Error>?](repeating: nil, count: requests.count)
        let limit = max(1, settings.concurrency)
        let resultsLock = NSLock()
        DispatchQueue.concurrentPerform(iterations: min(limit, max(1, requests.count))) { worker in
            var i = worker
            while i < requests.count {
                let r: Result<[Completion], Error>
                do { r = .success(try self.generateOne(requests[i])) } catch { r = .failure(error) }
                resultsLock.lock(); results[i] = r; resultsLock.unlock()
                i += limit
            }
        }
        return try results.map { try ($0 ?? .failure(HTTPGeneratorError.transport("not run", url: settings.baseURL))).get() }
    }

    func generateOne(_ r: GenerationRequest) throws -> [Completion] {
        let (endpoint, body) = body(for: r)
        let key = RequestCache.key(for: body, endpoint: endpoint)
        if let cache, let hit = try cache.lookup(key) {
            lock.lock(); cacheHits += 1; lock.unlock()
            return try parse(hit, chat: r.messages != nil, url: settings.baseURL + endpoint)
        }
        let text = try send(endpoint: endpoint, body: JSONWriter.bytes(body))
        let completions = try parse(text, chat: r.messages != nil, url: settings.baseURL + endpoint)
        try cache?.store(key, request: JSONWriter.string(body), response: text)
        return completions
    }

    private func send(endpoint: String, body: [UInt8]) throws -> String {
        let base = settings.baseURL.hasSuffix("/") ? String(settings.baseURL.dropLast()) : settings.baseURL
        let path = base.hasSuffix("/v1") ? base + endpoint.dropFirst(3) : base + endpoint
        guard let url = URL(string: path) else { throw HTTPGeneratorError.badURL(path) }
        var attempt = 0
        while true {
            var req = URLRequest(url: url)
            req.httpMethod = "POST"
            req.httpBody = Data(body)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let key = ProcessInfo.processInfo.environment[settings.apiKeyVariable], !key.isEmpty {
                req.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            }
            lock.lock(); requestsSent += 1; lock.unlock()
            let (status, data, error) = roundTrip(req)
            let retryable = error != nil || status == 429 || (500...599).contains(status)
            if !retryable {
                let text = String(decoding: data, as: UTF8.self)
                guard (200...299).contains(status) else { throw HTTPGeneratorError.http(status: status, body: text, url: path) }
                return text
            }
            attempt += 1
            if attempt > settings.maxRetries {
                if let error { throw HTTPGeneratorError.transport("\(error.localizedDescription) (after \(attempt) attempts)", url: path) }
                throw HTTPGeneratorError.http(status: status, body: String(decoding: data, as: UTF8.self), url: path)
            }
            Thread.sleep(forTimeInterval: settings.initialBackoff * pow(2, Double(attempt - 1)))
        }
    }

    private func roundTrip(_ req: URLRequest) -> (Int, Data, Error?) {
        final class Box: @unchecked Sendable { var value: (Int, Data, Error?) = (0, Data(), nil) }
        let sem = DispatchSemaphore(value: 0)
        let box = Box()
        let task = session.dataTask(with: req) { data, response, error in
            box.value = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data(), error)
            sem.signal()
        }
        task.resume()
        sem.wait()
        return box.value
    }

    private func parse(_ text: String, chat: Bool, url: String) throws -> [Completion] {
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch { throw HTTPGeneratorError.badResponse("not JSON: \(text.prefix(200))", url: url) }
        guard let choices = v["choices"]?.arrayValue else { throw HTTPGeneratorError.badResponse("no choices", url: url) }
        let perChoiceTokens = (v["usage"]?["completion_tokens"]?.intValue).map { $0 / max(1, choices.count) }
        return try choices.map { c in
            let content = chat ? c["message"]?["content"]?.stringValue : c["text"]?.stringValue
            guard let content else { throw HTTPGeneratorError.badResponse("a choice has no text", url: url) }
            let meta = c["completion_meta"]
            return Completion(text: content,
                              tokens: meta?["tokens"]?.intValue ?? perChoiceTokens ?? 0,
                              thinkingTokens: meta?["thinking_tokens"]?.intValue ?? 0,
                              waits: meta?["waits"]?.intValue ?? 0,
                              finishReason: c["finish_reason"]?.stringValue ?? "stop")
        }
    }
}
