/// One parsed HTTP/1.1 request: the method, the target path (query included), headers with lower-cased
/// names, and the body (exactly `Content-Length` bytes).
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// What the bytes received so far amount to: not yet a whole request, a whole request (and how many
/// bytes of the buffer it used, so a keep-alive connection can keep the rest), or a request the server
/// must refuse with `status`.
public enum HTTPParseResult: Sendable {
    case incomplete
    case request(HTTPRequest, consumed: Int)
    case bad(status: Int, message: String)
}

/// Parses HTTP/1.1 requests from a byte buffer. A pure function over the bytes received so far, so the
/// server's loop is `recv` + `parse` until the result is not `.incomplete`, and a fuzzer can drive it
/// directly. It never traps on any input: sizes are bounded before anything is allocated for them, and
/// only what HTTP/1.1 allows a small JSON API to accept is accepted (no chunked bodies, no obsolete
/// line folding, one Content-Length).
public enum HTTPRequestParser {
    public static func parse(_ buffer: [UInt8], maxHeaderBytes: Int, maxBodyBytes: Int) -> HTTPParseResult {
        guard let headerEnd = findHeaderEnd(buffer, limit: maxHeaderBytes) else {
            return buffer.count > maxHeaderBytes ? .bad(status: 431, message: "request headers larger than \(maxHeaderBytes) bytes") : .incomplete
        }
        let lines = splitLines(buffer, end: headerEnd)
        guard let requestLine = lines.first else { return .bad(status: 400, message: "malformed request line") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[2].hasPrefix("HTTP/1."),
              parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") })
        else { return .bad(status: 400, message: "malformed request line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .bad(status: 400, message: "malformed header line (no colon)") }
            if line.first == " " || line.first == "\t" { return .bad(status: 400, message: "folded header lines are not supported") }
            let name = trimmed(line[..<colon]).lowercased()
            let value = trimmed(line[line.index(after: colon)...])
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else { return .bad(status: 400, message: "malformed header name") }
            if name == "content-length", let previous = headers[name], previous != value {
                return .bad(status: 400, message: "conflicting Content-Length headers")
            }
            headers[name] = value
        }
        if headers["transfer-encoding"] != nil {
            return .bad(status: 411, message: "chunked request bodies are not supported; send Content-Length")
        }
        var length = 0
        if let text = headers["content-length"] {
            // Digits only (no sign, no spaces), and compared against the limit before any addition, so a
            // huge value can neither overflow nor make the caller wait for bytes it will refuse anyway.
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return .bad(status: 400, message: "invalid Content-Length")
            }
            guard text.utf8.count <= 18, let n = Int(text), n <= maxBodyBytes else {
                return .bad(status: 413, message: "request body larger than \(maxBodyBytes) bytes")
            }
            length = n
        }
        let bodyStart = headerEnd + 4
        guard buffer.count - bodyStart >= length else { return .incomplete }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        let request = HTTPRequest(method: String(parts[0]), path: String(parts[1]), headers: headers, body: body)
        return .request(request, consumed: bodyStart + length)
    }

    /// The length of the header block (through its closing blank line) once it is all in `buffer`, or nil:
    /// lets a server move from its header deadline to its body deadline.
    public static func headerLength(_ buffer: [UInt8], maxHeaderBytes: Int) -> Int? {
        findHeaderEnd(buffer, limit: maxHeaderBytes).map { $0 + 4 }
    }

    /// The index of the first CR LF CR LF, looked for only within the first `limit + 4` bytes (the header
    /// limit bounds the scan, whatever the buffer holds).
    static func findHeaderEnd(_ b: [UInt8], limit: Int) -> Int? {
        let last = min(b.count, max(0, limit) + 4) - 4
        guard last >= 0 else { return nil }
        var i = 0
        while i <= last {
            if b[i] == 13, b[i + 1] == 10, b[i + 2] == 13, b[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    /// The header block split at CR LF (a bare LF also ends a line, as most servers accept). Split on
    /// bytes, not Characters: in Swift "\r\n" is one Character, which no "\n" split would find.
    static func splitLines(_ b: [UInt8], end: Int) -> [Substring] {
        b[0..<end].split(separator: 10, omittingEmptySubsequences: false).map { line in
            let bytes = line.last == 13 ? line.dropLast() : line
            return Substring(String(decoding: bytes, as: UTF8.self))
        }
    }

    static func trimmed(_ s: Substring) -> String {
        var t = s
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        return String(t)
    }
}
