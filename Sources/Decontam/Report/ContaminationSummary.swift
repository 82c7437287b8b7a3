import Curation

/// What a scan found, in a form that merges exactly across `--shard` runs: counts add, matched eval
/// instances are carried by id (with their index order) and unioned, examples are kept with their input
/// position so the merged report picks the same ones a single run would.
public struct ContaminationSummary: Sendable, Equatable {
    /// Train records scanned and contaminated, per input source (file) and eval set.
    public struct Source: Sendable, Equatable {
        public var source: String
        /// Position of the file in the whole (unsharded) input list.
        public var position: Int
        public var scanned = 0
        public var contaminated = 0
        /// Eval set name -> train records of this source matching an instance of the set.
        public var bySet: [String: Int] = [:]
    }

    /// One eval instance found in the training data.
    public struct Found: Sendable, Equatable {
        /// The instance's number in the index (eval sets by name, then file order).
        public var ordinal: Int
        public var id: String
        /// Train records matching it.
        public var trainRecords: Int
    }

    public struct EvalSet: Sendable, Equatable {
        public var name: String
        public var path: String
        public var fileHash: String
        public var instances: Int
        public var found: [Found] = []
        /// How the file was read (fields, answers, id field, selection such as `data_source=MATH500`).
        public var reading: String = ""
    }

    public struct Example: Sendable, Equatable {
        public var position: Int
        public var line: Int
        public var id: String
        public var source: String
        public var evalID: String
        public var overlap: Double
        public var evalPreview: String
    }

    public var sources: [Source] = []
    public var evalSets: [EvalSet] = []
    /// Eval set name -> a few example matches, in input order.
    public var examples: [String: [Example]] = [:]
    public var examplesPerSet = 3

    public init() {}

    public var scanned: Int { sources.reduce(0) { $0 + $1.scanned } }
    public var contaminated: Int { sources.reduce(0) { $0 + $1.contaminated } }

    // MARK: - Merge

    /// Merges another shard's summary into this one.
    public mutating func merge(_ other: ContaminationSummary) throws {
        for s in other.sources {
            if let k = sources.firstIndex(where: { $0.position == s.position && $0.source == s.source }) {
                sources[k].scanned += s.scanned
                sources[k].contaminated += s.contaminated
                for (e, n) in s.bySet { sources[k].bySet[e, default: 0] += n }
            } else {
                sources.append(s)
            }
        }
        sources.sort { $0.position < $1.position }
        for e in other.evalSets {
            guard let k = evalSets.firstIndex(where: { $0.name == e.name }) else { evalSets.append(e); continue }
            guard evalSets[k].fileHash == e.fileHash, evalSets[k].instances == e.instances else {
                throw CurationError.invalidArgument("reports disagree about eval set \(e.name) (different files or index): they cannot be merged")
            }
            var byOrdinal: [Int: Found] = [:]
            for f in evalSets[k].found { byOrdinal[f.ordinal] = f }
            for f in e.found { byOrdinal[f.ordinal, default: Found(ordinal: f.ordinal, id: f.id, trainRecords: 0)].trainRecords += f.trainRecords }
            evalSets[k].found = byOrdinal.keys.sorted().compactMap { byOrdinal[$0] }
        }
        evalSets.sort { $0.name < $1.name }
        for (set, list) in other.examples {
            let all = (examples[set] ?? []) + list
            examples[set] = Array(all.sorted { ($0.position, $0.line, $0.evalID) < ($1.position, $1.line, $1.evalID) }.prefix(examplesPerSet))
        }
    }

    // MARK: - JSON

