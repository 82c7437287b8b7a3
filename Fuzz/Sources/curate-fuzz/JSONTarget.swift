import Curation
import Foundation

/// The JSON parser (whole values and the top-level field scan) and the RecordReader over a JSONL file
/// holding the input. Invariants: what parses writes back to bytes that parse to the same value, and
/// the reader accounts for every line (records + rejected + blank = lines).
enum JSONTarget: FuzzTarget {
    static let name = "json"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        if let value = try? JSONParser.parse(bytes) {
            let written = JSONWriter.bytes(value)
            let again = try? JSONParser.parse(written)
            invariant(again == value, "JSONWriter output does not parse back to the same value")
        }
        _ = try? JSONParser.scanTopLevel(bytes)
        readAsJSONL(bytes)
    }

    static func readAsJSONL(_ bytes: UnsafeRawBufferPointer) {
        let path = scratchFile("input.jsonl", bytes)
        let reader = RecordReader(files: [path], policy: .skip)
        var seen = 0
        do {
            try reader.forEach { _ in seen += 1 }
        } catch {
            return  // a typed error (e.g. compressed-looking bytes under a .jsonl name) is a fine outcome
        }
        // The reader drops a leading UTF-8 byte order mark, so a file of only a BOM holds no line.
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        let text = UnsafeRawBufferPointer(rebasing: bytes[(hasBOM ? 3 : 0)...])
        var lines = 0
        for b in text where b == 0x0A { lines += 1 }
        if let last = text.last, last != 0x0A { lines += 1 }
        let c = reader.counts
        invariant(seen == c.records, "handed out \(seen) records but counted \(c.records)")
        invariant(c.records + c.rejected + c.blankLines == lines,
                  "\(lines) lines but \(c.records) records + \(c.rejected) rejected + \(c.blankLines) blank")
    }
}
