import ArgumentParser
import Curation
import Foundation

/// `curate-tool langid`: language identification per line (JSONL records or plain text lines), and the
/// `--eval` mode Benchmarks/langid_bench.sh runs: per-language accuracy on labelled text, and speed on one core.
struct LangID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "langid",
        abstract: "Identify the language of each line (ISO 639-1 code and confidence).",
        discussion: """
        A line that is a JSON object is written back with "lang" and "lang_confidence" added (from its --field, \
        default "text"); any other line becomes {"text", "lang", "lang_confidence"}. "lang" is null when the text \
        has no letters. With --eval FILE (JSONL of {"text", "lang", "kind"?}), prints accuracy per language and \
        kind, the overall accuracy, the most frequent confusions, and MB/s over --passes timed passes (median).
        """
    )

    @Argument(help: "Input files (JSONL or text lines); none or '-' reads standard input.")
    var inputs: [String] = []

    @Option(name: .long, help: "The text field of JSON records.")
    var field = "text"

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Option(name: .long, help: "Evaluate on labelled JSONL ({\"text\", \"lang\", \"kind\"?}) instead.")
    var eval: String?

    @Option(name: .long, help: "Timed passes over the --eval texts (the median is reported).")
    var passes = 3

    func run() throws {
        do { try LanguageID.checkModel() } catch { throw ValidationError(error.description) }
        if let eval { return try evaluate(eval) }
        let out: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw CurationError.io(path: output, reason: "cannot create")
            }
            out = h
        } else {
            out = FileHandle.standardOutput
        }
        var buffer: [UInt8] = []
        for path in inputs.isEmpty ? ["-"] : inputs {
            try forEachLine(path) { line in
                var o: JSONObject
                if line.first == UInt8(ascii: "{"), case .object(let record)? = try? JSONParser.parse(line) {
                    o = record
                    if case .string(let text)? = record[field] {
                        let g = LanguageID.identify(text)
                        o["lang"] = g.map { .string($0.language) } ?? .null
                        o["lang_confidence"] = .double(g?.confidence ?? 0)
                    } else {
                        o["lang"] = .null
                        o["lang_confidence"] = .double(0)
                    }
                } else {
                    let guess = line.withUnsafeBytes { LanguageID.identify(utf8: $0) }
                    o = JSONObject()
                    o["text"] = .string(String(decoding: line, as: UTF8.self))
                    o["lang"] = guess.map { .string($0.language) } ?? .null
                    o["lang_confidence"] = .double(guess?.confidence ?? 0)
                }
                JSONWriter.write(.object(o), into: &buffer)
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 { out.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            }
        }
        out.write(Data(buffer))
    }

    /// Calls `body` with each line of `path` (without its newline), reading 1 MiB at a time.
    private func forEachLine(_ path: String, _ body: ([UInt8]) throws -> Void) throws {
        let handle: FileHandle
        if path == "-" { handle = FileHandle.standardInput } else {
            guard let h = FileHandle(forReadingAtPath: path) else { throw CurationError.io(path: path, reason: "cannot open") }
            handle = h
        }
        var pending: [UInt8] = []
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                try body(Array(pending[start..<nl]))
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try body(pending) }
    }

    private func evaluate(_ path: String) throws {
        var texts: [(text: String, lang: String, kind: String)] = []
        try RecordReader(files: [path]).forEach { record in
            texts.append((try record.requiredString("text"), try record.requiredString("lang"),
                          (try record.value("kind"))?.stringValue ?? "text"))
        }
        var right: [String: Int] = [:], seen: [String: Int] = [:], confusions: [String: Int] = [:]
        var confidenceRight = 0.0, confidenceWrong = 0.0, nWrong = 0
        var keptAtFloor = 0, rightAtFloor = 0  // the mix filter's default floor
        for t in texts {
            let guess = LanguageID.identify(t.text)
            if let g = guess, g.confidence >= 0.65 {
                keptAtFloor += 1
                if g.language == t.lang { rightAtFloor += 1 }
            }
            let key = "\(t.kind)\t\(t.lang)"
            seen[key, default: 0] += 1
            if guess?.language == t.lang {
                right[key, default: 0] += 1
                confidenceRight += guess?.confidence ?? 0
            } else {
                confusions["\(t.lang)->\(guess?.language ?? "nil")", default: 0] += 1
                confidenceWrong += guess?.confidence ?? 0
                nWrong += 1
            }
        }
        let kinds = Set(texts.map(\.kind)).sorted()
        let langs = Set(texts.map(\.lang)).sorted()
        var report = "language  " + kinds.map { $0.padding(toLength: 20, withPad: " ", startingAt: 0) }.joined() + "\n"
        for lang in langs {
            report += lang.padding(toLength: 10, withPad: " ", startingAt: 0)
            for kind in kinds {
                let n = seen["\(kind)\t\(lang)"] ?? 0, r = right["\(kind)\t\(lang)"] ?? 0
                let cell = n == 0 ? "-" : String(format: "%6.2f%% (%d/%d)", 100 * Double(r) / Double(n), r, n)
                report += cell.padding(toLength: 20, withPad: " ", startingAt: 0)
            }
            report += "\n"
        }
        for kind in kinds {
            let n = seen.filter { $0.key.hasPrefix(kind + "\t") }.values.reduce(0, +)
            let r = right.filter { $0.key.hasPrefix(kind + "\t") }.values.reduce(0, +)
            let perLang = langs.compactMap { l -> Double? in
                guard let n = seen["\(kind)\t\(l)"], n > 0 else { return nil }
                return Double(right["\(kind)\t\(l)"] ?? 0) / Double(n)
            }
            report += String(format: "overall %@: %.2f%% (%d/%d); mean of per-language accuracies %.2f%%; lowest %.2f%%\n", kind,
                             100 * Double(r) / Double(max(n, 1)), r, n, 100 * perLang.reduce(0, +) / Double(max(perLang.count, 1)),
                             100 * (perLang.min() ?? 0))
        }
        let total = seen.values.reduce(0, +), correct = right.values.reduce(0, +)
        report += String(format: "overall: %.2f%% (%d/%d)\n", 100 * Double(correct) / Double(max(total, 1)), correct, total)
        report += String(format: "mean confidence: right %.3f, wrong %.3f\n", confidenceRight / Double(max(correct, 1)),
                         confidenceWrong / Double(max(nWrong, 1)))
        report += String(format: "confidence >= 0.65 (the mix filter's default): %.2f%% of texts, %.2f%% of those right\n",
                         100 * Double(keptAtFloor) / Double(max(total, 1)), 100 * Double(rightAtFloor) / Double(max(keptAtFloor, 1)))
        let top = confusions.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(15)
        report += "confusions (gold->guess): " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"

        // Speed: the identifier alone over every text, one thread, `passes` times.
        let bytes = texts.reduce(0) { $0 + $1.text.utf8.count }
        var rates: [Double] = []
        var sink = 0
        for _ in 0..<max(1, passes) {
            let start = DispatchTime.now().uptimeNanoseconds
            for t in texts { sink &+= LanguageID.identify(t.text)?.language.utf8.count ?? 0 }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(bytes) / 1e6 / max(seconds, 1e-9))
        }
        let sorted = rates.sorted()
        report += String(format: "speed: %d texts, %.2f MB, one thread: %@ MB/s; median %.1f MB/s (checksum %d)\n",
                         texts.count, Double(bytes) / 1e6, rates.map { String(format: "%.1f", $0) }.joined(separator: ", "),
                         sorted[sorted.count / 2], sink)
        print(report, terminator: "")
    }
}
