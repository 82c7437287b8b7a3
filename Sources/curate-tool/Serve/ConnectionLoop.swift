import Curation
import Dispatch
import Foundation

/// The server's single I/O thread: accepts connections and reads requests from all of them with `poll`,
/// enforcing whole deadlines, and hands each complete request to the worker pool. It never blocks on a
/// client, so a thousand silent sockets cost no threads and `/health` (answered here) always answers.
///
/// Connection cap: connections held here plus those in the workers stay at or under `maxConnections`.
/// When a new client arrives at the cap, the oldest connection that is only waiting or reading here is
/// dropped (a slow or idle client yields to a new one, which is how a silent flood is outlived); when all
/// of them are in the workers, a few extra connections are read to answer `/health` (everything else on
/// them gets a quick 503), and any beyond those get a 503 at once.
final class ConnectionLoop: @unchecked Sendable {
    private enum Phase { case idle, headers, body }
    private struct Connection {
        let fd: Int32
        var buffer: [UInt8]
        var phase: Phase
        var deadline: Deadline
        let serial: Int
        /// Accepted over the cap while every connection was busy: answers `/health`, else 503.
        let healthOnly: Bool
    }

    /// Connections read over the cap, for `/health` only.
    static let healthReserve = 8
    /// How long accept pauses after running out of file descriptors (no busy loop).
    static let acceptBackoffSeconds = 0.1

    private let server: HTTPServer
    private let limits: ServerLimits
    private let listenFD: Int32
    private var connections: [Int32: Connection] = [:]
    private var inWorkers = 0
    private var serial = 0
    private var acceptPausedUntil: Deadline?
    private let pool: WorkerPool
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let returnedLock = NSLock()
    /// Connections the workers are done with: the fd and leftover bytes to keep reading, or nil bytes
    /// when the worker closed it.
    private var returned: [(fd: Int32, leftover: [UInt8]?)] = []

