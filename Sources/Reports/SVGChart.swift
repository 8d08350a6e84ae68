import Foundation

/// An inline SVG chart (lines or bars), self-contained: no scripts, no external resources.
public struct SVGChart: Sendable {
    /// One named series of (x, y) points.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public enum Kind: Sendable {
        case lines
        /// One bar per label, series side by side.
        case bars(labels: [String])
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var kind: Kind
    public var width = 720.0
    public var height = 280.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, series: [Series], kind: Kind = .lines) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.kind = kind
    }

    /// The chart as an `<svg>` element.
    public func render() -> String {
        let left = 64.0, right = 16.0, top = 44.0, bottom = 40.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let allY = series.flatMap { $0.points.map(\.y) }
        let highest = allY.max() ?? 0
        let maxY = Self.niceCeiling(highest > 0 ? highest : 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        svg += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(HTMLPage.escape(title))</text>"
        for tick in 0...4 {
            let value = maxY * Double(tick) / 4
            let y = top + plotHeight - plotHeight * Double(tick) / 4
            svg += "<line x1=\"\(left)\" y1=\(q(y)) x2=\"\(left + plotWidth)\" y2=\(q(y)) stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\(q(y + 4)) text-anchor=\"end\">\(Self.short(value))</text>"
        }
        svg += "<text x=\"12\" y=\(q(top + plotHeight / 2)) transform=\"rotate(-90 12 \(top + plotHeight / 2))\" text-anchor=\"middle\">\(HTMLPage.escape(yLabel))</text>"
        svg += "<text x=\(q(left + plotWidth / 2)) y=\(q(height - 6)) text-anchor=\"middle\">\(HTMLPage.escape(xLabel))</text>"
        switch kind {
        case .lines:
            let allX = series.flatMap { $0.points.map(\.x) }
            let minX = allX.min() ?? 0
            let maxX = max(allX.max() ?? 1, minX + 1e-9)
            for tick in 0...4 {
                let value = minX + (maxX - minX) * Double(tick) / 4
                svg += "<text x=\(q(left + plotWidth * Double(tick) / 4)) y=\(q(top + plotHeight + 14)) text-anchor=\"middle\">\(Self.short(value))</text>"
            }
            for (index, line) in series.enumerated() where !line.points.isEmpty {
                let color = Self.palette[index % Self.palette.count]
                let points = line.points.map { point in
                    let x = left + (point.x - minX) / (maxX - minX) * plotWidth
                    let y = top + plotHeight - point.y / maxY * plotHeight
                    return "\(Self.fixed(x)),\(Self.fixed(y))"
                }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>"
            }
        case .bars(let labels):
            let groups = max(labels.count, 1)
            let groupWidth = plotWidth / Double(groups)
            let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
            for (group, label) in labels.enumerated() {
                let x0 = left + groupWidth * Double(group) + groupWidth * 0.1
                svg += "<text x=\(q(x0 + groupWidth * 0.4)) y=\(q(top + plotHeight + 14)) text-anchor=\"middle\">\(HTMLPage.escape(label))</text>"
                for (index, bars) in series.enumerated() {
                    let value = bars.points.first { Int($0.x) == group }?.y ?? 0
                    let barHeight = value / maxY * plotHeight
                    svg += "<rect x=\(q(x0 + barWidth * Double(index))) y=\(q(top + plotHeight - barHeight)) width=\(q(barWidth * 0.95)) height=\(q(barHeight)) fill=\"\(Self.palette[index % Self.palette.count])\"><title>\(HTMLPage.escape(bars.name)): \(Self.short(value))</title></rect>"
                }
            }
        }
        var legendX = left
        for (index, line) in series.enumerated() {
            svg += "<rect x=\(q(legendX)) y=\(q(top - 16)) width=\"10\" height=\"3\" fill=\"\(Self.palette[index % Self.palette.count])\"/>"
            svg += "<text x=\(q(legendX + 14)) y=\(q(top - 12))>\(HTMLPage.escape(line.name))</text>"
            legendX += 24 + Double(line.name.count) * 6.5
        }
        return svg + "</svg>"
    }

    private func q(_ value: Double) -> String { "\"\(Self.fixed(value))\"" }

    static func fixed(_ value: Double) -> String { String(format: "%.1f", value.isFinite ? value : 0) }

    static func short(_ value: Double) -> String {
        if value >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value == value.rounded() { return String(Int(value)) }
        return String(format: "%.2g", value)
    }

    /// The smallest 1, 2 or 5 × 10^n at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}
