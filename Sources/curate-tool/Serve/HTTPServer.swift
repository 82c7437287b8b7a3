import Curation
import Dispatch
import Foundation

/// A small HTTP/1.1 server over POSIX sockets, enough for an OpenAI-compatible endpoint over a local CPU
/// model, where the model, not the transport, is the bottleneck.
///
/// Why this shape: one event-loop thread (the accept thread) reads every request with `poll`, so a slow
/// or silent client costs a file descriptor and a buffer, never a thread; only a whole parsed request
/// goes to the bounded worker pool (`ServerLimits.maxConnections` threads at most). Each connection has
/// whole deadlines (headers, body, idle keep-alive), not per-`recv` timeouts, so a client sending a byte
/// a second is cut off. `/health` is answered by the loop itself, so it answers while every worker is
/// busy generating. Malformed or oversized requests get a 4xx and never bring the server down.
final class HTTPServer: @unchecked Sendable {
    typealias Request = HTTPRequest
    struct Response {
        var status: Int
        var body: [UInt8]
        var contentType = "application/json"
    }

    static let maxHeaderBytes = 64 * 1024
    let limits: ServerLimits
    let handler: @Sendable (Request) -> Response
    private var listenFD: Int32 = -1
    private(set) var port: Int = 0

    init(limits: ServerLimits = ServerLimits(), handler: @escaping @Sendable (Request) -> Response) {
        self.limits = limits
        self.handler = handler
    }

    /// Binds to `host:port` (port 0 picks a free one; `port` tells which).
    func bind(host: String, port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIFailure(description: "cannot create socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &addr.sin_addr) == 1 else {
            close(fd); throw CLIFailure(description: "not an IPv4 address: \(host)")
        }
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { close(fd); throw CLIFailure(description: "cannot bind \(host):\(port): \(String(cString: strerror(errno)))") }
        guard listen(fd, 128) == 0 else { close(fd); throw CLIFailure(description: "cannot listen: \(String(cString: strerror(errno)))") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = Int(UInt16(bigEndian: bound.sin_port))
        setNonBlocking(fd)
        listenFD = fd
    }

    /// Runs the event loop until the process ends.
    func serveForever() -> Never {
        signal(SIGPIPE, SIG_IGN)
        let loop = ConnectionLoop(server: self, listenFD: listenFD)
        loop.run()
    }

    /// Runs the handler for one parsed request on a worker thread and writes the response within the
    /// body deadline (a client that does not read cannot hold the worker). Returns whether the
    /// connection stays open.
    func respond(_ fd: Int32, _ request: Request) -> Bool {
        let response = handler(request)
        let keepAlive = (request.headers["connection"]?.lowercased() ?? "keep-alive") != "close"
        let sent = HTTPServer.send(fd, response, keepAlive: keepAlive, deadline: Deadline(seconds: limits.bodyTimeout))
        return sent && keepAlive
    }

    static func responseBytes(_ r: Response, keepAlive: Bool) -> [UInt8] {
        let reason = reasons[r.status] ?? "Status"
        var out = Array("HTTP/1.1 \(r.status) \(reason)\r\nContent-Type: \(r.contentType)\r\nContent-Length: \(r.body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n".utf8)
        out.append(contentsOf: r.body)
        return out
    }

    /// Writes the whole response on a non-blocking socket, waiting for room with `poll` until `deadline`.
    @discardableResult
    static func send(_ fd: Int32, _ r: Response, keepAlive: Bool, deadline: Deadline) -> Bool {
        let out = responseBytes(r, keepAlive: keepAlive)
        var off = 0
        while off < out.count {
            let n = out[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { off += n; continue }
            if n < 0, errno == EINTR { continue }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK else { return false }
            let wait = deadline.remainingMilliseconds
            guard wait > 0 else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&p, 1, wait) <= 0 { return false }
        }
        return true
    }

    static let reasons: [Int: String] = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                                         408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
                                         422: "Unprocessable Entity", 431: "Request Header Fields Too Large",
                                         500: "Internal Server Error", 503: "Service Unavailable"]
}

/// The server's bounds (`serve --max-connections`, `--header-timeout`, `--body-timeout`, `--idle-timeout`).
struct ServerLimits: Sendable {
    /// Connections open at once, and the most worker threads.
    var maxConnections = 64
    /// Whole time, from the first byte of a request (or the accept), to receive its headers.
    var headerTimeout: Double = 10
    /// Whole time, after the headers, to receive the body (and to write a response).
    var bodyTimeout: Double = 60
    /// How long a keep-alive connection may wait for its next request.
    var idleTimeout: Double = 30
    var maxBodyBytes = 8 << 20
}

/// A point in time on the monotonic clock.
struct Deadline {
    let nanoseconds: UInt64
    init(seconds: Double) {
        let span = seconds.isFinite ? max(0, min(seconds, 1e9)) : 1e9
        nanoseconds = DispatchTime.now().uptimeNanoseconds &+ UInt64(span * 1e9)
    }
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard nanoseconds > now else { return 0 }
        return Int32(min(UInt64(Int32.max), (nanoseconds - now + 999_999) / 1_000_000))
    }
    var passed: Bool { DispatchTime.now().uptimeNanoseconds >= nanoseconds }
}

func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL, 0)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
}

/// OpenAI-style error bodies: `{"error": {"message", "type", "param", "code"}}`.
enum OpenAIErrors {
    static func body(_ message: String, type: String, param: String? = nil, code: String? = nil) -> [UInt8] {
        var e = JSONObject()
        e["message"] = .string(message)
        e["type"] = .string(type)
        e["param"] = param.map { .string($0) } ?? .null
        e["code"] = code.map { .string($0) } ?? .null
        return JSONWriter.bytes(.object(JSONObject(["error": .object(e)])))
    }
}