    init(server: HTTPServer, listenFD: Int32) {
        self.server = server
        self.limits = server.limits
        self.listenFD = listenFD
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        for fd in fds where fd >= 0 {
            setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        pool = WorkerPool(maxThreads: max(1, limits.maxConnections))
    }

    func run() -> Never {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var fds: [pollfd] = []
            fds.reserveCapacity(connections.count + 2)
            if let paused = acceptPausedUntil, !paused.passed {} else {
                acceptPausedUntil = nil
                fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0))
            }
            if wakeRead >= 0 { fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)) }
            for fd in connections.keys { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = 1000
            for c in connections.values { timeout = min(timeout, c.deadline.remainingMilliseconds) }
            if let paused = acceptPausedUntil { timeout = min(timeout, max(1, paused.remainingMilliseconds)) }
            let ready = poll(&fds, nfds_t(fds.count), max(0, timeout))
            if ready > 0 {
                for p in fds where p.revents != 0 {
                    if p.fd == listenFD { acceptAll() }
                    else if p.fd == wakeRead { takeReturned() }
                    else { read(p.fd, &chunk) }
                }
            }
            expireDeadlines()
        }
    }

    // MARK: accepting

    private func acceptAll() {
        for _ in 0..<64 {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: wait a little before trying again (the old loop spun at 100%),
                    // and free one held by the oldest waiting client so /health can get in.
                    acceptPausedUntil = Deadline(seconds: ConnectionLoop.acceptBackoffSeconds)
                    evictOldestWaiting()
                    return
                default: return
                }
            }
            setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        var healthOnly = false
        if connections.count + inWorkers >= limits.maxConnections, !evictOldestWaiting() {
            let reserved = connections.values.filter(\.healthOnly).count
            guard reserved < ConnectionLoop.healthReserve else {
                answerAndClose(fd, status: 503, "server busy: \(limits.maxConnections) connections open; retry later")
                return
            }
            healthOnly = true
        }
        serial += 1
        let headerTime = healthOnly ? min(limits.headerTimeout, 2) : limits.headerTimeout
        connections[fd] = Connection(fd: fd, buffer: [], phase: .headers, deadline: Deadline(seconds: headerTime),
                                     serial: serial, healthOnly: healthOnly)
    }

    /// Drops the connection that has waited longest without a request in work (idle keep-alive ones
    /// first). Returns false when there is none.
    @discardableResult
    private func evictOldestWaiting() -> Bool {
        let candidates = connections.values.filter { !$0.healthOnly }
        let victim = candidates.filter { $0.phase == .idle }.min { $0.serial < $1.serial }
            ?? candidates.min { $0.serial < $1.serial }
        guard let v = victim else { return false }
        connections[v.fd] = nil
        if v.phase == .idle { close(v.fd) } else { answerAndClose(v.fd, status: 503, "server busy: connection dropped for a newer one") }
        return true
    }

    // MARK: reading

    private func read(_ fd: Int32, _ chunk: inout [UInt8]) {
        guard var c = connections[fd] else { return }
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                c.buffer.append(contentsOf: chunk[0..<n])
                if c.buffer.count > HTTPServer.maxHeaderBytes + limits.maxBodyBytes + 8 { break }
                if n < chunk.count { break }
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            // EOF or error: the client is gone.
            connections[fd] = nil
            close(fd)
            return
        }
        connections[fd] = c
        process(fd)
    }

    /// Parses what the connection has received: moves it between deadlines, answers or refuses it, or
    /// hands a whole request to a worker.
    private func process(_ fd: Int32) {
        guard var c = connections[fd] else { return }
        switch HTTPRequestParser.parse(c.buffer, maxHeaderBytes: HTTPServer.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes) {
        case .incomplete:
            if c.phase == .idle, !c.buffer.isEmpty {
                c.phase = .headers
                c.deadline = Deadline(seconds: limits.headerTimeout)
            }
            if c.phase == .headers, HTTPRequestParser.headerLength(c.buffer, maxHeaderBytes: HTTPServer.maxHeaderBytes) != nil {
                c.phase = .body
                c.deadline = Deadline(seconds: limits.bodyTimeout)
            }
            connections[fd] = c
        case .bad(let status, let message):
            connections[fd] = nil
            answerAndClose(fd, status: status, message)
        case .request(let request, let consumed):
            let leftover = Array(c.buffer[consumed...])
            let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
            if request.method == "GET", path == "/health" {
                // Answered here, never queued behind generation.
                let keepAlive = !c.healthOnly && (request.headers["connection"]?.lowercased() ?? "keep-alive") != "close"
                let sent = HTTPServer.send(fd, server.handler(request), keepAlive: keepAlive, deadline: Deadline(seconds: 0))
                if sent && keepAlive {
                    c.buffer = leftover
                    c.phase = .idle
                    c.deadline = Deadline(seconds: limits.idleTimeout)
                    connections[fd] = c
                    if !leftover.isEmpty { process(fd) }
                } else {
                    connections[fd] = nil
                    close(fd)
                }
            } else if c.healthOnly {
                connections[fd] = nil
                answerAndClose(fd, status: 503, "server busy: all \(limits.maxConnections) connections are in use; retry later")
            } else {
                connections[fd] = nil
                inWorkers += 1
                pool.submit { [server, self] in
                    let keep = server.respond(fd, request)
                    if !keep { close(fd) }
                    self.giveBack(fd, leftover: keep ? leftover : nil)
                }
            }
        }
    }

    private func expireDeadlines() {
        let expired = connections.values.filter { $0.deadline.passed }
        for c in expired {
            connections[c.fd] = nil
            if c.phase == .idle { close(c.fd); continue }
            let what = c.phase == .headers ? "headers within \(limits.headerTimeout) s" : "body within \(limits.bodyTimeout) s"
            answerAndClose(c.fd, status: 408, "request not received in time: the server waits for the \(what)")
        }
    }

    /// A best-effort error answer from the loop thread (never waits for the client), then close.
    private func answerAndClose(_ fd: Int32, status: Int, _ message: String) {
        let type = status >= 500 ? "server_error" : "invalid_request_error"
        HTTPServer.send(fd, .init(status: status, body: OpenAIErrors.body(message, type: type)), keepAlive: false, deadline: Deadline(seconds: 0))
        close(fd)
    }

    // MARK: connections coming back from the workers

    /// Called on a worker thread when it is done with a connection.
    private func giveBack(_ fd: Int32, leftover: [UInt8]?) {
        returnedLock.lock()
        returned.append((fd, leftover))
        returnedLock.unlock()
        var one: UInt8 = 1
        _ = Glibc.write(wakeWrite, &one, 1)
    }

    private func takeReturned() {
        var drain = [UInt8](repeating: 0, count: 256)
        while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
        returnedLock.lock()
        let back = returned
        returned.removeAll()
        returnedLock.unlock()
        for (fd, leftover) in back {
            inWorkers -= 1
            guard let leftover else { continue }
            serial += 1
            connections[fd] = Connection(fd: fd, buffer: leftover, phase: .idle, deadline: Deadline(seconds: limits.idleTimeout),
                                         serial: serial, healthOnly: false)
            if !leftover.isEmpty { process(fd) }
        }
    }
}

/// At most `maxThreads` threads run handlers; threads start on demand and then stay for the next job.
final class WorkerPool: @unchecked Sendable {
    private let maxThreads: Int
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0

    init(maxThreads: Int) { self.maxThreads = maxThreads }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if jobs.count > idle, threads < maxThreads {
            threads += 1
            let t = Thread { [self] in self.work() }
            t.stackSize = 1 << 20
            t.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
