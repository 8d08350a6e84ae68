/// Additive Holt–Winters (level, trend, one seasonal term) with its smoothing parameters chosen by
/// minimising the one-step-ahead squared error.
public struct HoltWinters: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public let seasonLength: Int

    public init(alpha: Double, beta: Double, gamma: Double, seasonLength: Int) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.seasonLength = seasonLength
    }

    /// The state after running through a series: where the forecast starts.
    public struct State: Sendable, Equatable {
        public var level: Double
        public var trend: Double
        /// The last `seasonLength` seasonal terms, oldest first.
        public var seasonal: [Double]
        /// One-step-ahead errors over the series after the first season.
        public var errors: [Double]

        public var squaredError: Double { errors.reduce(0) { $0 + $1 * $1 } }

        public var residualStandardDeviation: Double {
            guard errors.count > 1 else { return 0 }
            let mean = errors.reduce(0, +) / Double(errors.count)
            return (errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(errors.count - 1)).squareRoot()
        }
    }

    /// Runs the smoother over `values` (at least two seasons), initialised from the first two seasons.
    public func run(_ values: [Double]) -> State? {
        let m = seasonLength
        guard m >= 2, values.count >= 2 * m else { return nil }
        let first = values[0..<m].reduce(0, +) / Double(m)
        let second = values[m..<(2 * m)].reduce(0, +) / Double(m)
        var level = first
        var trend = (second - first) / Double(m)
        var seasonal = values[0..<m].map { $0 - first }
        var errors: [Double] = []
        errors.reserveCapacity(values.count - m)
        for t in m..<values.count {
            let season = seasonal[t % m]
            let forecast = level + trend + season
            errors.append(values[t] - forecast)
            let previousLevel = level
            level = alpha * (values[t] - season) + (1 - alpha) * (level + trend)
            trend = beta * (level - previousLevel) + (1 - beta) * trend
            seasonal[t % m] = gamma * (values[t] - level) + (1 - gamma) * season
        }
        // Rotate so that index 0 is the season position of the next value.
        let next = values.count % m
        let ordered = Array(seasonal[next...] + seasonal[..<next])
        return State(level: level, trend: trend, seasonal: ordered, errors: errors)
    }

    /// The point forecast `h` ≥ 1 steps after the end of the series.
    public func forecast(_ state: State, steps h: Int) -> Double {
        state.level + Double(h) * state.trend + state.seasonal[(h - 1) % seasonLength]
    }

    /// Half-width of the `z` prediction interval h steps ahead (Hyndman et al., additive Holt–Winters,
    /// class 1): σ √(1 + Σ_{j<h} (α(1 + jβ) + γ·[j mod m = 0])²).
    public func intervalHalfWidth(_ state: State, steps h: Int, z: Double = 1.96) -> Double {
        var variance = 1.0
        if h > 1 {
            for j in 1..<h {
                let c = alpha * (1 + Double(j) * beta) + (j % seasonLength == 0 ? gamma : 0)
                variance += c * c
            }
        }
        return z * state.residualStandardDeviation * variance.squareRoot()
    }

    /// The parameters that minimise one-step squared error: a grid, then Nelder–Mead inside [0, 1]³.
    public static func fitted(_ values: [Double], seasonLength m: Int) -> HoltWinters? {
        func cost(_ p: [Double]) -> Double {
            guard p.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return .infinity }
            return HoltWinters(alpha: p[0], beta: p[1], gamma: p[2], seasonLength: m).run(values)?.squaredError ?? .infinity
        }
        guard values.count >= 2 * m else { return nil }
        var best = [0.3, 0.01, 0.3]
        var bestCost = cost(best)
        for alpha in stride(from: 0.05, through: 0.95, by: 0.15) {
            for beta in [0.0, 0.005, 0.02, 0.1, 0.3] {
                for gamma in stride(from: 0.05, through: 0.95, by: 0.15) {
                    let candidate = [alpha, beta, gamma]
                    let value = cost(candidate)
                    if value < bestCost {
                        best = candidate
                        bestCost = value
                    }
                }
            }
        }
        let refined = NelderMead.minimise(cost, start: best, scale: 0.05, iterations: 200)
        return HoltWinters(alpha: refined[0], beta: refined[1], gamma: refined[2], seasonLength: m)
    }
}
