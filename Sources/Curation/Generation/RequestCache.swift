import Foundation
import GRDB

/// A SQLite cache of generation requests and their responses, keyed by a hash of the request, so an
/// interrupted generation job resumes without asking (or paying) twice.
public final class RequestCache: @unchecked Sendable {
    public let path: String
    private let db: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            var config = Configuration()
            config.busyMode = .timeout(10)
            db = try DatabaseQueue(path: path, configuration: config)
            try db.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS generation_cache (
                        key TEXT PRIMARY KEY,
                        request TEXT NOT NULL,
                        response TEXT NOT NULL,
                        created_at REAL NOT NULL)
                    """)
            }
        } catch {
            throw CurationError.store(path: path, reason: "request cache: \(error)")
        }
    }

    /// The key of a request body: XXH3-128 of its canonical JSON (keys in stored order; our writer is deterministic).
    public static func key(for body: JSONValue, endpoint: String) -> String {
        let h = XXH128Stream()
        h.update(Array(endpoint.utf8))
        h.update(JSONWriter.bytes(body))
        return h.hexDigest()
    }

    public func lookup(_ key: String) throws -> String? {
        do { return try db.read { try String.fetchOne($0, sql: "SELECT response FROM generation_cache WHERE key = ?", arguments: [key]) } } catch {
            throw CurationError.store(path: path, reason: "request cache: \(error)")
        }
    }

    public func store(_ key: String, request: String, response: String) throws {
        do {
            try db.write {
                try $0.execute(sql: "INSERT OR REPLACE INTO generation_cache (key, request, response, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [key, request, response, Date().timeIntervalSince1970])
            }
        } catch { throw CurationError.store(path: path, reason: "request cache: \(error)") }
    }

    public func count() throws -> Int {
        do { return try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM generation_cache") ?? 0 } } catch {
            throw CurationError.store(path: path, reason: "request cache: \(error)")
        }
    }
}
