import Curation
import Foundation
import Mixer
import Testing

@Suite struct ShuffleTests {
    func run(memory: Int, fanIn: Int, n: Int) throws -> ([[UInt8]], ExternalShuffler) {
        let dir = Fx.tempDir("shuffle\(memory)")
        let s = ExternalShuffler(memoryLimit: memory, tempDirectory: dir + "/spill", fanIn: fanIn)
        for i in 0..<n {
            // Repeated keys check the tie-break by arrival; sizes vary up to past the memory limit.
            let key = UInt64((i * 7_919) % 97)
            try s.add(key: key, Array("rec-\(i)-".utf8) + [UInt8](repeating: UInt8(i % 26 + 97), count: (i * 31) % 300))
        }
        var out: [[UInt8]] = []
        try s.finish { out.append(Array($0)) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/spill"), "spill directory removed")
        return (out, s)
    }

    @Test func tinyMemoryEqualsInMemory() throws {
        let (inMemory, a) = try run(memory: 1 << 30, fanIn: 64, n: 3000)
        let (spilled, b) = try run(memory: 2000, fanIn: 4, n: 3000)
        #expect(a.runsSpilled == 0)
        #expect(b.runsSpilled > 64) // several merge passes with fan-in 4
        #expect(inMemory.count == 3000)
        #expect(inMemory == spilled)
    }
}
