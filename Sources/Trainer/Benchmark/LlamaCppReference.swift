import Foundation

/// llama.cpp as the side-by-side reference of `bench generate`: the engine people run on CPUs, on the same
/// GGUF file and thread count. `llama-bench` measures one stream, `llama-batched-bench` (same folder) a batch
/// of sequences decoded together. Their output is outside data: every parse failure is a typed error, never a trap,
/// and a failed run is reported, so the rest of the benchmark goes on.
public enum LlamaCppReference {
    /// Why a llama.cpp run gave no figure.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The tool is not there or not executable.
        case missingTool(path: String)
        /// The tool could not be started, or exited with a non-zero status; `detail` is the tail of its stderr.
        case runFailed(tool: String, status: Int32, detail: String)
        /// The tool ran but its output holds no usable result row for the test asked for.
        case noResult(tool: String, reason: String)

        public var description: String {
            switch self {
            case .missingTool(let path): return "\(path): not found or not executable"
            case .runFailed(let tool, let status, let detail):
                return "\(tool) exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
            case .noResult(let tool, let reason): return "\(tool): \(reason)"
            }
        }
    }

    /// One measured decode: generated tokens per second over all sequences.
    public struct Measurement: Sendable, Equatable {
        public var tokensPerSecond: Double
        /// Sequences decoded together (1 for llama-bench).
        public var sequences: Int
        /// New tokens per sequence.
        public var newTokens: Int
        /// Threads the tool reported using, when it did.
        public var threads: Int?

        public init(tokensPerSecond: Double, sequences: Int, newTokens: Int, threads: Int?) {
            self.tokensPerSecond = tokensPerSecond
            self.sequences = sequences
            self.newTokens = newTokens
            self.threads = threads
        }
    }

    // MARK: - Command lines

    /// `llama-batched-bench` lives next to `llama-bench` in a llama.cpp build.
    public static func batchedBenchPath(nextTo llamaBench: String) -> String {
        URL(fileURLWithPath: llamaBench).deletingLastPathComponent().appendingPathComponent("llama-batched-bench").path
    }

    /// One stream, no prompt, `newTokens` generated, one repetition (runs alternate with ours, so each call is
    /// one sample; llama-bench warms up by itself), JSON lines out.
    public static func llamaBenchArguments(model: String, threads: Int, newTokens: Int) -> [String] {
        ["-m", model, "-t", String(threads), "-p", "0", "-n", String(newTokens), "-r", "1", "-o", "jsonl"]
    }

    /// `sequences` streams decoded together, `newTokens` each, no prompt; `-tb` too because llama.cpp uses the
    /// batch thread count whenever a decode step holds more than one token.
    public static func batchedBenchArguments(model: String, threads: Int, newTokens: Int, sequences: Int) -> [String] {
        let ctx = max(2048, sequences * (newTokens + 16))
        return ["-m", model, "-c", String(ctx), "-b", "2048", "-ub", "512", "-npp", "0", "-ntg", String(newTokens),
                "-npl", String(sequences), "-t", String(threads), "-tb", String(threads), "--output-format", "jsonl"]
    }

    // MARK: - Running

    /// Runs the right tool for `sequences` (llama-bench for 1, llama-batched-bench otherwise) and parses it.
    public static func measure(llamaBench: String, model: String, threads: Int, newTokens: Int,
                               sequences: Int) throws(Failure) -> Measurement {
        if sequences == 1 {
            let out = try run(llamaBench, llamaBenchArguments(model: model, threads: threads, newTokens: newTokens))
            return try parseLlamaBench(out, newTokens: newTokens)
        }
        let tool = batchedBenchPath(nextTo: llamaBench)
        let out = try run(tool, batchedBenchArguments(model: model, threads: threads, newTokens: newTokens, sequences: sequences))
        return try parseBatchedBench(out, sequences: sequences, newTokens: newTokens)
    }

    /// Runs a tool to completion; its stdout followed by its stderr (where llama.cpp prints its results and
    /// logs depends on the tool and version).
    public static func run(_ tool: String, _ arguments: [String]) throws(Failure) -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw .missingTool(path: tool) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        // stdout through a pipe, stderr into a temporary file: separate, so a log line can never land inside
        // a result line, and no second pipe can fill up and block the tool while the first is read.
        let errPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("curate-llamacpp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).err").path
        guard FileManager.default.createFile(atPath: errPath, contents: nil), let errFile = FileHandle(forWritingAtPath: errPath) else {
            throw .runFailed(tool: tool, status: -1, detail: "cannot create \(errPath)")
        }
        defer { try? errFile.close(); try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errFile
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw .runFailed(tool: tool, status: -1, detail: "\(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errText = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            let tail = errText.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / ")
            throw .runFailed(tool: URL(fileURLWithPath: tool).lastPathComponent, status: p.terminationStatus, detail: String(tail.prefix(500)))
        }
        let text = String(decoding: data, as: UTF8.self) + "\n" + errText
        return text
    }

    // MARK: - Parsing

    /// Tokens/s of the generation test (`n_prompt` 0, `n_gen` > 0) in `llama-bench` output: JSON lines
    /// (`-o jsonl`, field `avg_ts`) or, failing that, the default markdown table (`t/s` column, test `tgN`).
    /// With `newTokens`, only a test generating that many tokens counts.
    public static func parseLlamaBench(_ text: String, newTokens: Int? = nil) throws(Failure) -> Measurement {
        let tool = "llama-bench"
        for line in text.split(whereSeparator: \.isNewline) where line.drop(while: { $0 == " " }).first == "{" {
            let f = JSONLineFields(line)
            guard let nGen = f.int("n_gen"), nGen > 0, f.int("n_prompt") ?? 0 == 0 else { continue }
            if let newTokens, nGen != newTokens { continue }
            guard let ts = f.double("avg_ts"), ts.isFinite, ts > 0 else {
                throw .noResult(tool: tool, reason: "generation row without a positive avg_ts: \(line.prefix(200))")
            }
            return Measurement(tokensPerSecond: ts, sequences: 1, newTokens: nGen, threads: f.int("n_threads"))
        }
        let table = MarkdownTable(text, requiredColumns: ["test", "t/s"])
        for row in table.rows {
            guard let test = table.cell(row, "test"), test.hasPrefix("tg"), let nGen = Int(test.dropFirst(2)), nGen > 0,
                  let tsCell = table.cell(row, "t/s") else { continue }
            if let newTokens, nGen != newTokens { continue }
            // "243.12 ± 1.23": the mean comes first.
            let mean = tsCell.split(whereSeparator: { $0 == " " || $0 == "±" }).first.map(String.init) ?? ""
            guard let ts = Double(mean), ts.isFinite, ts > 0 else {
                throw .noResult(tool: tool, reason: "unreadable t/s cell '\(tsCell)'")
            }
            return Measurement(tokensPerSecond: ts, sequences: 1, newTokens: nGen,
                               threads: table.cell(row, "threads").flatMap { Int($0) })
        }
        throw .noResult(tool: tool, reason: "no generation result (tgN row) in its output" + excerpt(text))
    }

    /// Decode tokens/s (`speed_tg` / `S_TG t/s`: all sequences' new tokens over the decode time) of the row with
    /// `sequences` parallel sequences in `llama-batched-bench` output, JSON lines or the markdown table.
    public static func parseBatchedBench(_ text: String, sequences: Int, newTokens: Int? = nil) throws(Failure) -> Measurement {
        let tool = "llama-batched-bench"
        for line in text.split(whereSeparator: \.isNewline) where line.drop(while: { $0 == " " }).first == "{" {
            let f = JSONLineFields(line)
            guard f.int("pl") == sequences, let tg = f.int("tg"), tg > 0 else { continue }
            if let newTokens, tg != newTokens { continue }
            // speed_pp may be nan or inf with an empty prompt (0 tokens / ~0 s); only speed_tg is needed.
            guard let ts = f.double("speed_tg"), ts.isFinite, ts > 0 else {
                throw .noResult(tool: tool, reason: "row without a positive speed_tg: \(line.prefix(200))")
            }
            return Measurement(tokensPerSecond: ts, sequences: sequences, newTokens: tg, threads: f.int("n_threads_batch") ?? f.int("n_threads"))
        }
        let table = MarkdownTable(text, requiredColumns: ["B", "TG", "S_TG t/s"])
        for row in table.rows {
            guard let b = table.cell(row, "B").flatMap({ Int($0) }), b == sequences,
                  let tg = table.cell(row, "TG").flatMap({ Int($0) }), tg > 0 else { continue }
            if let newTokens, tg != newTokens { continue }
            guard let ts = table.cell(row, "S_TG t/s").flatMap({ Double($0) }), ts.isFinite, ts > 0 else {
                throw .noResult(tool: tool, reason: "unreadable S_TG t/s cell in row \(row)")
            }
            return Measurement(tokensPerSecond: ts, sequences: sequences, newTokens: tg, threads: nil)
        }
        throw .noResult(tool: tool, reason: "no result row for \(sequences) sequences in its output" + excerpt(text))
    }

    private static func excerpt(_ text: String) -> String {
        let tail = text.split(whereSeparator: \.isNewline).suffix(2).joined(separator: " / ")
        return tail.isEmpty ? " (empty)" : " (ends: \(tail.prefix(300)))"
    }
}

