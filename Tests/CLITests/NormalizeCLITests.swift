import Curation
import Foundation
import Testing

/// Mixes trainers take as they are (issue 19 item 6): `normalize`, `mix --normalize` and `kind: normalize`.
@Suite struct NormalizeCLITests {
    static let schemas = ["chat", "s1_pool", "verifiable", "samples", "preference", "persona", "documents"]

    func lines(_ dir: String) throws -> [JSONObject] {
        let m = try Manifest.load(Manifest.path(directory: dir, prefix: "part"))
        var out: [JSONObject] = []
        for s in m.shards {
            try LineReader(path: (dir as NSString).appendingPathComponent(s.file)).forEachLine { l, _, _ in
                out.append(try JSONParser.parse(String(decoding: l, as: UTF8.self)).objectValue ?? JSONObject())
            }
        }
        return out
    }

    func report(_ path: String) throws -> JSONValue { try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8)) }

    @Test func normalizeCommandWritesOneChatLayoutAndCountsDrops() throws {
        let dir = CLI.tempDir("normalize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = Self.schemas.map { CLI.fixture("train/\($0).jsonl") }
        let r = try CLI.run(["normalize"] + inputs + ["--to", "chat", "-o", dir + "/chat", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try lines(dir + "/chat")
        #expect(!rows.isEmpty)
        for o in rows {
            #expect(Set(o.keys).isSubset(of: ["id", "messages", "source", "orig_id", "orig_source"]), "\(o.keys)")
            #expect(o["messages"]?.arrayValue?.contains { $0["role"]?.stringValue == "assistant" } == true)
        }
        let rep = try report(dir + "/chat/part.report.json")
        let dropped = rep["dropped"]?.objectValue
        #expect(dropped?["normalize: document record (use --document-as assistant)"]?.intValue == 60)
        #expect(rep["records_in"]?.intValue == rows.count + (dropped?.entries.reduce(0) { $0 + ($1.value.intValue ?? 0) } ?? 0))
        // s1 items carry the s1 delimiters.
        #expect(rows.contains { ($0["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "").hasPrefix("<|im_start|>think\n") })

        // With --document-as assistant the documents come through too.
        let d = try CLI.run(["normalize", CLI.fixture("train/documents.jsonl"), "--to", "chat", "--document-as", "assistant", "-o", dir + "/docs", "--quiet"])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(try lines(dir + "/docs").count == 60)
        // Preference target: only the 30 pairs, in TRL's layout.
        let p = try CLI.run(["normalize"] + inputs + ["--to", "preference", "-o", dir + "/pref", "--quiet"])
        #expect(p.status == 0, "\(p.stderr)")
        let pairs = try lines(dir + "/pref")
        #expect(pairs.count == 30)
        #expect(pairs.allSatisfy { $0["prompt"] != nil && $0["chosen"]?.arrayValue?.count == 1 && $0["rejected"]?.arrayValue?.count == 1 })
        // A bad choice is refused with a reason.
        let bad = try CLI.run(["normalize", inputs[0], "--to", "chat", "--document-as", "user", "-o", dir + "/bad"])
        #expect(bad.status != 0 && bad.stderr.contains("--document-as"), "\(bad.stderr)")
    }

    @Test func mixNormalizeAndTheNormalizeStageKind() throws {
        let dir = CLI.tempDir("mix-normalize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = dir + "/mix.yaml"
        var text = "seed: 3\nsources:\n"
        for s in Self.schemas { text += "  - {name: \(s), paths: [\(CLI.fixture("train/\(s).jsonl"))], amount: {fraction: 1.0}}\n" }
        try text.write(toFile: recipe, atomically: true, encoding: .utf8)
        let m = try CLI.run(["mix", "--recipe", recipe, "--normalize", "chat", "-o", dir + "/mix", "--quiet"])
        #expect(m.status == 0, "\(m.stderr)")
        let rows = try lines(dir + "/mix")
        for o in rows { #expect(Set(o.keys).isSubset(of: ["id", "messages", "source", "orig_id", "orig_source"]), "\(o.keys)") }
        let rep = try report(dir + "/mix/part.report.json")
        #expect(rep["dropped"]?["normalize: document record (use --document-as assistant)"]?.intValue == 60)
        #expect(rep["settings"]?["normalize"]?.stringValue == "chat")
        // Every mapped record is taken once (fraction 1.0): out = in - dropped.
        let dropped = rep["dropped"]?.objectValue?.entries.reduce(0) { $0 + ($1.value.intValue ?? 0) } ?? 0
        #expect(rows.count == (rep["records_in"]?.intValue ?? -1) - dropped)

        // A run recipe: a normalize stage, then a mix whose recipe normalizes to preference pairs.
        let run = dir + "/run.yaml"
        try """
        seed: 5
        sources:
          pool: {paths: [\(CLI.fixture("train/s1_pool.jsonl"))]}
          pref: {paths: [\(CLI.fixture("train/preference.jsonl"))]}
        stages:
          - name: pool_parquet
            kind: convert
            inputs: [pool]
            format: parquet
            row_group_size: 7
          - name: sft_chat
            kind: normalize
            inputs: [pool_parquet]
            to: chat
            thinking_format: think
            max_records: 10
          - name: pairs
            kind: mix
            inputs: [pref, sft_chat]
            normalize: {to: preference}
            sources:
              - {name: pref, input: pref, amount: {fraction: 1.0}}
              - {name: chat, input: sft_chat, amount: {fraction: 1.0}}
        """.write(toFile: run, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", run, "-o", dir + "/run", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        // The convert stage wrote Parquet shards; the normalize stage read them.
        let pm = try Manifest.load(Manifest.path(directory: dir + "/run/pool_parquet", prefix: "part"))
        #expect(pm.shards.allSatisfy { $0.file.hasSuffix(".parquet") } && pm.records == 40)
        let chat = try lines(dir + "/run/sft_chat")
        #expect(chat.count == 40)
        #expect(chat.allSatisfy { ($0["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "").hasPrefix("<think>\n") })
        let pairs = try lines(dir + "/run/pairs")
        #expect(pairs.count == 30)
        #expect(pairs.allSatisfy { Set($0.keys).isSubset(of: ["id", "prompt", "chosen", "rejected", "source", "orig_id", "orig_source"]) })
        // A normalize stage without `to` is refused, naming the stage.
        try String(contentsOfFile: run, encoding: .utf8).replacingOccurrences(of: "    to: chat\n", with: "")
            .write(toFile: run, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["run", run, "-o", dir + "/run2", "--quiet"])
        #expect(bad.status != 0 && bad.stderr.contains("to: chat"), "\(bad.stderr)")
    }
}
