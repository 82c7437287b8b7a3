import Curation
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 items 5 and 13: `serve` under slow or many clients, and its answers to invalid requests.
@Suite(.serialized) struct ServeHardeningCLITests {
    /// Threads of a process, from /proc/PID/status.
    func threads(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in s.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst(8).trimmingCharacters(in: .whitespaces)) ?? -1
        }
        return -1
    }

    func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if ok != 0 { close(fd); return -1 }
        return fd
    }

    /// True once the server has answered or closed the connection (readable or hung up).
    func serverSpoke(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Sends `bytes` one at a time every `interval` seconds until the server answers or closes; returns
    /// the seconds that took (nil: never, within `limit`).
    func dribble(_ fd: Int32, _ bytes: [UInt8], interval: Double, limit: Double) -> Double? {
        let start = now()
        var i = 0
        while now() - start < limit {
            if serverSpoke(fd) { return now() - start }
            if i < bytes.count {
                var b = bytes[i]
                if send(fd, &b, 1, Int32(MSG_NOSIGNAL)) <= 0 { return now() - start }
                i += 1
            }
            usleep(UInt32(interval * 1e6))
        }
        return nil
    }

    @Test func manySilentConnectionsDoNotGrowThreadsAndHealthStillAnswers() throws {
        let server = try ServeProcess(["--max-connections", "4", "--header-timeout", "30"])
        defer { server.stop() }
        #expect(server.raw(Array("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)).status == 200)
        let before = threads(server.process.processIdentifier)
        #expect(before > 0)
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        for _ in 0..<100 { let fd = connect(server.port); if fd >= 0 { fds.append(fd) } }
        #expect(fds.count == 100)
        usleep(500_000)
        let during = threads(server.process.processIdentifier)
        #expect(during <= before + 4, "threads grew from \(before) to \(during) with 100 silent connections")
        let health = server.raw(Array("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(health.status == 200 && health.body.contains("ok"))
        // A real request still gets through (a silent client yields its place).
        let gen = server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 2}"#)
        #expect(gen.status == 200)
        #expect(threads(server.process.processIdentifier) <= before + 4)
    }

    @Test func slowClientsAreCutOffAtTheirWholeDeadline() throws {
        let server = try ServeProcess(["--header-timeout", "1", "--body-timeout", "1", "--idle-timeout", "1"])
        defer { server.stop() }
        // Headers a byte every 0.2 s: 40 bytes would take 8 s; the header deadline is 1 s in all.
        let slowHeaders = connect(server.port)
        defer { close(slowHeaders) }
        let t1 = dribble(slowHeaders, Array("GET /health HTTP/1.1\r\nX-Padding: aaaaaaaaaaaaa\r\n\r\n".utf8), interval: 0.2, limit: 6)
        #expect(t1 != nil && (t1 ?? 99) < 3, "header slowloris held for \(String(describing: t1)) s")
        // Headers at once, then the body a byte every 0.2 s.
        let slowBody = connect(server.port)
        defer { close(slowBody) }
        let head = Array("POST /v1/completions HTTP/1.1\r\nContent-Length: 40\r\n\r\n".utf8)
        _ = head.withUnsafeBytes { send(slowBody, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let t2 = dribble(slowBody, Array(repeating: UInt8(ascii: " "), count: 40), interval: 0.2, limit: 6)
        #expect(t2 != nil && (t2 ?? 99) < 3, "body slowloris held for \(String(describing: t2)) s")
        // An idle keep-alive connection is closed after the idle timeout.
        let idle = connect(server.port)
        defer { close(idle) }
        let req = Array("GET /health HTTP/1.1\r\n\r\n".utf8)
        _ = req.withUnsafeBytes { send(idle, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buf = [UInt8](repeating: 0, count: 4096)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(idle, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let n = recv(idle, &buf, buf.count, 0)
        #expect(n > 0 && String(decoding: buf[0..<max(0, n)], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        let start = now()
        let eof = recv(idle, &buf, buf.count, 0)
        #expect(eof == 0 && now() - start < 3.5)
        // Still serving.
        #expect(server.raw(Array("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)).status == 200)
    }

    /// CPU time (user + system) of a process in clock ticks, from /proc/PID/stat.
    func cpuTicks(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return -1 }
        let fields = s[s.index(after: close)...].split(separator: " ")
        // After ") ": state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let u = Int(fields[11]), let k = Int(fields[12]) else { return -1 }
        return u + k
    }

    @Test func outOfFileDescriptorsTheServerBacksOffAndHealthStillAnswers() throws {
        // A server with 40 descriptors, then 80 silent clients: accept fails with EMFILE.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -n 40 && exec \"$0\" serve --model \"$1\" --port 0", CLI.binary, CLI.fixture("generation/tiny-chatml")]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        var line = Data()
        while !line.contains(0x0A) { let d = out.fileHandleForReading.availableData; if d.isEmpty { break }; line.append(d) }
        let text = String(decoding: line, as: UTF8.self)
        let port = try #require(text.split(separator: "\n").first.flatMap { Int($0.dropFirst(6)) })
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        for _ in 0..<80 { let fd = connect(port); if fd >= 0 { fds.append(fd) } }
        usleep(300_000)
        let before = cpuTicks(p.processIdentifier)
        usleep(2_000_000)
        let used = cpuTicks(p.processIdentifier) - before
        // A spinning accept loop burns ~200 ticks (100 Hz) in 2 s; backing off uses a few.
        #expect(before >= 0 && used < 60, "the server used \(used) ticks of CPU in 2 s while out of descriptors")
        // /health gets through (the oldest silent clients yield their descriptors).
        let fd = connect(port)
        defer { if fd >= 0 { close(fd) } }
        let req = Array("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)
        _ = req.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, 0)
        #expect(n > 0 && String(decoding: buf[0..<max(0, n)], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
    }

    @Test func healthAnswersWhileEveryWorkerGenerates() throws {
        let server = try ServeProcess(["--max-connections", "1"])
        defer { server.stop() }
        final class Box: @unchecked Sendable { var status = 0; var done = false; let lock = NSLock() }
        let box = Box()
        let t = Thread {
            let r = server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 480, "n": 64, "temperature": 1}"#)
            box.lock.lock(); box.status = r.status; box.done = true; box.lock.unlock()
        }
        t.start()
        usleep(300_000)
        let start = now()
        let health = server.raw(Array("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(health.status == 200 && now() - start < 2)
        // The one connection slot is generating: anything but /health is told to come back later.
        let models = server.raw(Array("GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n".utf8))
        box.lock.lock(); let finishedEarly = box.done; box.lock.unlock()
        #expect(models.status == 503 || finishedEarly)
        while true { box.lock.lock(); let d = box.done; box.lock.unlock(); if d { break }; usleep(50_000) }
        #expect(box.status == 200)
    }

    func error(_ r: (status: Int, body: String)) -> (type: String?, param: String?, code: String?, message: String?) {
        guard let v = try? JSONParser.parse(Array(r.body.utf8)), let e = v["error"] else { return (nil, nil, nil, nil) }
        return (e["type"]?.stringValue, e["param"]?.stringValue, e["code"]?.stringValue, e["message"]?.stringValue)
    }

    @Test func clientErrorsAre400sWithOpenAIErrorBodies() throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let user = #"[{"role": "user", "content": "hi"}]"#
        let cases: [(path: String, body: String, param: String)] = [
            ("/v1/completions", #"{"prompt": "abc", "max_tokens": 600}"#, "max_tokens"),            // past the 512-token context
            ("/v1/completions", #"{"prompt": "\#(String(repeating: "a", count: 700))", "max_tokens": 2}"#, "prompt"),  // prompt longer than the context
            ("/v1/completions", #"{"prompt": ""}"#, "prompt"),
            ("/v1/chat/completions", #"{"messages": []}"#, "messages"),
            ("/v1/chat/completions", #"{"messages": [{"role": "wizard", "content": "hi"}]}"#, "messages[0].role"),
            ("/v1/chat/completions", #"{"messages": [{"role": "user", "content": null}]}"#, "messages[0].content"),
            ("/v1/chat/completions", #"{"messages": \#(user), "seed": 1.5}"#, "seed"),
            ("/v1/chat/completions", #"{"messages": \#(user), "seed": "7"}"#, "seed"),
            ("/v1/chat/completions", #"{"messages": \#(user), "n": 2.5}"#, "n"),
            ("/v1/chat/completions", #"{"messages": \#(user), "max_tokens": 600}"#, "max_tokens"),
        ]
        for c in cases {
            let r = server.post(c.path, c.body)
            let e = error(r)
            #expect(r.status == 400, "\(c.body.prefix(80)): status \(r.status) \(r.body)")
            #expect(e.type == "invalid_request_error" && e.param == c.param && (e.message ?? "").count > 5, "\(c.body.prefix(80)): \(r.body)")
        }
        let tooLong = error(server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 600}"#))
        #expect(tooLong.code == "context_length_exceeded")
        // The error body has all four fields, as OpenAI's does.
        let raw = server.post("/v1/chat/completions", #"{"messages": []}"#).body
        for key in ["\"message\"", "\"type\"", "\"param\"", "\"code\""] { #expect(raw.contains(key)) }
        // Valid requests still succeed, an integer seed included.
        #expect(server.post("/v1/chat/completions", #"{"messages": \#(user), "seed": 7, "max_tokens": 2}"#).status == 200)
        #expect(server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 2, "seed": null}"#).status == 200)
    }
}
