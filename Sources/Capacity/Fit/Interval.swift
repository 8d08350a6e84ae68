/// A two-sided interval: a low and a high bound (the high bound may be infinite).
public struct Interval: Sendable, Equatable, Codable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    public func contains(_ value: Double) -> Bool { value >= low && value <= high }

    /// The percentile interval of `values` holding the central `level` share (0.95 for a 95% interval).
    static func percentile(_ values: [Double], level: Double) -> Interval? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func at(_ quantile: Double) -> Double {
            let position = quantile * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
            let fraction = position - Double(lower)
            if sorted[upper] == .infinity { return fraction == 0 ? sorted[lower] : .infinity }
            return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
        }
        let tail = (1 - level) / 2
        return Interval(low: at(tail), high: at(1 - tail))
    }
}

extension Interval {
    /// JSON has no infinity: an unbounded high end is written as null.
    enum CodingKeys: String, CodingKey { case low, high }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        low = try container.decode(Double.self, forKey: .low)
        high = try container.decodeIfPresent(Double.self, forKey: .high) ?? .infinity
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(low, forKey: .low)
        if high.isFinite { try container.encode(high, forKey: .high) } else { try container.encodeNil(forKey: .high) }
    }
}
