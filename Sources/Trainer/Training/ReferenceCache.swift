import Curation
import Foundation

/// Reference-model log-probabilities of preference pairs, computed once with the starting model and
/// kept in a JSONL file (`{"id", "hash", "chosen", "rejected"}`), so DPO holds one model in memory and a
/// rerun (or a resumed run) computes none. Entries are keyed by record id and content hash: a record
/// whose tokens changed (other template, tokenizer or max length) is recomputed.
public struct ReferenceCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var chosen: Double
        public var rejected: Double
    }
    public let path: String
    public private(set) var entries: [String: Entry] = [:]

    static func key(_ id: String, _ hash: String) -> String { id + "\u{0}" + hash }

    /// Reads the cache file if present (a missing file is an empty cache; a bad line is an error).
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainerError.io(path: path, reason: "cannot read") }
        for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
            guard let j = try? JSONParser.parse(Array(line)), let id = j["id"]?.stringValue, let h = j["hash"]?.stringValue,
                  let c = j["chosen"]?.doubleValue, let r = j["rejected"]?.doubleValue else {
                throw TrainerError.badFile(path: path, offset: nil, reason: "line \(n + 1): expected {\"id\", \"hash\", \"chosen\", \"rejected\"}")
            }
            entries[Self.key(id, h)] = Entry(chosen: c, rejected: r)
        }
    }

    public func lookup(_ e: PreferenceExample) -> Entry? { entries[Self.key(e.id, e.contentHash)] }

    /// Computes the entries missing for `examples` with `model` (which must be the reference model),
    /// writes the file (all entries for these examples, in their order) and returns how many were computed.
    @discardableResult
    public mutating func fill(_ examples: [PreferenceExample], model: LlamaModel, rowLength: Int) throws -> Int {
        let missing = examples.filter { lookup($0) == nil }
        if !missing.isEmpty {
            let seqs = missing.flatMap { [$0.chosen, $0.rejected] }
            let lps = try SequenceScorer.tokenLogProbs(model: model, examples: seqs, rowLength: rowLength)
            for (k, e) in missing.enumerated() {
                let c = lps[2 * k].reduce(0.0) { $0 + Double($1) }, r = lps[2 * k + 1].reduce(0.0) { $0 + Double($1) }
                entries[Self.key(e.id, e.contentHash)] = Entry(chosen: c, rejected: r)
            }
        }
        var out: [UInt8] = []
        var seen = Set<String>()
        for e in examples {
            let k = Self.key(e.id, e.contentHash)
            guard let v = entries[k], seen.insert(k).inserted else { continue }
            JSONWriter.write(.object(JSONObject([.init(key: "id", value: .string(e.id)), .init(key: "hash", value: .string(e.contentHash)),
                                                 .init(key: "chosen", value: .double(v.chosen)), .init(key: "rejected", value: .double(v.rejected))])),
                             into: &out)
            out.append(0x0A)
        }
        if !missing.isEmpty || !FileManager.default.fileExists(atPath: path) {
            do { try AtomicFileWriter.write(out, to: path) } catch { throw TrainerError.io(path: path, reason: "cannot write reference cache: \(error)") }
        }
        return missing.count
    }
}
