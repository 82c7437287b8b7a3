import Foundation

/// Small, dependency-free SVG charts for ablation reports: bars with error bars (a metric per
/// variant) and lines with optional error bars (accuracy against thinking tokens, loss against step).
///
/// Why hand-written: a report must open in any browser or Markdown viewer straight from the run
/// folder, be byte-for-byte reproducible (numbers are printed with fixed decimals, elements in input
/// order), and never need Python. Labels are XML-escaped; non-finite values are left out of the plot
/// rather than producing invalid coordinates.
public struct SVGChart: Sendable {
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var value: Double
        /// Error bar (e.g. a 95% interval); nil draws none.
        public var interval: PairedBootstrap.Interval?
        public init(label: String, value: Double, interval: PairedBootstrap.Interval? = nil) {
            self.label = label
            self.value = value
            self.interval = interval
        }
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var interval: PairedBootstrap.Interval?
        public init(x: Double, y: Double, interval: PairedBootstrap.Interval? = nil) {
            self.x = x
            self.y = y
            self.interval = interval
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public var width = 640.0
    public var height = 360.0
    public var title: String
    public var xLabel: String
    public var yLabel: String

    public init(title: String, xLabel: String = "", yLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Colours cycled over series and bars (the Tableau 10 palette: distinguishable, print-safe).
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    private let left = 64.0, right = 16.0, top = 36.0, bottom = 64.0

    /// A bar chart, one bar per entry in order, y from 0 (or the lowest value when negative).
    public func bars(_ bars: [Bar]) -> String {
        let finite = bars.filter { $0.value.isFinite }
        var ys = finite.map(\.value) + finite.compactMap { $0.interval.map { [$0.lo, $0.hi] } }.flatMap { $0 }.filter(\.isFinite)
        ys.append(0)
        let (y0, y1) = Self.niceRange(ys)
        var out = header()
        out += axes(yRange: (y0, y1))
        let plotW = width - left - right, n = max(bars.count, 1)
        let slot = plotW / Double(n), barW = slot * 0.6
        for (i, bar) in bars.enumerated() where bar.value.isFinite {
            let x = left + slot * Double(i) + (slot - barW) / 2
            let yv = yPixel(bar.value, y0, y1), yz = yPixel(max(y0, min(0, y1)), y0, y1)
            let color = Self.palette[i % Self.palette.count]
            out += "<rect x=\"\(f(x))\" y=\"\(f(min(yv, yz)))\" width=\"\(f(barW))\" height=\"\(f(abs(yz - yv)))\" fill=\"\(color)\"><title>\(Self.escape(bar.label)): \(f4(bar.value))</title></rect>\n"
            if let ci = bar.interval, ci.lo.isFinite, ci.hi.isFinite {
                out += errorBar(x: x + barW / 2, lo: yPixel(ci.lo, y0, y1), hi: yPixel(ci.hi, y0, y1))
            }
            out += "<text x=\"\(f(x + barW / 2))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.escape(bar.label))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// A line chart, one line per series with a legend, points in the order given.
    public func lines(_ series: [Series]) -> String {
        let pts = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = pts.map(\.x)
        let ys = pts.map(\.y) + pts.compactMap { $0.interval.map { [$0.lo, $0.hi] } }.flatMap { $0 }.filter(\.isFinite)
        let (x0, x1) = Self.niceRange(xs.isEmpty ? [0, 1] : xs)
        let (y0, y1) = Self.niceRange(ys.isEmpty ? [0, 1] : ys)
        var out = header()
        out += axes(yRange: (y0, y1), xRange: (x0, x1))
        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            let p = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            if !p.isEmpty {
                let d = p.map { "\(f(xPixel($0.x, x0, x1))),\(f(yPixel($0.y, y0, y1)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(d)\"/>\n"
            }
            for pt in p {
                let px = xPixel(pt.x, x0, x1)
                out += "<circle cx=\"\(f(px))\" cy=\"\(f(yPixel(pt.y, y0, y1)))\" r=\"3\" fill=\"\(color)\"/>\n"
                if let ci = pt.interval, ci.lo.isFinite, ci.hi.isFinite {
                    out += errorBar(x: px, lo: yPixel(ci.lo, y0, y1), hi: yPixel(ci.hi, y0, y1))
                }
            }
            let ly = top + 14 * Double(k)
            out += "<rect x=\"\(f(width - right - 150))\" y=\"\(f(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(f(width - right - 135))\" y=\"\(f(ly))\" font-size=\"11\">\(Self.escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    // MARK: - Pieces

    private func header() -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(Self.escape(title))</text>\n"
        return s
    }

    private func axes(yRange: (Double, Double), xRange: (Double, Double)? = nil) -> String {
        let (y0, y1) = yRange
        var s = "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"black\"/>\n"
        for t in 0...4 {
            let v = y0 + (y1 - y0) * Double(t) / 4, y = yPixel(v, y0, y1)
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(y))\" x2=\"\(f(width - right))\" y2=\"\(f(y))\" stroke=\"#dddddd\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"10\">\(Self.tick(v))</text>\n"
        }
        if let (x0, x1) = xRange {
            for t in 0...4 {
                let v = x0 + (x1 - x0) * Double(t) / 4, x = xPixel(v, x0, x1)
                s += "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"10\">\(Self.tick(v))</text>\n"
            }
        }
        if !xLabel.isEmpty {
            s += "<text x=\"\(f(left + (width - left - right) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(xLabel))</text>\n"
        }
        if !yLabel.isEmpty {
            s += "<text transform=\"translate(14,\(f(top + (height - top - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(yLabel))</text>\n"
        }
        return s
    }

    private func errorBar(x: Double, lo: Double, hi: Double) -> String {
        "<line x1=\"\(f(x))\" y1=\"\(f(lo))\" x2=\"\(f(x))\" y2=\"\(f(hi))\" stroke=\"black\"/>"
            + "<line x1=\"\(f(x - 5))\" y1=\"\(f(lo))\" x2=\"\(f(x + 5))\" y2=\"\(f(lo))\" stroke=\"black\"/>"
            + "<line x1=\"\(f(x - 5))\" y1=\"\(f(hi))\" x2=\"\(f(x + 5))\" y2=\"\(f(hi))\" stroke=\"black\"/>\n"
    }

    private func yPixel(_ v: Double, _ y0: Double, _ y1: Double) -> Double {
        let h = height - top - bottom
        return top + h * (1 - (v - y0) / (y1 - y0))
    }

    private func xPixel(_ v: Double, _ x0: Double, _ x1: Double) -> Double {
        left + (width - left - right) * (v - x0) / (x1 - x0)
    }

    /// A range covering `values` with round ends (multiples of a power of ten times 1, 2 or 5).
    public static func niceRange(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard var lo = finite.min(), var hi = finite.max() else { return (0, 1) }
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let raw = (hi - lo) / 4
        let mag = pow10(floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even escaped: drop them.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func tick(_ v: Double) -> String {
        let a = abs(v)
        if a != 0 && (a >= 1e5 || a < 1e-3) { return String(format: "%.2g", v) }
        return a >= 100 ? String(format: "%.0f", v) : a >= 1 ? String(format: "%.2f", v) : String(format: "%.3f", v)
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }
private func f4(_ v: Double) -> String { String(format: "%.4f", v) }
private func pow10(_ e: Double) -> Double { pow(10, e) }
