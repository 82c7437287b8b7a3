import Curation
import Dispatch
import Foundation

/// A small HTTP/1.1 server over POSIX sockets: one thread per connection, keep-alive, bounded header and
/// body sizes. Enough for an OpenAI-compatible endpoint over a local CPU model, where the model, not
/// the transport, is the bottleneck. Malformed or oversized requests get a 4xx and never bring it down.
final class HTTPServer: @unchecked Sendable {
    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
    }
    struct Response {
        var status: Int
        var body: [UInt8]
        var contentType = "application/json"
    }

    static let maxHeaderBytes = 64 * 1024
    let maxBodyBytes: Int
    let handler: @Sendable (Request) -> Response
    private var listenFD: Int32 = -1
    private(set) var port: Int = 0

    init(maxBodyBytes: Int = 8 << 20, handler: @escaping @Sendable (Request) -> Response) {
        self.maxBodyBytes = maxBodyBytes
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
        guard listen(fd, 64) == 0 else { close(fd); throw CLIFailure(description: "cannot listen: \(String(cString: strerror(errno)))") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = Int(UInt16(bigEndian: bound.sin_port))
        listenFD = fd
    }

    /// Accepts connections until the process ends.
    func serveForever() -> Never {
        signal(SIGPIPE, SIG_IGN)
        while true {
            let c = accept(listenFD, nil, nil)
            if c < 0 { continue }
            let t = Thread { [self] in self.serveConnection(c) }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    private func serveConnection(_ fd: Int32) {
        defer { close(fd) }
        var tv = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        while true {
            switch readRequest(fd, &buffer) {
            case .closed: return
            case .bad(let status, let message):
                send(fd, Response(status: status, body: OpenAIErrors.body(message, type: "invalid_request_error")), keepAlive: false)
                return
            case .request(let req):
                let response = handler(req)
                let keepAlive = (req.headers["connection"]?.lowercased() ?? "keep-alive") != "close"
                send(fd, response, keepAlive: keepAlive)
                if !keepAlive { return }
            }
        }
    }

    private enum ReadResult { case request(Request), bad(Int, String), closed }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> ReadResult {
        // Headers end at CRLF CRLF.
        var headerEnd: Int?
        while headerEnd == nil {
            if let r = findHeaderEnd(buffer) { headerEnd = r; break }
            if buffer.count > HTTPServer.maxHeaderBytes { return .bad(431, "request headers too large") }
            if !fill(fd, &buffer) { return buffer.isEmpty ? .closed : .bad(400, "connection closed inside the request headers") }
        }
        guard let end = headerEnd else { return .closed }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .bad(400, "malformed request line") }
        var headers: [String: String] = [:]
        for l in lines where !l.isEmpty {
            guard let colon = l.firstIndex(of: ":") else { return .bad(400, "malformed header line") }
            headers[l[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["transfer-encoding"] != nil { return .bad(411, "chunked request bodies are not supported; send Content-Length") }
        let length: Int
        if let cl = headers["content-length"] {
            guard let n = Int(cl), n >= 0 else { return .bad(400, "invalid Content-Length") }
            length = n
        } else { length = 0 }
        if length > maxBodyBytes { return .bad(413, "request body larger than \(maxBodyBytes) bytes") }
        let bodyStart = end + 4
        while buffer.count < bodyStart + length {
            if !fill(fd, &buffer) { return .bad(400, "connection closed inside the request body") }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return .request(Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body))
    }

    private func findHeaderEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    private func send(_ fd: Int32, _ r: Response, keepAlive: Bool) {
        let reason = HTTPServer.reasons[r.status] ?? "Status"
        var out = Array("HTTP/1.1 \(r.status) \(reason)\r\nContent-Type: \(r.contentType)\r\nContent-Length: \(r.body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n".utf8)
        out.append(contentsOf: r.body)
        var off = 0
        while off < out.count {
            let n = out[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    static let reasons: [Int: String] = [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                                         411: "Length Required", 413: "Payload Too Large", 422: "Unprocessable Entity",
                                         431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable"]
}

/// OpenAI-style error bodies: `{"error": {"message", "type", "code"}}`.
enum OpenAIErrors {
    static func body(_ message: String, type: String, code: String? = nil) -> [UInt8] {
        var e = JSONObject()
        e["message"] = .string(message)
        e["type"] = .string(type)
        e["code"] = code.map { .string($0) } ?? .null
        return JSONWriter.bytes(.object(JSONObject(["error": .object(e)])))
    }
}