/// Scalar fields of one flat JSON line, read by name. Not a JSON parser on purpose: llama.cpp prints its
/// numbers with printf, so a line can hold `nan` or `inf` (e.g. `speed_pp` for an empty prompt), which a strict
/// parser rejects although the field wanted is fine. Strings and arrays are skipped, never misread as fields.
struct JSONLineFields {
    private var values: [String: String] = [:]

    init(_ line: Substring) {
        let s = Array(line.utf8)
        var i = 0
        func skipString() -> Int {
            // s[i] is the opening quote: returns the index just past the closing one (or the end).
            var j = i + 1
            while j < s.count {
                if s[j] == UInt8(ascii: "\\") { j += 2; continue }
                if s[j] == UInt8(ascii: "\"") { return j + 1 }
                j += 1
            }
            return s.count
        }
        var depth = 0
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "[") { depth += 1; i += 1; continue }
            if c == UInt8(ascii: "]") { depth -= 1; i += 1; continue }
            guard c == UInt8(ascii: "\"") else { i += 1; continue }
            let keyStart = i + 1
            let end = skipString()
            let keyEnd = max(keyStart, end - 1)
            i = end
            guard depth == 0 else { continue }
            var j = i
            while j < s.count, s[j] == UInt8(ascii: " ") { j += 1 }
            guard j < s.count, s[j] == UInt8(ascii: ":") else { continue }  // a string value, not a key
            j += 1
            while j < s.count, s[j] == UInt8(ascii: " ") { j += 1 }
            guard j < s.count, s[j] != UInt8(ascii: "\""), s[j] != UInt8(ascii: "["), s[j] != UInt8(ascii: "{") else { i = j; continue }
            var k = j
            while k < s.count, s[k] != UInt8(ascii: ","), s[k] != UInt8(ascii: "}"), s[k] != UInt8(ascii: " ") { k += 1 }
            let key = String(decoding: s[keyStart..<keyEnd], as: UTF8.self)
            let value = String(decoding: s[j..<k], as: UTF8.self)
            values[key] = value
            i = k
        }
    }

    func double(_ key: String) -> Double? { values[key].flatMap { Double($0) } }
    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
}

/// The rows of the first markdown table (`| a | b |`) whose header names all of `requiredColumns`.
struct MarkdownTable {
    private(set) var columns: [String: Int] = [:]
    private(set) var rows: [[String]] = []

    init(_ text: String, requiredColumns: [String]) {
        var inTable = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("|") else {
                if inTable { return }
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if !inTable {
                var cols: [String: Int] = [:]
                for (n, c) in cells.enumerated() where cols[c] == nil { cols[c] = n }
                if requiredColumns.allSatisfy({ cols[$0] != nil }) { columns = cols; inTable = true }
                continue
            }
            if cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } }) { continue }  // the |---|---| rule
            rows.append(cells)
        }
    }

    func cell(_ row: [String], _ column: String) -> String? {
        guard let n = columns[column], row.indices.contains(n) else { return nil }
        return row[n]
    }
}
