import Curation
import Foundation

/// One preference pair as token sequences: the whole conversation of each side, with the completion
/// (the turns after the shared prompt) marked as the tokens whose log-probabilities count.
public struct PreferenceExample: Sendable, Equatable {
    public var id: String
    public var chosen: TokenBatch.Example
    public var rejected: TokenBatch.Example
    /// A hash of both sides' tokens and masks: the reference cache's key beside the id.
    public var contentHash: String
    public var chosenTokens: Int { chosen.lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }
    public var rejectedTokens: Int { rejected.lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    public init(id: String, chosen: TokenBatch.Example, rejected: TokenBatch.Example) {
        self.id = id; self.chosen = chosen; self.rejected = rejected
        let h = XXH128Stream()
        for e in [chosen, rejected] {
            e.tokens.withUnsafeBytes { h.update($0) }
            h.update(e.lossMask.map { $0 ? 1 : 0 })
            h.update([0xFF])
        }
        contentHash = h.hexDigest()
    }
}

/// Builds preference examples from Tulu 3 or TRL records (via `Preference`) with a chat template.
public struct PreferenceExampleBuilder {
    public let tokenizer: BPETokenizer
    public let template: ChatTemplate
    public var maxLength: Int

    public init(tokenizer: BPETokenizer, template: ChatTemplate, maxLength: Int) {
        self.tokenizer = tokenizer; self.template = template; self.maxLength = maxLength
    }

    /// Tokens of `prompt + completion` rendered as one conversation, with only the completion's assistant
    /// content (and end-of-turn tokens) marked. Cut to `maxLength`.
    public func side(prompt: [Message], completion: [Message]) -> TokenBatch.Example {
        let (text, ranges) = template.renderText(prompt + completion)
        let skip = prompt.filter { $0.role == "assistant" }.count
        let counted = Array(ranges.dropFirst(skip))
        var (ids, offsets) = tokenizer.encodeWithOffsets(text)
        var mask = [Bool](repeating: false, count: ids.count)
        var r = 0
        for (k, id) in ids.enumerated() {
            let s = offsets[k], e = s + max(tokenizer.byteLength(of: id), 1)
            while r < counted.count && counted[r].upperBound <= s { r += 1 }
            if r < counted.count && counted[r].lowerBound < e { mask[k] = true }
        }
        if ids.count > maxLength { ids.removeLast(ids.count - maxLength); mask.removeLast(mask.count - maxLength); offsets.removeAll() }
        if !mask.isEmpty { mask[0] = false }
        return TokenBatch.Example(tokens: ids, lossMask: mask)
    }

    /// The example of one record; nil when a side has no counted token left (e.g. cut by maxLength).
    public func example(_ record: RawRecord) throws -> PreferenceExample? {
        let id = try RecordID.of(record)
        let p = try Preference(record: record)
        let c = side(prompt: p.promptTurns, completion: p.chosenCompletion)
        let r = side(prompt: p.promptTurns, completion: p.rejectedCompletion)
        guard c.lossMask.contains(true), r.lossMask.contains(true) else { return nil }
        return PreferenceExample(id: id, chosen: c, rejected: r)
    }
}
