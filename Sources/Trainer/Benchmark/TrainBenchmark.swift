import Foundation

/// The training-throughput benchmark behind `curate-tool bench train`: a fresh model on random
/// tokens, AdamW, full forward + backward + clip + update per step, timed after a warm-up.
public enum TrainBenchmark {
    public struct Options: Sendable, Equatable {
        public var config: LlamaConfig
        public var sequenceLength: Int
        public var batchSize: Int
        public var warmupSteps: Int
        public var steps: Int
        public var threads: Int
        public var seed: UInt64
        /// Products split on our threads (true) or left to OpenBLAS's thread pool (false).
        public var splitProducts: Bool = true
        public init(config: LlamaConfig = .benchmarkReference, sequenceLength: Int = 256, batchSize: Int = 8,
                    warmupSteps: Int = 2, steps: Int = 10, threads: Int = 2, seed: UInt64 = 0) {
            self.config = config; self.sequenceLength = sequenceLength; self.batchSize = batchSize
            self.warmupSteps = warmupSteps; self.steps = steps; self.threads = threads; self.seed = seed
        }
    }

    public struct Result: Sendable, Equatable {
        /// Trained tokens per second over the timed steps.
        public var tokensPerSecond: Double
        /// Seconds per timed step, in order.
        public var stepSeconds: [Double]
        /// Loss at the last step (a sanity check that training ran).
        public var finalLoss: Double
        public var parameterCount: Int
    }

    /// Runs the benchmark. Throws on an invalid configuration.
    public static func run(_ o: Options) throws -> Result {
        var cfg = o.config
        cfg.maxPositionEmbeddings = max(cfg.maxPositionEmbeddings, o.sequenceLength)
        let threads = ComputeThreads(o.threads, splitProducts: o.splitProducts)
        let model = try LlamaModel(config: cfg, seed: o.seed)
        model.threads = threads
        let opt = AdamW(layout: model.layout, settings: .init(beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1), threads: threads)
        var rng = SplitMix64(seed: o.seed &+ 1)
        func batch() throws -> TokenBatch {
            let seqs = (0..<o.batchSize).map { _ in
                (0..<o.sequenceLength).map { _ in Int32(rng.next() % UInt64(cfg.vocabSize)) }
            }
            return try TokenBatch.sequences(seqs, length: o.sequenceLength)
        }
        var times: [Double] = []
        var loss = 0.0
        let b = try batch()
        for step in 0..<(o.warmupSteps + o.steps) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            loss = try model.forward(b).loss
            model.zeroGradients()
            try model.backward()
            if let g = model.gradients { GradientClipping.clip(g, maxNorm: 1, threads: threads); opt.update(parameters: model.parameters, gradients: g, learningRate: 1e-4) }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if step >= o.warmupSteps { times.append(dt) }
        }
        let total = times.reduce(0, +)
        let tokens = Double(o.batchSize * o.sequenceLength * o.steps)
        return Result(tokensPerSecond: total > 0 ? tokens / total : 0, stepSeconds: times, finalLoss: loss,
                      parameterCount: model.layout.count)
    }
}
