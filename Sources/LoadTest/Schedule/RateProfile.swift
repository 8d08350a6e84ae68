/// How the arrival rate changes over a phase: a start rate, then stages that move linearly to a target.
public struct RateProfile: Sendable, Equatable {
    /// One linear segment: over `durationNanos` the rate moves from the previous rate to `targetRate`.
    public struct Stage: Sendable, Equatable {
        public var durationNanos: Int64
        public var targetRate: Double
        public init(durationNanos: Int64, targetRate: Double) {
            self.durationNanos = durationNanos
            self.targetRate = targetRate
        }
    }

    public var startRate: Double
    public var stages: [Stage]

    public init(startRate: Double, stages: [Stage]) {
        self.startRate = startRate
        self.stages = stages
    }

    /// A fixed rate (arrivals per second) for `durationNanos`.
    public static func constant(ratePerSecond: Double, durationNanos: Int64) -> RateProfile {
        RateProfile(startRate: ratePerSecond, stages: [Stage(durationNanos: durationNanos, targetRate: ratePerSecond)])
    }

    /// A base rate, a linear jump to `base × multiplier` over `rampNanos`, a hold, the same ramp down, then base again.
    public static func spike(baseRate: Double, multiplier: Double, beforeNanos: Int64, rampNanos: Int64,
                             holdNanos: Int64, afterNanos: Int64) -> RateProfile {
        let peak = baseRate * multiplier
        return RateProfile(startRate: baseRate, stages: [
            Stage(durationNanos: beforeNanos, targetRate: baseRate),
            Stage(durationNanos: rampNanos, targetRate: peak),
            Stage(durationNanos: holdNanos, targetRate: peak),
            Stage(durationNanos: rampNanos, targetRate: baseRate),
            Stage(durationNanos: afterNanos, targetRate: baseRate),
        ].filter { $0.durationNanos > 0 })
    }

    /// Bursts on a background rate (a flash sale): `before` at `baseRate`, then `count` bursts whose
    /// starts are `everyNanos` apart, each adding `size` arrivals spread evenly over `withinNanos`
    /// (0: all in the same millisecond), then `afterNanos` at `baseRate` again. Arrivals keep their
    /// intended start times as every open-model phase does, so a burst the target cannot absorb
    /// shows up in latency, not as a slower load generator.
    public static func bursts(baseRate: Double, size: Int, withinNanos: Int64, everyNanos: Int64, count: Int,
                              beforeNanos: Int64, afterNanos: Int64) -> RateProfile {
        let within = max(withinNanos, 1_000_000)
        let peak = baseRate + Double(size) / (Double(within) / 1e9)
        var stages: [Stage] = []
        if beforeNanos > 0 { stages.append(Stage(durationNanos: beforeNanos, targetRate: baseRate)) }
        for burst in 0..<count {
            // A step up, the burst, a step down: the 1 ns ramps carry no arrivals.
            stages.append(Stage(durationNanos: 1, targetRate: peak))
            stages.append(Stage(durationNanos: within - 2, targetRate: peak))
            stages.append(Stage(durationNanos: 1, targetRate: baseRate))
            let gap = burst < count - 1 ? max(0, everyNanos - within) : afterNanos
            if gap > 0 { stages.append(Stage(durationNanos: gap, targetRate: baseRate)) }
        }
        return RateProfile(startRate: baseRate, stages: stages)
    }

    public var durationNanos: Int64 { stages.reduce(0) { $0 + $1.durationNanos } }

    /// The rate (per second) at `offsetNanos` from the phase start.
    public func rate(atNanos offsetNanos: Int64) -> Double {
        var from = startRate
        var stageStart: Int64 = 0
        for stage in stages {
            if offsetNanos < stageStart + stage.durationNanos {
                let fraction = Double(offsetNanos - stageStart) / Double(stage.durationNanos)
                return from + (stage.targetRate - from) * fraction
            }
            stageStart += stage.durationNanos
            from = stage.targetRate
        }
        return from
    }

    /// The expected number of arrivals over the whole profile (the integral of the rate).
    public var expectedArrivals: Double {
        var from = startRate
        var total = 0.0
        for stage in stages {
            total += Double(stage.durationNanos) / 1e9 * (from + stage.targetRate) / 2
            from = stage.targetRate
        }
        return total
    }

    /// The highest rate reached.
    public var peakRate: Double { stages.reduce(startRate) { max($0, $1.targetRate) } }
}
