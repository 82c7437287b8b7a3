import Foundation
import Testing
import Trainer

/// The package root, found from this file's path (tests never read outside the repository).
let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: ".")
}()

func fixture(_ path: String) -> URL { packageRoot.appendingPathComponent("Fixtures/trainer").appendingPathComponent(path) }

/// A scratch directory removed by the caller.
func tempDir() -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

func randomFloats(_ n: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var r = SplitMix64(seed: seed)
    return (0..<n).map { _ in Float(r.nextGaussian() * scale) }
}

/// Compares an analytic gradient with central finite differences of a scalar function.
/// Float kernels make FD noisy, so the check is per element with an absolute + relative tolerance.
func checkGradient(_ analytic: [Float], _ x: inout [Float], h: Float = 1e-2, absTol: Double = 2e-3, relTol: Double = 2e-2,
                   indices: [Int]? = nil, _ f: ([Float]) -> Double, sourceLocation: SourceLocation = #_sourceLocation) {
    var worst = 0.0
    for i in indices ?? Array(x.indices) {
        let orig = x[i]
        x[i] = orig + h; let fp = f(x)
        x[i] = orig - h; let fm = f(x)
        x[i] = orig
        let fd = (fp - fm) / Double(2 * h)
        let err = abs(fd - Double(analytic[i]))
        let allowed = absTol + relTol * abs(fd)
        worst = max(worst, err / allowed)
        if err > allowed {
            Issue.record("gradient \(i): analytic \(analytic[i]) vs finite difference \(fd)", sourceLocation: sourceLocation)
            return
        }
    }
    #expect(worst <= 1, sourceLocation: sourceLocation)
}

func dot(_ a: [Float], _ b: [Float]) -> Double {
    var s = 0.0
    for i in a.indices { s += Double(a[i]) * Double(b[i]) }
    return s
}

extension Array where Element == Float {
    func withPtr<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var copy = self
        return copy.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
