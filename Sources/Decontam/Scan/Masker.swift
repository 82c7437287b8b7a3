/// NeMo Curator's masking rule (after GPT-3 and lm-eval's "janitor"): cut every matched span plus
/// `context` characters on each side; pieces shorter than `minPiece` characters are dropped, and a
/// document cut more than `maxCuts` times is dropped whole. Characters are Unicode scalars (Python's
/// string indices), so lengths agree with the Python tools.
public enum Masker {
    public enum Outcome: Equatable, Sendable {
        /// The pieces kept, in order.
        case pieces([String], cuts: Int)
        /// Nothing kept: `tooManyCuts` when cut more than `maxCuts` times, else every piece was too short.
        case dropped(tooManyCuts: Bool, cuts: Int)
    }

    /// Cuts `text` (UTF-8 bytes) at `spans` (byte ranges into it).
    public static func cut(_ text: [UInt8], spans: [Range<Int>], context: Int = 200, minPiece: Int = 200, maxCuts: Int = 10) -> Outcome {
        // Scalar index of every byte offset, and byte offset of every scalar.
        var scalarStart: [Int] = []
        scalarStart.reserveCapacity(text.count + 1)
        var byteToScalar = [Int](repeating: 0, count: text.count + 1)
        for (b, byte) in text.enumerated() {
            if byte & 0xC0 != 0x80 { scalarStart.append(b) }
            byteToScalar[b] = scalarStart.count - (byte & 0xC0 != 0x80 ? 1 : 0)
        }
        byteToScalar[text.count] = scalarStart.count
        let length = scalarStart.count
        scalarStart.append(text.count)
        // Matched spans in scalars, widened and merged.
        var cuts: [Range<Int>] = []
        for s in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let lo = max(0, byteToScalar[min(s.lowerBound, text.count)] - context)
            let hi = min(length, byteToScalar[min(s.upperBound, text.count)] + context)
            if let last = cuts.last, lo <= last.upperBound {
                cuts[cuts.count - 1] = last.lowerBound..<max(last.upperBound, hi)
            } else {
                cuts.append(lo..<hi)
            }
        }
        if cuts.count > maxCuts { return .dropped(tooManyCuts: true, cuts: cuts.count) }
        var pieces: [String] = []
        var at = 0
        for c in cuts + [length..<length] {
            if c.lowerBound - at >= minPiece {
                pieces.append(String(decoding: text[scalarStart[at]..<scalarStart[c.lowerBound]], as: UTF8.self))
            }
            at = c.upperBound
        }
        return pieces.isEmpty ? .dropped(tooManyCuts: false, cuts: cuts.count) : .pieces(pieces, cuts: cuts.count)
    }
}
