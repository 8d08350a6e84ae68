/// Finds the highest arrival rate that meets an SLO: doubles the rate until a step fails, then bisects.
///
/// A state machine: `next()` proposes a rate, the caller runs a short step and reports with `record`.
public struct CapacitySearch: Sendable {
    public struct Point: Sendable, Equatable {
        public var ratePerSecond: Double
        public var passed: Bool
        public var p99Micros: UInt64
        public var errorRate: Double

        public init(ratePerSecond: Double, passed: Bool, p99Micros: UInt64, errorRate: Double) {
            self.ratePerSecond = ratePerSecond
            self.passed = passed
            self.p99Micros = p99Micros
            self.errorRate = errorRate
        }
    }

    public private(set) var points: [Point] = []
    public let startRate: Double
    public let maxRate: Double
    public let maxSteps: Int
    /// Bisection stops when the bracket is narrower than this share of the passing rate.
    public let precision: Double

    public init(startRate: Double, maxRate: Double, maxSteps: Int = 12, precision: Double = 0.05) {
        self.startRate = startRate
        self.maxRate = maxRate
        self.maxSteps = maxSteps
        self.precision = precision
    }

    public var highestPassing: Point? { points.filter(\.passed).max { $0.ratePerSecond < $1.ratePerSecond } }
    public var lowestFailing: Point? { points.filter { !$0.passed }.min { $0.ratePerSecond < $1.ratePerSecond } }

    /// The next rate to try, or nil when the search is over.
    public func next() -> Double? {
        guard points.count < maxSteps else { return nil }
        guard let last = points.last else { return startRate }
        guard let failing = lowestFailing else {
            return last.ratePerSecond >= maxRate ? nil : min(last.ratePerSecond * 2, maxRate)
        }
        let passing = highestPassing?.ratePerSecond ?? 0
        if passing == 0 && failing.ratePerSecond <= startRate / 8 { return nil }
        guard failing.ratePerSecond - passing > precision * max(passing, 1) else { return nil }
        return (passing + failing.ratePerSecond) / 2
    }

    public mutating func record(_ point: Point) { points.append(point) }

    /// The knee: the lowest tried rate whose p99 exceeds twice the p99 at the lowest rate.
    public var knee: Point? {
        let sorted = points.sorted { $0.ratePerSecond < $1.ratePerSecond }
        guard let base = sorted.first else { return nil }
        return sorted.first { $0.p99Micros > 2 * max(base.p99Micros, 1) }
    }
}
