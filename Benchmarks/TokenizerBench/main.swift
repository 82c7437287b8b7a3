// Tokenizer benchmark (built by Benchmarks/tokenizer_bench.sh, not part of the package).
//   encode <tokenizer.json> <text files...>   MB/s of encoding (cold cache = first pass, warm = later passes)
//   train <vocab> <text file> [out.json] [gpt2|smollm]   seconds to train a byte-level BPE on the file (one text per line)
//   ids <tokenizer.json> <in.jsonl> <out.jsonl>  writes {"ids": [...]} per {"text": ...} line (for tokenizer_parity.py)
//   resave <tokenizer.json> <out.json>            loads and saves again (for tokenizer_parity.py)
import Foundation

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU time of this thread: encoding is single-threaded, and the machine is shared, so this is the
/// steadier measure (wall-clock figures are printed too).
func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

/// Texts of a file: the string values of JSONL records, or the lines of plain text.
func texts(_ path: String) throws -> [String] {
    let s = try String(contentsOfFile: path, encoding: .utf8)
    var out: [String] = []
    for line in s.split(separator: "\n") {
        if path.hasSuffix(".jsonl"), let v = try? JSONParser.parse(String(line)), case .object(let o) = v {
            for e in o.entries { if let t = e.value.stringValue { out.append(t) } }
        } else {
            out.append(String(line) + "\n")
        }
    }
    return out
}

let args = CommandLine.arguments
guard args.count >= 3 else { print("usage: bench encode TOKENIZER FILES... | bench train VOCAB FILE [OUT]"); exit(2) }
switch args[1] {
case "encode":
    let all = try args[3...].flatMap { try texts($0) }
    let bytes = all.reduce(0) { $0 + $1.utf8.count }
    var cold: [Double] = [], warm: [Double] = [], coldWall: [Double] = [], warmWall: [Double] = []
    var tokens = 0
    for _ in 0..<7 {
        let tok = try BPETokenizer.load(path: args[2])
        var t0 = now(), c0 = cpu()
        tokens = 0
        for t in all { tokens += tok.encode(t).count }
        cold.append(Double(bytes) / 1e6 / (cpu() - c0)); coldWall.append(Double(bytes) / 1e6 / (now() - t0))
        t0 = now(); c0 = cpu()
        for _ in 0..<3 { for t in all { _ = tok.encode(t) } }
        warm.append(Double(bytes) * 3 / 1e6 / (cpu() - c0)); warmWall.append(Double(bytes) * 3 / 1e6 / (now() - t0))
    }
    let t0 = now()
    _ = try BPETokenizer.load(path: args[2])
    print("load: \(String(format: "%.2f", now() - t0)) s")
    print("text: \(bytes) bytes, \(all.count) texts, \(tokens) tokens (\(String(format: "%.2f", Double(bytes) / Double(tokens))) bytes/token)")
    print("encode cold cache: \(String(format: "%.1f", median(cold))) MB/s CPU time, \(String(format: "%.1f", median(coldWall))) MB/s wall (medians of 7)")
    print("encode warm cache: \(String(format: "%.1f", median(warm))) MB/s CPU time, \(String(format: "%.1f", median(warmWall))) MB/s wall (medians of 7)")
case "train":
    guard let vocab = Int(args[2]), args.count >= 4 else { print("train VOCAB FILE [OUT]"); exit(2) }
    let t0 = now()
    let all = try texts(args[3])
    let t1 = now()
    let bytes = all.reduce(0) { $0 + $1.utf8.count }
    let pre = args.count >= 6 ? (PreTokenizerKind(rawValue: args[5]) ?? .gpt2) : .gpt2
    let tok = try BPETrainer.train(texts: all, vocabSize: vocab, preTokenizer: pre)
    let t2 = now()
    print("read: \(String(format: "%.1f", t1 - t0)) s; train \(bytes / 1_000_000) MB to \(tok.vocabSize) tokens: \(String(format: "%.1f", t2 - t1)) s")
    if args.count >= 5 { try tok.save(to: args[4]); print("saved \(args[4])") }
case "ids":
    guard args.count >= 5 else { exit(2) }
    let tok = try BPETokenizer.load(path: args[2])
    var out = ""
    for line in try String(contentsOfFile: args[3], encoding: .utf8).split(separator: "\n") {
        let text = try JSONParser.parse(String(line))["text"]?.stringValue ?? ""
        out += JSONWriter.string(.object(JSONObject(["ids": .array(tok.encode(text).map { .int(Int($0)) })]))) + "\n"
    }
    try out.write(toFile: args[4], atomically: true, encoding: .utf8)
case "resave":
    guard args.count >= 4 else { exit(2) }
    try BPETokenizer.load(path: args[2]).save(to: args[3])
default:
    print("unknown command \(args[1])"); exit(2)
}
