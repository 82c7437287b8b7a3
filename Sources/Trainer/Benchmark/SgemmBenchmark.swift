import Foundation

extension TrainBenchmark {
    /// GFLOP/s of square fp32 products of size n (2 n^3 flops each) through our sgemm path, median of
    /// `repeats` timed calls after one warm-up: the machine's scale for the training figures.
    public static func sgemmGFLOPS(n: Int, repeats: Int = 5, threads: ComputeThreads = .automatic) -> Double {
        let a = FloatBuffer(randomFloats: n * n, seed: 1), b = FloatBuffer(randomFloats: n * n, seed: 2)
        let c = FloatBuffer(count: n * n)
        var times: [Double] = []
        for i in 0...repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            Matmul.sgemm(transA: false, transB: true, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n,
                         beta: 0, c: c.pointer, ldc: n, threads: threads)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if i > 0 { times.append(dt) }
        }
        times.sort()
        let med = times[times.count / 2]
        return med > 0 ? 2 * Double(n) * Double(n) * Double(n) / med / 1e9 : 0
    }
}

extension FloatBuffer {
    convenience init(randomFloats n: Int, seed: UInt64) {
        self.init(count: n)
        var r = SplitMix64(seed: seed)
        for i in 0..<n { pointer[i] = Float(r.nextUnit() - 0.5) }
    }
}
