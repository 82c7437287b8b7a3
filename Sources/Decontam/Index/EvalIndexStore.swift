import Curation
import Foundation
import GRDB

/// The eval index on disk: one SQLite file (DESIGN.md section 2) holding the n-gram settings, each eval
/// set (name, file, XXH3-128 of the file, record and instance counts), and each instance (id, token
/// count, n-gram count, its distinct n-gram hashes as a little-endian UInt64 blob, a text preview).
///
/// Re-indexing a file whose bytes and reading are unchanged is a no-op; a changed file replaces its set;
/// a new name adds a set. An index is never mixed across settings: adding to one made with other n or
/// normalisation is refused, and so is scanning with it.
public enum EvalIndexStore {
    /// Bumped when the layout or the hashing changes; older indexes are refused.
    public static let formatVersion = "1"

    /// What indexing did with one eval set.
    public enum Outcome: String, Sendable { case added, replaced, unchanged }

    public struct SetResult: Sendable {
        public var name: String
        public var outcome: Outcome
        public var info: EvalSetInfo
        /// Instances with no tokens at all (empty text): stored, but they can never match.
        public var emptyInstances: Int
        /// Instances shorter than n tokens (one n-gram of their whole sequence).
        public var shortInstances: Int
        public var ngrams: Int
    }

