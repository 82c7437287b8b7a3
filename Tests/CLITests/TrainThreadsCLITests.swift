import Foundation
import Testing

/// `sft` and `dpo` write the same checkpoint bytes whatever `--threads` is (README: the outputs of
/// the long-running subcommands are identical for any value).
@Suite(.serialized) struct TrainThreadsCLITests {
    /// A config big enough that the products are split into parts (4 rows of 128 tokens against a
    /// 300-token vocabulary) and the norms' weight gradients are summed over several parts.
    static func setUp() throws -> String {
        let dir = CLI.tempDir("train-threads")
        try #"{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}"#
            .write(toFile: dir + "/small.json", atomically: true, encoding: .utf8)
        for (name, n) in [("chat.jsonl", 12), ("preference.jsonl", 6)] {
            let text = try String(contentsOfFile: CLI.fixture("train/" + name), encoding: .utf8)
            try (text.split(separator: "\n").prefix(n).joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func sftAndDPOCheckpointsAreTheSameBytesFor1To3Threads() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var sft: [Data] = [], dpo: [Data] = []
        for t in ["1", "2", "3"] {
            let s = try CLI.run(["sft", "--init", dir + "/small.json", "--vocab-size", "300", "--data", dir + "/chat.jsonl",
                                 "--output", dir + "/sft" + t, "--max-length", "128", "--batch-size", "4", "--epochs", "2",
                                 "--lr", "0.01", "--threads", t, "--quiet"])
            #expect(s.status == 0, "\(s.stderr)")
            sft.append(try #require(FileManager.default.contents(atPath: dir + "/sft\(t)/model.safetensors")))
            // DPO from the 1-thread SFT model each time, so only the DPO run's thread count differs.
            let d = try CLI.run(["dpo", "--model", dir + "/sft1", "--data", dir + "/preference.jsonl", "--output", dir + "/dpo" + t,
                                 "--max-length", "128", "--batch-size", "3", "--loss", "sigmoid", "--beta", "0.5", "--lr", "0.001",
                                 "--threads", t, "--quiet"])
            #expect(d.status == 0, "\(d.stderr)")
            dpo.append(try #require(FileManager.default.contents(atPath: dir + "/dpo\(t)/model.safetensors")))
        }
        #expect(sft[0].count > 100_000)
        #expect(sft[1] == sft[0], "sft --threads 2")
        #expect(sft[2] == sft[0], "sft --threads 3")
        #expect(dpo[1] == dpo[0], "dpo --threads 2")
        #expect(dpo[2] == dpo[0], "dpo --threads 3")
        // Training moved the weights (the comparison is not between two untouched initialisations).
        #expect(dpo[0] != sft[0])
    }
}
