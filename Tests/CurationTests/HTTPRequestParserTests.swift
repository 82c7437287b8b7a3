import Curation
import Testing

@Suite struct HTTPRequestParserTests {
    func parse(_ s: String, maxHeader: Int = 1024, maxBody: Int = 100) -> HTTPParseResult {
        HTTPRequestParser.parse(Array(s.utf8), maxHeaderBytes: maxHeader, maxBodyBytes: maxBody)
    }

    func status(_ r: HTTPParseResult) -> Int? { if case .bad(let s, _) = r { return s }; return nil }

    @Test func wholeRequestWithBodyAndPipelinedRest() throws {
        let text = "POST /v1/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Thing:  spaced  \r\n\r\nhelloGET /health HTTP/1.1\r\n\r\n"
        guard case .request(let r, let consumed) = parse(text) else { Issue.record("not parsed"); return }
        #expect(r.method == "POST" && r.path == "/v1/completions?x=1")
        #expect(r.headers["content-length"] == "5" && r.headers["x-thing"] == "spaced" && r.headers["host"] == "a")
        #expect(r.body == Array("hello".utf8))
        let rest = Array(Array(text.utf8)[consumed...])
        guard case .request(let second, let used) = HTTPRequestParser.parse(rest, maxHeaderBytes: 1024, maxBodyBytes: 100) else {
            Issue.record("second request not parsed"); return
        }
        #expect(second.method == "GET" && second.path == "/health" && second.body.isEmpty && used == rest.count)
    }

    @Test func incompleteUntilEveryByteIsThere() {
        let text = Array("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc".utf8)
        for n in 0..<text.count {
            guard case .incomplete = HTTPRequestParser.parse(Array(text[0..<n]), maxHeaderBytes: 1024, maxBodyBytes: 100) else {
                Issue.record("prefix of \(n) bytes is not incomplete"); return
            }
        }
        #expect(HTTPRequestParser.headerLength(Array(text[0..<10]), maxHeaderBytes: 1024) == nil)
        #expect(HTTPRequestParser.headerLength(text, maxHeaderBytes: 1024) == text.count - 3)
    }

    @Test func refusals() {
        #expect(status(parse("NOT HTTP AT ALL\r\n\r\n")) == 400)
        #expect(status(parse("GET /\r\n\r\n")) == 400)
        #expect(status(parse("GET / HTTP/1.1\r\nno colon here\r\n\r\n")) == 400)
        #expect(status(parse("GET / HTTP/1.1\r\n folded: x\r\n\r\n")) == 400)
        #expect(status(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")) == 411)
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")) == 400)
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n")) == 400)
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")) == 400)
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n")) == 413)
        #expect(status(parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n")) == 413)
        // Headers past the limit, with or without their end in the buffer.
        #expect(status(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000))) == 431)
        #expect(status(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n")) == 431)
    }

    @Test func arbitraryBytesNeverTrap() {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("GET POST / HTTP/1.1\r\n:Content-Length 0123456789\u{0}\u{ff}".utf8)
        for _ in 0..<3000 {
            let n = Int(rng.next() % 120)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            switch HTTPRequestParser.parse(bytes, maxHeaderBytes: 64, maxBodyBytes: 16) {
            case .request(let r, let consumed): #expect(consumed <= bytes.count && r.body.count <= 16)
            case .bad(let s, _): #expect(s >= 400 && s < 500)
            case .incomplete: #expect(bytes.count <= 64 + 4 + 16)
            }
        }
    }
}
