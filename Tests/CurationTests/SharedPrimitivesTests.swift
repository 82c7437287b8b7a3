import Curation
import Foundation
import Testing

/// Issue 13 item 21: the one ordered-parallel map and the one SWAR byte scan every stage shares.
@Suite struct SharedPrimitivesTests {
    /// Outputs alive (made by a worker, not yet consumed), and the most seen at once.
    final class Live: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var peak = 0
        func made() { lock.lock(); now += 1; peak = max(peak, now); lock.unlock() }
        func consumed() { lock.lock(); now -= 1; lock.unlock() }
    }

    @Test(arguments: [1, 2, 4])
    func submitKeepsOrderAndBoundsWhatIsInFlight(threads: Int) throws {
        let live = Live()
        let p = OrderedParallel<Int, Int>(threads: threads, maxInFlight: 5) { i in
            if i % 7 == 0 { usleep(200) } // out-of-order finishing
            live.made()
            return i * 2
        }
        var got: [Int] = []
        for i in 0..<300 { try p.submit(i) { got.append($0); live.consumed() } }
        try p.drain { got.append($0); live.consumed() }
        #expect(got == (0..<300).map { $0 * 2 })
        #expect(live.peak <= 5, "\(live.peak) outputs alive at once")
    }

    @Test(arguments: [1, 2, 4])
    func runOverlapsAProducerThreadInOrderAndBounded(threads: Int) throws {
        let live = Live()
        var got: [Int] = []
        try OrderedParallel.run(threads: threads, maxInFlight: 6, produce: { emit in
            for i in 0..<500 { try emit(i) }
        }, transform: { (i: Int) -> Int in
            if i % 5 == 0 { usleep(100) }
            live.made()
            return i + 1
        }, consume: { got.append($0); live.consumed() })
        #expect(got == Array(1...500))
        #expect(live.peak <= 7, "\(live.peak) outputs alive at once") // 6 in flight + the one being consumed
    }

    struct Stop: Error {}

    @Test func runPassesOnTheFirstErrorAndStopsTheProducer() throws {
        var emitted = 0
        #expect(throws: Stop.self) {
            try OrderedParallel.run(threads: 2, produce: { emit in
                for i in 0..<100_000 { emitted += 1; try emit(i) }
            }, transform: { (i: Int) in i }, consume: { if $0 == 10 { throw Stop() } })
        }
        #expect(emitted < 100_000) // the producer was stopped, not drained to the end
        #expect(throws: Stop.self) {
            try OrderedParallel.run(threads: 2, produce: { emit in
                try emit(1)
                throw Stop()
            }, transform: { (i: Int) in i }, consume: { _ in })
        }
    }

    // MARK: - SWAR

    func word(_ b: [UInt8]) -> UInt64 { b.withUnsafeBytes { SWAR.load($0.baseAddress!) } }

    @Test func byteTestsAgreeWithTheByteAtATimeDefinitions() {
        var rng = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0, 0x08, 0x09, 0x0D, 0x0E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x2F, 0x30, 0x39, 0x3A,
                                    0x5B, 0x5C, 0x5D, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            let b = (0..<8).map { _ in Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
            let x = word(b)
            let quoteOrBackslash: Bool = b.contains { (c: UInt8) -> Bool in c == 0x22 || c == 0x5C }
            let special: Bool = b.contains { (c: UInt8) -> Bool in c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 }
            #expect(SWAR.hasQuoteOrBackslash(x) == quoteOrBackslash)
            #expect(SWAR.hasJSONStringSpecial(x) == special)
            let zero = SWAR.zeroBytesExact(x), atLeast = SWAR.atLeast(x & SWAR.low, 0x30), below = SWAR.below(x & SWAR.low, 0x3A)
            for (k, c) in b.enumerated() {
                let shift = UInt64(8 * k + 7)
                #expect((zero >> shift) & 1 == (c == 0 ? 1 : 0))
                if c < 0x80 {
                    #expect((atLeast >> shift) & 1 == (c >= 0x30 ? 1 : 0))
                    #expect((below >> shift) & 1 == (c < 0x3A ? 1 : 0))
                }
            }
        }
    }

    @Test func skipsStopAtTheWordHoldingTheByte() {
        for at in 0..<40 {
            var b = [UInt8](repeating: 0x61, count: 40)
            b[at] = 0x5C
            b.withUnsafeBufferPointer { p in
                let j = SWAR.skipToQuoteOrBackslash(p.baseAddress!, from: 0, end: 40)
                #expect(j <= at && (at - j < 8 || j + 8 > 40))
                let k = SWAR.skipToJSONStringSpecial(p.baseAddress!, from: 0, end: 40)
                #expect(k == j)
            }
        }
    }

    @Test func whitespaceCountMatchesTheByteLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x08, 0x61, 0x2E, 0xC3, 0xA9, 0xA0]
        for _ in 0..<2000 {
            let n = Int.random(in: 0..<40, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            let text = String(decoding: bytes, as: UTF8.self)
            var words = 0
            var prevSpace = true
            for c in text.utf8 {
                let space = c == 0x20 || (c >= 0x09 && c <= 0x0D)
                if !space && prevSpace { words += 1 }
                prevSpace = space
            }
            #expect(WhitespaceTokenCounter().countTokens(text) == words, "\(bytes)")
        }
    }
}
