import Foundation

/// A minimal line chart as SVG (no dependencies): the s1 scaling curve, accuracy against average
/// thinking tokens, that a person can open in any browser.
enum SVGPlot {
    struct Point { var x: Double; var y: Double; var label: String }

    static func lineChart(_ points: [Point], title: String, xLabel: String, yLabel: String) -> String {
        let w = 640.0, h = 420.0, left = 70.0, right = 20.0, top = 40.0, bottom = 60.0
        let xs = points.map(\.x), ys = points.map(\.y)
        var x0 = xs.min() ?? 0, x1 = xs.max() ?? 1
        if x1 - x0 < 1e-9 { x0 -= 1; x1 += 1 }
        let pad = (x1 - x0) * 0.05
        x0 -= pad; x1 += pad
        let y0 = 0.0, y1 = max(1.0, ys.max() ?? 1)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (w - left - right) }
        func py(_ y: Double) -> Double { h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(esc(title))</text>\n"
        // Axes and grid.
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - right)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
        for i in 0...5 {
            let yv = y0 + (y1 - y0) * Double(i) / 5
            s += "<line x1=\"\(left)\" y1=\"\(py(yv))\" x2=\"\(w - right)\" y2=\"\(py(yv))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(left - 8)\" y=\"\(py(yv) + 4)\" text-anchor=\"end\">\(String(format: "%.0f%%", yv * 100))</text>\n"
            let xv = x0 + (x1 - x0) * Double(i) / 5
            s += "<text x=\"\(px(xv))\" y=\"\(h - bottom + 18)\" text-anchor=\"middle\">\(String(format: "%.0f", xv))</text>\n"
        }
        s += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 18)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text x=\"18\" y=\"\((top + h - bottom) / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \((top + h - bottom) / 2))\">\(esc(yLabel))</text>\n"
        let sorted = points.sorted { $0.x < $1.x }
        if sorted.count > 1 {
            let path = sorted.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        }
        for p in sorted {
            s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"/>\n", px(p.x), py(p.y))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", px(p.x), py(p.y) - 9, esc(p.label))
        }
        s += "</svg>\n"
        return s
    }
}
