import NIOCore

/// Checks the generator against a server with a known answer: the stall server's true p99.
public enum SelfTest {
    public struct Outcome: Sendable {
        public var expectedP99Micros: UInt64
        public var measuredP99Micros: UInt64
        public var result: RunResult
        /// Allowed relative error (0.05 = ±5%).
        public var tolerance: Double

        /// The generator kept to its schedule in the measured phase (lag p99 within the bound).
        public var generatorKeptUp: Bool {
            guard let measured = result.phases.last else { return false }
            return measured.scheduleLag.percentile(99) <= result.maxScheduleLagMicroseconds
        }

        public var passed: Bool {
            let error = abs(Double(measuredP99Micros) - Double(expectedP99Micros)) / Double(expectedP99Micros)
            return error <= tolerance
        }
    }

    /// The true p99 for evenly spaced arrivals against a server frozen `freeze` out of every `period`:
    /// a share `freeze/period` of requests wait uniformly up to `freeze`, the rest not at all.
    public static func expectedP99Micros(period: Duration, freeze: Duration) -> UInt64 {
        let frozenShare = Double(freeze.nanoseconds) / Double(period.nanoseconds)
        return UInt64(Double(freeze.nanoseconds) / 1000 * (1 - 0.01 / frozenShare))
    }

    /// Unmeasured lead-in before the measured phase.
    public static let warmUpNanos: Int64 = 3_000_000_000

    /// Runs the check once. A miss while the generator itself fell behind its schedule (a starved
    /// machine) is reported as such (`generatorKeptUp` false), never retried: a retry would hide it.
    public static func run(period: Duration = .seconds(10), freeze: Duration = .seconds(1), cycles: Int = 3,
                           ratePerSecond: Double = 200, tolerance: Double = 0.05,
                           progress: (@Sendable (LiveSnapshot, Double) -> Void)? = nil) async throws -> Outcome {
        try await runOnce(period: period, freeze: freeze, cycles: cycles, ratePerSecond: ratePerSecond,
                          tolerance: tolerance, progress: progress)
    }

    /// Starts a stall server, drives it at `ratePerSecond` for `cycles` periods and compares the p99.
    static func runOnce(period: Duration, freeze: Duration, cycles: Int, ratePerSecond: Double, tolerance: Double,
                        progress: (@Sendable (LiveSnapshot, Double) -> Void)?) async throws -> Outcome {
        // A warm-up phase (not measured) absorbs a slow start of a busy machine: thread start-up,
        // first connections. The measured phase and the freezes share one origin, so the measured
        // schedule covers whole freeze windows.
        let runStart = MonotonicClock.nowNanos() + 500_000_000
        let origin = runStart + warmUpNanos
        let server = try await StallServer.start(period: .nanoseconds(period.nanoseconds), freeze: .nanoseconds(freeze.nanoseconds),
                                                 originNanos: origin)
        do {
            var plan = try singleURLPlan(url: server.url, ratePerSecond: ratePerSecond,
                                         durationNanos: period.nanoseconds * Int64(cycles), connections: 256)
            var warmUp = plan.phases[0]
            warmUp.name = "warm-up"
            warmUp.executor = .arrivals(kind: "constant-arrival-rate",
                                        profile: .constant(ratePerSecond: ratePerSecond, durationNanos: warmUpNanos), poissonSeed: nil)
            plan.phases[0].name = "measured"
            plan.phases[0].startOffsetNanos = warmUpNanos
            plan.phases.insert(warmUp, at: 0)
            var options = RunOptions()
            options.targetDescription = server.url
            options.eventLoops = 1
            options.startUptimeNanos = runStart
            let result = try await LoadRunner.run(plan: plan, options: options, progress: progress)
            await server.stop()
            let measured = result.phases.last?.latency.percentile(99) ?? 0
            return Outcome(expectedP99Micros: expectedP99Micros(period: period, freeze: freeze), measuredP99Micros: measured,
                           result: result, tolerance: tolerance)
        } catch {
            await server.stop()
            throw error
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