    public var json: JSONValue {
        var o = JSONObject()
        o["train_records_scanned"] = .int(scanned)
        o["train_records_contaminated"] = .int(contaminated)
        o["train_records_contaminated_percent"] = .double(percent(contaminated, scanned))
        o["by_source"] = .array(sources.map { s in
            var bySet = JSONObject()
            for e in evalSets { bySet[e.name] = .int(s.bySet[e.name] ?? 0) }
            return .object(JSONObject([
                "source": .string(s.source), "position": .int(s.position), "scanned": .int(s.scanned),
                "contaminated": .int(s.contaminated), "contaminated_percent": .double(percent(s.contaminated, s.scanned)),
                "by_eval_set": .object(bySet),
            ]))
        })
        o["eval_sets"] = .array(evalSets.map { e in
            .object(JSONObject([
                "name": .string(e.name), "file": .string(e.path), "xxh3_128": .string(e.fileHash), "reading": .string(e.reading), "instances": .int(e.instances),
                "instances_found": .int(e.found.count), "instances_found_percent": .double(percent(e.found.count, e.instances)),
                "found": .array(e.found.map { .array([.int($0.ordinal), .string($0.id), .int($0.trainRecords)]) }),
            ]))
        })
        o["examples_per_set"] = .int(examplesPerSet)
        var ex = JSONObject()
        for e in evalSets {
            ex[e.name] = .array((examples[e.name] ?? []).map { x in
                .object(JSONObject([
                    "id": .string(x.id), "source": .string(x.source), "position": .int(x.position), "line": .int(x.line),
                    "eval_id": .string(x.evalID), "overlap": .double(x.overlap), "eval_text": .string(x.evalPreview),
                ]))
            })
        }
        o["examples"] = .object(ex)
        return .object(o)
    }

    /// Reads the JSON `json` wrote (merge-reports).
    public init(json v: JSONValue, file: String) throws {
        func bad(_ what: String) -> CurationError { .invalidArgument("\(file): not a decontam scan report (\(what))") }
        guard case .object(let o) = v else { throw bad("not an object") }
        examplesPerSet = o["examples_per_set"]?.intValue ?? 3
        for s in o["by_source"]?.arrayValue ?? [] {
            guard let name = s["source"]?.stringValue, let pos = s["position"]?.intValue, let sc = s["scanned"]?.intValue,
                  let c = s["contaminated"]?.intValue else { throw bad("by_source entry") }
            var src = Source(source: name, position: pos, scanned: sc, contaminated: c)
            for e in s["by_eval_set"]?.objectValue ?? JSONObject() { src.bySet[e.key] = e.value.intValue ?? 0 }
            sources.append(src)
        }
        for e in o["eval_sets"]?.arrayValue ?? [] {
            guard let name = e["name"]?.stringValue, let path = e["file"]?.stringValue, let h = e["xxh3_128"]?.stringValue,
                  let n = e["instances"]?.intValue else { throw bad("eval_sets entry") }
            var set = EvalSet(name: name, path: path, fileHash: h, instances: n)
            set.reading = e["reading"]?.stringValue ?? ""
            for f in e["found"]?.arrayValue ?? [] {
                guard let a = f.arrayValue, a.count == 3, let ord = a[0].intValue, let id = a[1].stringValue, let c = a[2].intValue else { throw bad("found entry") }
                set.found.append(Found(ordinal: ord, id: id, trainRecords: c))
            }
            evalSets.append(set)
        }
        for e in o["examples"]?.objectValue ?? JSONObject() {
            examples[e.key] = try (e.value.arrayValue ?? []).map { x in
                guard let id = x["id"]?.stringValue, let src = x["source"]?.stringValue, let pos = x["position"]?.intValue,
                      let line = x["line"]?.intValue, let eid = x["eval_id"]?.stringValue, let ov = x["overlap"]?.doubleValue else { throw bad("example") }
                return Example(position: pos, line: line, id: id, source: src, evalID: eid, overlap: ov, evalPreview: x["eval_text"]?.stringValue ?? "")
            }
        }
    }
}

func percent(_ part: Int, _ whole: Int) -> Double {
    whole == 0 ? 0 : (100 * Double(part) / Double(whole) * 100).rounded() / 100
}

/// Overlaps are reported to 4 decimals.
func rounded4(_ x: Double) -> Double { (x * 10000).rounded() / 10000 }
