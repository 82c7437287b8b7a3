import Foundation
import Testing
import Trainer

/// The parsers of llama.cpp's benchmark output (`bench generate --llama-bench`), on outputs captured from real
/// runs (Fixtures/llamacpp, see its README) and on damaged ones: a figure or a typed error, never a trap.
@Suite struct LlamaCppReferenceTests {
    func capture(_ name: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/llamacpp").appendingPathComponent(name), encoding: .utf8)
    }

    func isNoResult(_ body: () throws(LlamaCppReference.Failure) -> LlamaCppReference.Measurement) -> Bool {
        do { _ = try body(); return false } catch {
            if case .noResult = error { return true }
            return false
        }
    }

    // MARK: real captures

    @Test func llamaBenchJSONLinesCapture() throws {
        let m = try LlamaCppReference.parseLlamaBench(try capture("llama-bench.jsonl"), newTokens: 64)
        #expect(m == .init(tokensPerSecond: 0.467508, sequences: 1, newTokens: 64, threads: 2))
    }

    @Test func llamaBenchMarkdownCapture() throws {
        let m = try LlamaCppReference.parseLlamaBench(try capture("llama-bench.md"), newTokens: 16)
        #expect(m == .init(tokensPerSecond: 0.09, sequences: 1, newTokens: 16, threads: 2))
    }

    @Test func batchedBenchJSONLinesCapture() throws {
        let text = try capture("llama-batched-bench.jsonl")
        let m = try LlamaCppReference.parseBatchedBench(text, sequences: 8, newTokens: 16)
        #expect(m == .init(tokensPerSecond: 0.649985, sequences: 8, newTokens: 16, threads: 2))
        // Another batch size is not silently taken instead.
        #expect(isNoResult { () throws(LlamaCppReference.Failure) in try LlamaCppReference.parseBatchedBench(text, sequences: 4) })
    }

    @Test func batchedBenchMarkdownCapture() throws {
        let text = try capture("llama-batched-bench.md")
        let m = try LlamaCppReference.parseBatchedBench(text, sequences: 8, newTokens: 16)
        #expect(m == .init(tokensPerSecond: 1.51, sequences: 8, newTokens: 16, threads: nil))
        // The one-sequence row of the same table (its S_PP is "-nan").
        #expect(try LlamaCppReference.parseBatchedBench(text, sequences: 1).tokensPerSecond == 0.11)
    }

    // MARK: exact values and damaged output

    @Test func readsTheExactFieldNotALookalike() throws {
        // A string value that looks like a field, an array of samples, and the generation row after a prompt row.
        let text = """
        {"cpu_info": "x \\"avg_ts\\": 1.0", "n_threads": 2, "n_prompt": 512, "n_gen": 0, "avg_ts": 900.5, "samples_ts": [ 900.5 ]}
        {"cpu_info": "x", "n_threads": 3, "n_prompt": 0, "n_gen": 64, "samples_ts": [ 1.5, 2.5 ], "avg_ts": 243.125}
        """
        let m = try LlamaCppReference.parseLlamaBench(text)
        #expect(m == .init(tokensPerSecond: 243.125, sequences: 1, newTokens: 64, threads: 3))
        // Asking for 128 new tokens does not take the 64-token row.
        #expect(isNoResult { () throws(LlamaCppReference.Failure) in try LlamaCppReference.parseLlamaBench(text, newTokens: 128) })
    }

    @Test func batchedBenchToleratesNaNInOtherFields() throws {
        // An empty prompt gives speed_pp = 0/0, printed by printf as nan: not JSON, but speed_tg is fine.
        let line = #"{"n_kv_max": 2048, "n_threads": 2, "n_threads_batch": 2, "pp": 0, "tg": 64, "pl": 8, "n_kv": 512, "t_pp": 0.000000, "speed_pp": -nan, "t_tg": 1.78, "speed_tg": 287.500000, "t": 1.78, "speed": 287.5}"#
        let m = try LlamaCppReference.parseBatchedBench(line, sequences: 8)
        #expect(m == .init(tokensPerSecond: 287.5, sequences: 8, newTokens: 64, threads: 2))
    }

    @Test func damagedOutputIsATypedError() {
        let cases: [String] = [
            "",
            "error: unable to load model\n",
            #"{"n_prompt": 0, "n_gen": 64, "avg_ts": nan}"#,
            #"{"n_prompt": 0, "n_gen": 64, "avg_ts": -3}"#,
            #"{"n_prompt": 0, "n_gen": 64, "avg_ts": "#,          // cut off
            "| model | threads | test | t/s |\n| --- | --: | --: | --: |\n| llama | 2 | tg64 | fast |\n",
            "| model | test | t/s |\n| llama | tg64 |\n",                          // short row
            "{\u{0}\u{FFFF}\"n_gen\": 64}",
        ]
        for text in cases {
            #expect(isNoResult { () throws(LlamaCppReference.Failure) in try LlamaCppReference.parseLlamaBench(text) }, "\(text)")
            #expect(isNoResult { () throws(LlamaCppReference.Failure) in try LlamaCppReference.parseBatchedBench(text, sequences: 8) }, "\(text)")
        }
    }

    @Test func markdownBatchedBenchReadsTheRowOfTheBatch() throws {
        let text = """
        |    PP |     TG |    B |   N_KV |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s |      T s |    S t/s |
        |-------|--------|------|--------|----------|----------|----------|----------|----------|----------|
        |     0 |     64 |    1 |     64 |    0.000 |     0.00 |    0.300 |   213.33 |    0.300 |   213.33 |
        |     0 |     64 |    8 |    512 |    0.000 |     -nan |    1.780 |   287.64 |    1.780 |   287.64 |
        """
        #expect(try LlamaCppReference.parseBatchedBench(text, sequences: 8).tokensPerSecond == 287.64)
        #expect(try LlamaCppReference.parseBatchedBench(text, sequences: 1).tokensPerSecond == 213.33)
    }

    @Test func missingToolIsReportedNotRun() {
        do {
            _ = try LlamaCppReference.measure(llamaBench: "/nonexistent/llama-bench", model: "m.gguf", threads: 2, newTokens: 8, sequences: 1)
            Issue.record("expected a failure")
        } catch {
            #expect(error == .missingTool(path: "/nonexistent/llama-bench"))
        }
        #expect(LlamaCppReference.batchedBenchPath(nextTo: "/opt/ll/bin/llama-bench") == "/opt/ll/bin/llama-batched-bench")
    }

    @Test func failingToolIsARunFailure() throws {
        // /bin/false stands in for a tool that exits non-zero (e.g. a model it cannot load).
        do {
            _ = try LlamaCppReference.run("/bin/false", [])
            Issue.record("expected a failure")
        } catch {
            guard case .runFailed(_, let status, _) = error else { Issue.record("\(error)"); return }
            #expect(status != 0)
        }
    }
}
