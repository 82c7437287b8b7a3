import Curation
import Foundation
import TestDependencies
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `curate-tool serve` process on loopback for one test; killed by `stop()`.
final class ServeProcess {
    let process = Process()
    let port: Int

    init(_ extra: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--model", CLI.fixture("generation/tiny-chatml"), "--port", "0"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is `port: N`.
        var line = Data()
        let h = out.fileHandleForReading
        while !line.contains(0x0A) {
            let d = h.availableData
            if d.isEmpty { break }
            line.append(d)
        }
        let text = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard text.hasPrefix("port: "), let p = Int(text.dropFirst(6)) else {
            process.terminate()
            throw URLError(.cannotConnectToHost)
        }
        port = p
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends raw bytes on a new connection; returns the status code and body of the response.
    func raw(_ request: [UInt8]) -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { return (0, "") }
        var sent = 0
        request.withUnsafeBytes { p in
            while sent < request.count {
                let n = send(fd, p.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                sent += n
            }
        }
        var resp: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        // Connection: close, so the response ends at EOF; a timeout keeps a broken server from hanging the test.
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            resp += buf[0..<n]
        }
        let text = String(decoding: resp, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    func post(_ path: String, _ body: String, extraHeaders: String = "") -> (status: Int, body: String) {
        let b = Array(body.utf8)
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(b.count)\r\nConnection: close\r\n\(extraHeaders)\r\n"
        return raw(Array(head.utf8) + b)
    }
}

@Suite(.serialized) struct ServeCLITests {
    @Test func httpGeneratorRetriesAndResumesFromTheCache() throws {
        let server = try ServeProcess(["--fail-first", "2"])
        let dir = CLI.tempDir("serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cachePath = dir + "/cache.sqlite"
        let reqs = [GenerationRequest(id: "a", messages: [Message(role: "user", content: "hi")], samples: 2, maxTokens: 5, temperature: 0.8, seed: 1),
                    GenerationRequest(id: "b", prompt: "abc", samples: 1, maxTokens: 4, temperature: 0, seed: 2)]
        let first: [[Completion]]
        do {
            let gen = try HTTPGenerator(settings: .init(baseURL: server.baseURL, model: "tiny", concurrency: 1, maxRetries: 4, timeout: 30,
                                                        initialBackoff: 0.01), cache: try RequestCache(path: cachePath))
            first = try gen.generate(reqs)
            #expect(gen.requestsSent >= 4)  // two injected 503s were retried
            #expect(first[0].count == 2 && first[1].count == 1)
            for c in first.joined() { #expect(c.tokens >= 0 && c.tokens <= 5) }
        }
        server.stop()
        // Second run: the server is gone, every answer comes from the cache.
        let again = try HTTPGenerator(settings: .init(baseURL: server.baseURL, model: "tiny", concurrency: 1, maxRetries: 0, timeout: 5),
                                      cache: try RequestCache(path: cachePath))
        let second = try again.generate(reqs)
        #expect(again.requestsSent == 0)
        #expect(again.cacheHits == 2)
        #expect(second == first)
    }

    @Test func badRequestsGetOpenAIErrorsAndTheServerStaysUp() throws {
        let server = try ServeProcess(["--max-body-bytes", "4096"])
        defer { server.stop() }
        let malformed = server.post("/v1/chat/completions", "{\"messages\": [")
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("\"error\"") && malformed.body.contains("invalid_request_error"))
        let missing = server.post("/v1/chat/completions", "{\"model\": \"x\"}")
        #expect(missing.status == 400 && missing.body.contains("messages"))
        let badTemp = server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 9}")
        #expect(badTemp.status == 400)
        let huge = server.post("/v1/completions", "{\"prompt\": \"" + String(repeating: "a", count: 20000) + "\"}")
        #expect(huge.status == 413)
        let garbage = server.raw(Array("NOT HTTP AT ALL\r\n\r\n".utf8))
        #expect(garbage.status >= 400 && garbage.status < 500)
        // Still serving.
        let ok = server.post("/v1/completions", "{\"prompt\": \"abc\", \"max_tokens\": 3, \"n\": 2, \"seed\": 4}")
        #expect(ok.status == 200)
        guard case .object(let o) = try JSONParser.parse(Array(ok.body.utf8)) else { Issue.record("not JSON"); return }
        #expect(o["choices"]?.arrayValue?.count == 2)
        #expect(o["choices"]?.arrayValue?.first?["completion_meta"]?["tokens"]?.intValue ?? 99 <= 3)
    }

    /// Needs a Python with the openai package (CURATE_OPENAI_PYTHON, set by scripts/fetch-test-deps.sh).
    @Test(.requires(TestDependencies.openAIPython))
    func pythonOpenAIClient() throws {
        let python = try TestDependencies.openAIPython.require()
        let server = try ServeProcess()
        defer { server.stop() }
        let script = """
        import openai, sys
        c = openai.OpenAI(base_url=sys.argv[1], api_key="unused")
        r = c.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=4, n=2, temperature=0.5, seed=3)
        assert len(r.choices) == 2, r
        t = c.completions.create(model="tiny", prompt="abc", max_tokens=3)
        assert len(t.choices) == 1
        try:
            c.chat.completions.create(model="tiny", messages=[], max_tokens=4, temperature=99)
            print("no error"); sys.exit(1)
        except openai.BadRequestError:
            pass
        print("ok")
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, server.baseURL]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: o, as: UTF8.self).contains("ok"))
    }
}
