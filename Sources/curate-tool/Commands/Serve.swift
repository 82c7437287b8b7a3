import ArgumentParser
import Curation
import Foundation
import Trainer

/// `curate-tool serve`: an OpenAI-compatible server (`/v1/chat/completions`, `/v1/completions`,
/// `/v1/models`, `/health`) over a local model, bound to 127.0.0.1 by default.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a local model over an OpenAI-compatible HTTP API.",
        discussion: """
        Requests may set n, temperature, top_p, max_tokens, stop and seed; streaming is not supported. \
        Bad requests get OpenAI-style JSON errors with 4xx codes. Prints `listening on http://HOST:PORT` on \
        stderr and `port: PORT` on stdout once bound (--port 0 picks a free port). --fail-first N answers the \
        first N generation requests with 503 (for testing clients' retries).
        """
    )

    @Option(name: .long, help: "Model folder or GGUF file.")
    var model: String

    @Option(name: .long, help: "Address to bind (default loopback only).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port (0: any free port).")
    var port = 8000

    @Option(name: .long, help: "Model name reported by /v1/models and in responses (default: the path's last component).")
    var name: String?

    @Option(name: .long, help: "Answer the first N generation requests with 503 (testing).")
    var failFirst = 0

    @Option(name: .long, help: "Largest request body accepted, in bytes (larger ones get 413).")
    var maxBodyBytes = 8_000_000

    @Option(name: .long, help: "Most connections open at once, and most worker threads (a new client at the cap displaces the oldest one still sending its request).")
    var maxConnections = 64

    @Option(name: .long, help: "Seconds a client has to send a request's headers (a whole deadline, not per read).")
    var headerTimeout = 10.0

    @Option(name: .long, help: "Seconds a client has to send a request's body once the headers are in (and to read the response).")
    var bodyTimeout = 60.0

    @Option(name: .long, help: "Seconds an idle keep-alive connection stays open.")
    var idleTimeout = 30.0

    @Option(name: .long, help: "Top-k for every request (0 = off).")
    var topK = 0

    @Option(name: .long, help: "Samples decoded together.")
    var batch = 8

    @OptionGroup var budget: BudgetFlags
    @OptionGroup var decodeThreads: DecodeThreadsFlags

    @Flag(name: .long, help: "Decode from a GGUF's Q4_0/Q4_1/Q8_0 blocks bitwise as from its fp32 weights (slower; default: int16 activations and integer dot products, within the README's tolerance).")
    var exact = false

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
        if failFirst < 0 { throw ValidationError("--fail-first must be >= 0") }
        if maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be at least 1024") }
        if !(1...4096).contains(maxConnections) { throw ValidationError("--max-connections must be 1-4096") }
        for (flag, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)]
        where !(value.isFinite && value > 0 && value <= 86400) {
            throw ValidationError("\(flag) must be a number of seconds in (0, 86400]")
        }
    }

    func run() throws {
        // A parent may have blocked SIGTERM/SIGINT (a test runner does; the mask is inherited): unblock
        // them so the server can always be stopped.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM); sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let gen = try LocalModel.open(model, topK: topK, batch: batch, budget: try budget.budget(), threads: decodeThreads.threads, exact: exact)
        let modelName = name ?? (model as NSString).lastPathComponent
        let endpoint = OpenAIEndpoint(generator: SerializedGenerator(gen), modelName: modelName, failFirst: failFirst,
                                      contextCheck: Serve.contextCheck(gen))
        let limits = ServerLimits(maxConnections: maxConnections, headerTimeout: headerTimeout, bodyTimeout: bodyTimeout,
                                  idleTimeout: idleTimeout, maxBodyBytes: maxBodyBytes)
        let server = HTTPServer(limits: limits) { endpoint.handle($0) }
        try server.bind(host: host, port: port)
        Console.info("listening on http://\(host):\(server.port) (model \(modelName))")
        print("port: \(server.port)")
        fflush(stdout)
        server.serveForever()
    }
}

extension Serve {
    /// The model-dependent client errors, found before generation: a prompt that renders to no tokens, a
    /// prompt that fills the context, and `max_tokens` that would run past it (OpenAI's
    /// `context_length_exceeded`).
    static func contextCheck(_ gen: LocalGenerator) -> @Sendable (GenerationRequest) throws -> OpenAIRequestError? {
        let context = gen.decoder.model.config.maxPositionEmbeddings
        nonisolated(unsafe) let gen = gen
        return { request in
            let param = request.messages != nil ? "messages" : "prompt"
            let n = try gen.promptTokens(for: request).ids.count
            if n == 0 { return OpenAIRequestError("the \(param) renders to no tokens", param: param) }
            // Two positions of slack, as the decoder reserves them.
            if n + 2 >= context {
                return OpenAIRequestError("the \(param) is \(n) tokens; this model's context is \(context) tokens", param: param,
                                          code: "context_length_exceeded")
            }
            if n + request.maxTokens + 2 > context {
                return OpenAIRequestError("max_tokens \(request.maxTokens) plus the \(param)'s \(n) tokens exceed this model's context of "
                                          + "\(context) tokens (at most \(context - n - 2) new tokens fit)", param: "max_tokens",
                                          code: "context_length_exceeded")
            }
            return nil
        }
    }
}

/// One request at a time through the model: requests run on worker threads, but the cores are
/// better spent on one batched decode than on several competing ones.
final class SerializedGenerator: Generator, @unchecked Sendable {
    let inner: Generator
    private let lock = NSLock()
    init(_ inner: Generator) { self.inner = inner }
    var name: String { inner.name }
    func generate(_ requests: [GenerationRequest]) throws -> [[Completion]] {
        lock.lock()
        defer { lock.unlock() }
        return try inner.generate(requests)
    }
}
