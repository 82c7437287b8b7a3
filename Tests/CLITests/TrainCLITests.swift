import Foundation
import Testing

/// End-to-end checks of sft / dpo / score / convert-model on a tiny model (hidden 16, 1 layer).
@Suite(.serialized) struct TrainCLITests {
    /// A tiny config and the first records of the chat and preference fixtures.
    static func setUp() throws -> String {
        let dir = CLI.tempDir("train")
        try #"{"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}"#
            .write(toFile: dir + "/tiny.json", atomically: true, encoding: .utf8)
        for (name, n) in [("chat.jsonl", 6), ("preference.jsonl", 4)] {
            let text = try String(contentsOfFile: CLI.fixture("train/" + name), encoding: .utf8)
            try (text.split(separator: "\n").prefix(n).joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func sft(_ dir: String, _ out: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["sft", "--init", dir + "/tiny.json", "--vocab-size", "300", "--data", dir + "/chat.jsonl", "--output", out,
                     "--max-length", "64", "--batch-size", "2", "--epochs", "2", "--lr", "0.01", "--threads", "1", "--quiet"] + extra)
    }

    @Test func sftResumedRunEndsWithTheSameWeights() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = try Self.sft(dir, dir + "/full")
        #expect(full.status == 0, "\(full.stderr)")
        let part = try Self.sft(dir, dir + "/part", ["--stop-after", "2", "--save-every", "1"])
        #expect(part.status == 0, "\(part.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/part/checkpoint/trainer_state.json"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/part/model.safetensors"))
        let resumed = try Self.sft(dir, dir + "/part", ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = FileManager.default.contents(atPath: dir + "/full/model.safetensors")
        let b = FileManager.default.contents(atPath: dir + "/part/model.safetensors")
        #expect(a != nil && a == b)
        let metrics = try String(contentsOfFile: dir + "/part/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let fullMetrics = try String(contentsOfFile: dir + "/full/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(metrics.count == fullMetrics.count)
        for name in ["config.json", "tokenizer.json", "tokenizer_config.json", "report.json", "checkpoint/optimizer.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/full/" + name), "\(name)")
        }

        // DPO from the SFT model: the second run reuses every cached reference log-prob.
        let args = ["dpo", "--model", dir + "/full", "--data", dir + "/preference.jsonl", "--max-length", "128",
                    "--batch-size", "2", "--loss", "sigmoid", "--beta", "0.5", "--threads", "1", "--quiet", "--json"]
        let d1 = try CLI.run(args + ["--output", dir + "/dpo1", "--reference-cache", dir + "/ref.jsonl"])
        #expect(d1.status == 0, "\(d1.stderr)")
        #expect(d1.stdout.contains("\"references_computed\" : 4") || d1.stdout.contains("\"references_computed\": 4"), "\(d1.stdout)")
        let d2 = try CLI.run(args + ["--output", dir + "/dpo2", "--reference-cache", dir + "/ref.jsonl"])
        #expect(d2.status == 0, "\(d2.stderr)")
        #expect(d2.stdout.contains("\"references_computed\" : 0") || d2.stdout.contains("\"references_computed\": 0"), "\(d2.stdout)")
        let dm = try String(contentsOfFile: dir + "/dpo2/metrics.jsonl", encoding: .utf8)
        for key in ["\"loss\"", "\"chosen_reward\"", "\"rejected_reward\"", "\"reward_accuracy\"", "\"margin\""] { #expect(dm.contains(key)) }

        // Score: per-token values sum to the total; preference records give one line per side.
        try #"{"id":"a","prompt":"Garden puzzle","completion":" code about the garden."}"#.write(toFile: dir + "/pc.jsonl", atomically: true, encoding: .utf8)
        let s = try CLI.run(["score", "--model", dir + "/full", "--input", dir + "/pc.jsonl", "--output", dir + "/scored.jsonl", "--tokens", "--quiet"])
        #expect(s.status == 0, "\(s.stderr)")
        let line = try String(contentsOfFile: dir + "/scored.jsonl", encoding: .utf8)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let toks = try #require(obj["token_logprobs"] as? [Double])
        #expect(toks.count == obj["n_tokens"] as? Int && toks.count > 0)
        #expect(abs(toks.reduce(0, +) - (obj["sum_logprob"] as? Double ?? 0)) < 1e-6)
        let sp = try CLI.run(["score", "--model", dir + "/full", "--input", dir + "/preference.jsonl", "--output", dir + "/scored2.jsonl", "--quiet"])
        #expect(sp.status == 0, "\(sp.stderr)")
        #expect(try String(contentsOfFile: dir + "/scored2.jsonl", encoding: .utf8).split(separator: "\n").count == 8)

        // convert-model of a folder gives the same weights.
        let c = try CLI.run(["convert-model", "--input", dir + "/full", "--output", dir + "/copy", "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(FileManager.default.contents(atPath: dir + "/copy/model.safetensors") == a)
    }

    @Test func sftRejectsBadArguments() throws {
        let r = try CLI.run(["sft", "--data", "x.jsonl", "--output", CLI.tempDir("bad")])
        #expect(r.status != 0 && r.stderr.contains("--model or --init"))
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let noCkpt = try Self.sft(dir, dir + "/none", ["--resume"])
        #expect(noCkpt.status != 0 && noCkpt.stderr.contains("no checkpoint"))
    }
}
