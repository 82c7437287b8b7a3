import Foundation

/// Softmax cross-entropy over the vocabulary, per token, with per-token weights.
///
/// The forward pass keeps the logits intact (callers may want them) and records each row's
/// log-sum-exp; the backward pass turns the logits into their gradient in place, recomputing the
/// softmax from the saved log-sum-exp (one more `exp` per element is cheaper than a second
/// [tokens, vocab] buffer).
public enum CrossEntropy {
    /// For every row with a valid target (>= 0): lse[t] = log sum exp(logits[t]),
    /// logProb[t] = logits[t, target] - lse[t]. Rows with target < 0 get logProb 0.
    public static func forward(logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, vocab: Int,
                               lse: UnsafeMutablePointer<Float>, logProb: UnsafeMutablePointer<Float>,
                               threads: ComputeThreads = .automatic) {
        threads.forChunks(rows, minChunk: 8) { r in
            for t in r {
                let tgt = Int(targets[t])
                guard tgt >= 0 else { lse[t] = 0; logProb[t] = 0; continue }
                let row = logits + t * vocab
                let m = vmaxOf(row, vocab)
                let mb = Vec8(repeating: m)
                var acc = Vec8()
                var i = 0
                while i + 8 <= vocab { acc += exp8(load8(row + i) - mb); i += 8 }
                var s = acc.sum()
                while i < vocab { s += exp1(row[i] - m); i += 1 }
                let l = m + Foundation.log(s)
                lse[t] = l
                logProb[t] = row[tgt] - l
            }
        }
    }

    /// In place: logits[t, :] becomes coef[t] * (softmax(logits[t]) - onehot(target[t])), the
    /// gradient of sum_t coef[t] * (-logProb[t]). Rows with coef 0 or no target become zeros.
    public static func backward(logits: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>,
                                coef: UnsafePointer<Float>, lse: UnsafePointer<Float>, rows: Int, vocab: Int, threads: ComputeThreads = .automatic) {
        threads.forChunks(rows, minChunk: 8) { r in
            for t in r {
                let row = logits + t * vocab
                let tgt = Int(targets[t]), c = coef[t]
                guard tgt >= 0, c != 0 else { row.update(repeating: 0, count: vocab); continue }
                let lv = Vec8(repeating: lse[t]), cv = Vec8(repeating: c)
                var i = 0
                while i + 8 <= vocab { store8(cv * exp8(load8(row + i) - lv), row + i); i += 8 }
                while i < vocab { row[i] = c * exp1(row[i] - lse[t]); i += 1 }
                row[tgt] -= c
            }
        }
    }
}
