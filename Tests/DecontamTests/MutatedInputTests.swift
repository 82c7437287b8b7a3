import Curation
import Decontam
import Foundation
import Testing

/// Broken input must give counted, named errors and never a crash: the scan reads text straight from
/// raw JSON bytes (no JSON tree), so this feeds it thousands of randomly damaged records (bytes flipped,
/// deleted, duplicated, quotes, backslashes, brackets and invalid UTF-8 spliced in) under
/// `--on-error skip`, and checks every line is accounted for and 1 and 2 threads agree.
@Suite struct MutatedInputTests {
    static func mutate(_ line: [UInt8], _ next: () -> UInt64) -> [UInt8] {
        var b = line
        let specials: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x75, 0xFF, 0xC3, 0xE4, 0x00, 0x0A]
        for _ in 0..<(1 + Int(next() % 3)) where !b.isEmpty {
            let at = Int(next() % UInt64(b.count))
            switch next() % 5 {
            case 0: b[at] = specials[Int(next() % UInt64(specials.count))]
            case 1: b.remove(at: at)
            case 2: b.insert(specials[Int(next() % UInt64(specials.count))], at: at)
            case 3: b.removeSubrange(at..<b.count) // truncated
            default: b.insert(contentsOf: Array(#"\u12"#.utf8), at: at)
            }
        }
        return b.filter { $0 != 0x0A } // one record per line
    }

    @Test func damagedRecordsAreCountedNotFatal() throws {
        let dir = tempDir()
        let index = try PlantedFixtureTests.realIndex(dir)
        var lines: [[UInt8]] = []
        try RecordReader(files: [fixture("decontam/train-mix.jsonl")]).forEach { lines.append($0.bytes) }
        let escaped = #"{"id": "esc", "messages": [{"role": "user", "content": "caf\u00e9 \ud83d\ude00 \"q\" \\ back\nslash"}]}"#
        lines.append(Array(escaped.utf8))
        var seed: UInt64 = 2024
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        var damaged: [[UInt8]] = []
        for k in 0..<3000 { damaged.append(k % 10 == 0 ? lines[k % lines.count] : Self.mutate(lines[k % lines.count], next)) }
        let input = dir + "/damaged.jsonl"
        var text: [UInt8] = []
        for l in damaged { text += l; text.append(0x0A) }
        try AtomicFileWriter.write(text, to: input)
        var stages: [StageReport] = []
        for threads in [1, 2] {
            for action in [DecontamAction.drop, .tag] {
                let out = dir + "/out-\(threads)-\(action.rawValue)"
                var options = ScanOptions(output: out)
                options.errorPolicy = .skip
                options.threads = threads
                options.action = action
                options.batchBytes = 4096
                let report = try DecontamScan(index: try EvalIndexStore.load(path: index), options: options)
                    .run(inputs: [input], rejected: RejectedWriter(directory: out))
                let blank = damaged.filter { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }.count
                #expect(report.stage.recordsIn + blank == damaged.count)
                #expect(report.stage.recordsIn == report.stage.recordsOut + report.stage.droppedTotal)
                #expect(report.stage.dropped.keys.contains { $0.hasPrefix("rejected:") })
                if action == .drop { stages.append(report.stage) }
            }
        }
        #expect(stages.count == 2 && stages[0].dropped == stages[1].dropped && stages[0].recordsOut == stages[1].recordsOut)
    }
}