    /// Indexes `sources` into the SQLite file at `path` (created if absent).
    public static func build(path: String, settings: NGramSettings, sources: [EvalSource]) throws -> [SetResult] {
        try settings.validate()
        var seen = Set<String>()
        for s in sources where !seen.insert(s.name).inserted {
            throw CurationError.invalidArgument("eval set name \"\(s.name)\" is given twice")
        }
        let db = try open(path, readonly: false)
        try wrap(path) {
            try db.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS eval_sets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
                        file_hash TEXT NOT NULL, records INTEGER NOT NULL, instances INTEGER NOT NULL, reading TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS instances (set_id INTEGER NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
                        ordinal INTEGER NOT NULL, instance_id TEXT NOT NULL, tokens INTEGER NOT NULL, ngram_count INTEGER NOT NULL,
                        ngrams BLOB NOT NULL, preview TEXT NOT NULL, first_token INTEGER NOT NULL, PRIMARY KEY (set_id, ordinal));
                    """)
            }
        }
        let stored = try wrap(path) { try db.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'settings'") } }
        if let stored {
            let version = try wrap(path) { try db.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'format'") } }
            guard version == formatVersion else {
                throw CurationError.invalidArgument("\(path) is an index of format \(version ?? "?"), this tool writes format \(formatVersion): write a new index")
            }
            guard stored == settings.description else {
                throw CurationError.invalidArgument("\(path) was built with other settings (\(stored)); this run asks for \(settings.description): use another --output or the same settings")
            }
        } else {
            try wrap(path) {
                try db.write { db in
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?), ('settings', ?), ('ngram', ?), ('normalization', ?), ('hash', ?)",
                                   arguments: [formatVersion, settings.description, String(settings.n), settings.normalizer.settingsKey, NGramSettings.hashDescription])
                }
            }
        }
        var results: [SetResult] = []
        for source in sources {
            results.append(try index(source, settings: settings, db: db, dbPath: path))
        }
        return results
    }

    private static func index(_ source: EvalSource, settings: NGramSettings, db: DatabaseQueue, dbPath: String) throws -> SetResult {
        let fileHash = try source.files.count == 1 ? hashFile(source.files[0]) : ContentHash.files(source.files)
        let reading = source.readingKey
        let existing = try wrap(dbPath) {
            try db.read { try Row.fetchOne($0, sql: "SELECT id, file_hash, reading, records, instances, path FROM eval_sets WHERE name = ?", arguments: [source.name]) }
        }
        if let row = existing, (row["file_hash"] as String) == fileHash, (row["reading"] as String) == reading {
            let info = EvalSetInfo(name: source.name, path: row["path"], fileHash: fileHash, records: row["records"], instances: row["instances"], reading: reading)
            return SetResult(name: source.name, outcome: .unchanged, info: info, emptyInstances: 0, shortInstances: 0, ngrams: 0)
        }
        // Read and n-gram the file (eval files must be right: the first bad line is an error).
        // A Parquet eval set is read for the columns looked at below only (the text fields, the selection's
        // field, the id fields): hub eval sets can carry wide columns (images, long metadata) never indexed.
        var read = ReadOptions()
        read.parquetColumns = (source.fields ?? (EvalText.defaultFields + (source.withAnswers ? EvalText.answerFields : [])))
            + (source.selection.map { [$0.field] } ?? []) + (source.idField.map { [$0] } ?? RecordID.recognisedFields)
        let reader = RecordReader(files: source.files, policy: .fail, options: read)
        let buffer = TokenBuffer()
        var ids = UniqueIDs()
        var rows: [(id: String, tokens: Int, hashes: [UInt64], preview: String, first: UInt64)] = []
        var empty = 0, short = 0, ngrams = 0
        try reader.forEach { record in
            if let sel = source.selection {
                let v = try record.value(sel.field)
                let text: String? = v?.stringValue ?? { if case .number(let n)? = v { return n }; return nil }()
                guard text == sel.value else { return }
            }
            let text = try EvalText.text(of: record, source: source)
            let id = ids.claim(try RecordID.of(record, field: source.idField))
            if let f = source.idField, try record.value(f) == nil { throw record.missing(f) }
            buffer.removeAll()
            settings.normalizer.append(text, to: buffer)
            let (hashes, _) = NGramHasher.evalNGrams(buffer, n: settings.n)
            if buffer.tokenCount == 0 { empty += 1 } else if buffer.tokenCount < settings.n { short += 1 }
            ngrams += hashes.count
            rows.append((id, buffer.tokenCount, hashes, preview(text), buffer.tokenCount > 0 ? NGramHasher.hash(buffer, 0, 1) : 0))
        }
        if reader.counts.records == 0 {
            throw CurationError.io(path: source.path, reason: "eval file holds no records")
        }
        if rows.isEmpty, let sel = source.selection {
            throw CurationError.invalidArgument("eval set \(source.name): no record of \(source.path) has \(sel.description)")
        }
        let info = EvalSetInfo(name: source.name, path: source.path, fileHash: fileHash, records: reader.counts.records, instances: rows.count, reading: reading)
        try wrap(dbPath) {
            try db.write { db in
                if let row = existing {
                    let id: Int64 = row["id"]
                    try db.execute(sql: "DELETE FROM instances WHERE set_id = ?", arguments: [id])
                    try db.execute(sql: "DELETE FROM eval_sets WHERE id = ?", arguments: [id])
                }
                try db.execute(sql: "INSERT INTO eval_sets (name, path, file_hash, records, instances, reading) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [source.name, source.path, fileHash, info.records, info.instances, reading])
                let setID = db.lastInsertedRowID
                let insert = try db.cachedStatement(sql: "INSERT INTO instances (set_id, ordinal, instance_id, tokens, ngram_count, ngrams, preview, first_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for (k, r) in rows.enumerated() {
                    let blob = r.hashes.withUnsafeBytes { Data($0) } // little-endian hosts (x86-64, arm64)
                    try insert.execute(arguments: [setID, k, r.id, r.tokens, r.hashes.count, blob, r.preview, Int64(bitPattern: r.first)])
                }
            }
        }
        return SetResult(name: source.name, outcome: existing == nil ? .added : .replaced, info: info, emptyInstances: empty, shortInstances: short, ngrams: ngrams)
    }

    /// The settings an index was made with.
    public static func settings(path: String) throws -> NGramSettings {
        let db = try open(path, readonly: true)
        return try readSettings(db, path)
    }

    private static func readSettings(_ db: DatabaseQueue, _ path: String) throws -> NGramSettings {
        let meta = try wrap(path) { try db.read { db -> [String: String] in
            guard try db.tableExists("meta") else { return [:] }
            var m: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { m[row["key"]] = row["value"] }
            return m
        } }
        guard let format = meta["format"], let n = meta["ngram"].flatMap(Int.init), let norm = meta["normalization"] else {
            throw CurationError.invalidArgument("\(path) is not a decontamination index (no settings in it)")
        }
        guard format == formatVersion else {
            throw CurationError.invalidArgument("\(path) is an index of format \(format); this tool reads format \(formatVersion): rebuild it with `decontam index`")
        }
        guard meta["hash"] == NGramSettings.hashDescription else {
            throw CurationError.invalidArgument("\(path) hashes n-grams as \(meta["hash"] ?? "?"), this tool as \(NGramSettings.hashDescription): rebuild it")
        }
        let parts = Set(norm.split(separator: ",").map(String.init))
        let settings = NGramSettings(n: n, normalizer: TextNormalizer(foldDigits: parts.contains("digits-to-0"), stripDiacritics: parts.contains("strip-diacritics")))
        guard settings.normalizer.settingsKey == norm else {
            throw CurationError.invalidArgument("\(path) was built with normalization \(norm), which this tool does not know")
        }
        return settings
    }

    /// Loads the index into memory. `expect`, when given, must equal the index's settings (else an error
    /// saying both). N-grams held by more than `maxEvalFrequency` instances are left out (boilerplate).
    public static func load(path: String, expect: NGramSettings? = nil, maxEvalFrequency: Int? = nil) throws -> EvalIndex {
        if let m = maxEvalFrequency, m < 1 { throw CurationError.invalidArgument("--max-eval-frequency must be at least 1") }
        let db = try open(path, readonly: true)
        let settings = try readSettings(db, path)
        if let e = expect, e != settings {
            throw CurationError.invalidArgument("\(path) was built with other settings (\(settings.description)) than this scan asks for (\(e.description)): rebuild the index with these settings or scan without them")
        }
        let (sets, instances) = try wrap(path) { try db.read { db -> ([EvalSetInfo], [EvalIndex.LoadedInstance]) in
            var sets: [EvalSetInfo] = []
            var setNumber: [Int64: Int32] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, name, path, file_hash, records, instances, reading FROM eval_sets ORDER BY name") {
                setNumber[row["id"]] = Int32(sets.count)
                sets.append(EvalSetInfo(name: row["name"], path: row["path"], fileHash: row["file_hash"], records: row["records"], instances: row["instances"], reading: row["reading"]))
            }
            var instances: [EvalIndex.LoadedInstance] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT s.id AS sid, i.instance_id, i.tokens, i.ngrams, i.preview, i.first_token FROM instances i JOIN eval_sets s ON s.id = i.set_id ORDER BY s.name, i.ordinal")
            while let row = try cursor.next() {
                let blob: Data = row["ngrams"]
                var hashes = [UInt64](repeating: 0, count: blob.count / 8)
                hashes.withUnsafeMutableBytes { dst in _ = blob.copyBytes(to: dst) }
                instances.append(.init(set: setNumber[row["sid"]] ?? 0, id: row["instance_id"], tokens: row["tokens"], hashes: hashes, preview: row["preview"], firstToken: UInt64(bitPattern: row["first_token"] as Int64)))
            }
            return (sets, instances)
        } }
        if sets.isEmpty { throw CurationError.invalidArgument("\(path) holds no eval sets: add some with `decontam index --eval NAME=PATH`") }
        return EvalIndex(path: path, settings: settings, sets: sets, instances: instances, maxEvalFrequency: maxEvalFrequency)
    }

    // MARK: - Helpers

    static func open(_ path: String, readonly: Bool) throws -> DatabaseQueue {
        if readonly && !FileManager.default.fileExists(atPath: path) {
            throw CurationError.io(path: path, reason: "no such index (build it with `curate-tool decontam index`)")
        }
        var config = Configuration()
        config.readonly = readonly
        config.foreignKeysEnabled = true
        do { return try DatabaseQueue(path: path, configuration: config) } catch {
            throw CurationError.store(path: path, reason: "cannot open the index: \(error)")
        }
    }

    static func wrap<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CurationError { throw e } catch let e as DatabaseError {
            throw CurationError.store(path: path, reason: "index: " + (e.message ?? e.description))
        }
    }

    /// XXH3-128 of a file's bytes on disk.
    public static func hashFile(_ path: String) throws -> String {
        guard let fh = FileHandle(forReadingAtPath: path) else { throw CurationError.io(path: path, reason: "cannot open eval file") }
        defer { try? fh.close() }
        let h = XXH128Stream()
        while true {
            let d: Data
            do { d = try fh.read(upToCount: 1 << 20) ?? Data() } catch { throw CurationError.io(path: path, reason: "read failed: \(error)") }
            if d.isEmpty { break }
            d.withUnsafeBytes { h.update($0) }
        }
        return h.hexDigest()
    }

    static func preview(_ text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return flat.count <= 200 ? flat : String(flat.prefix(200)) + "…"
    }
}
