/// Which items (packed rows, preference pairs) each optimiser step reads.
///
/// Every epoch visits all items once in an order shuffled by a generator seeded with seed ^ epoch, in
/// consecutive groups of `perStep`; the last group of an epoch may be shorter. The order depends only
/// on the seed, the epoch and the item count, so a step number alone says where the data stands:
/// resuming needs no saved generator state beyond the seed.
public struct DataOrder: Sendable, Equatable {
    public let count: Int
    public let perStep: Int
    public let epochs: Int
    public let seed: UInt64
    public var stepsPerEpoch: Int { (count + perStep - 1) / perStep }
    public var totalSteps: Int { stepsPerEpoch * epochs }

    public init(count: Int, perStep: Int, epochs: Int, seed: UInt64) {
        self.count = count; self.perStep = max(1, perStep); self.epochs = max(1, epochs); self.seed = seed
    }

    /// The shuffled item order of one epoch (Fisher-Yates with SplitMix64).
    public func order(epoch: Int) -> [Int] {
        var idx = Array(0..<count)
        var rng = SplitMix64(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        if idx.count > 1 {
            for i in stride(from: idx.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                idx.swapAt(i, j)
            }
        }
        return idx
    }

    /// (epoch, first position within the epoch) of a 0-based step.
    public func location(step: Int) -> (epoch: Int, position: Int) {
        let spe = max(1, stepsPerEpoch)
        return (step / spe, (step % spe) * perStep)
    }

    /// The items of a 0-based step.
    public func items(step: Int, cachedOrder: inout (epoch: Int, order: [Int])?) -> [Int] {
        let (epoch, pos) = location(step: step)
        if cachedOrder?.epoch != epoch { cachedOrder = (epoch, order(epoch: epoch)) }
        guard let ord = cachedOrder?.order, pos < ord.count else { return [] }
        return Array(ord[pos..<min(pos + perStep, ord.count)])
    }
}
