import LoadTest
import NIOPosix

/// Runs the ramp: one `LoadRunner` run per step (an open-model rate or a closed-loop concurrency),
/// evidence around each step, and the `RampState` deciding when to stop. The I/O shell around the state machine.
public struct RampRunner: Sendable {
    /// The journeys (and feeders) every step runs: the first phase of the scenario, or one URL.
    public var scenario: LoadPlan
    public var stepDurationNanos: Int64
    /// Unmeasured time at the start of each step (connections open, caches settle): 20% of the step, at most 5 s.
    public var warmUpNanos: Int64
    /// A paced step's period (`--paced-period`): its users work the step's share of each one.
    public var pacePeriodNanos: Int64 = RampRunner.defaultPacePeriodNanos
    public var eventLoops: Int
    public var evidence: EvidenceCollector
    public var targetDescription: String

    public init(scenario: LoadPlan, stepDurationNanos: Int64, eventLoops: Int, evidence: EvidenceCollector, targetDescription: String) {
        self.scenario = scenario
        self.stepDurationNanos = stepDurationNanos
        self.warmUpNanos = min(stepDurationNanos / 5, 5_000_000_000)
        self.eventLoops = max(1, eventLoops)
        self.evidence = evidence
        self.targetDescription = targetDescription
    }

    /// The plan of one step: `users` closed-loop users, a warm-up phase then the measured phase.
    public func stepPlan(users: Int) -> LoadPlan {
        let journeys = scenario.phases.first?.journeys ?? []
        let warm = PhasePlan(name: "warm-up", executor: .concurrency(users: users, durationNanos: warmUpNanos),
                             maxInFlight: users * 2 + 16, journeys: journeys)
        let measured = PhasePlan(name: "step", executor: .concurrency(users: users, durationNanos: stepDurationNanos),
                                 startOffsetNanos: warmUpNanos, maxInFlight: users * 2 + 16, journeys: journeys)
        var plan = LoadPlan(phases: warmUpNanos > 0 ? [warm, measured] : [measured], feeders: scenario.feeders)
        plan.requestTimeoutNanos = scenario.requestTimeoutNanos
        plan.insecureTLS = scenario.insecureTLS
        // One connection per user on every loop's share, so users never queue inside the generator.
        plan.connections = users + eventLoops
        return plan
    }

    /// The plan of one paced step: `users` users working back to back for `share` of every period, idle
    /// for the rest, warm-up (paced the same way) then measured.
    public func pacedPlan(share: Double, users: Int) -> LoadPlan {
        var plan = stepPlan(users: users)
        for index in plan.phases.indices { plan.phases[index].pace = .init(onShare: share, periodNanos: pacePeriodNanos) }
        return plan
    }

    /// A paced step's default period: long enough that the cost of waking the server at the start of each
    /// working share is spread over many requests, short enough that a 5 s step holds five. Measured on
    /// the store (BENCHMARKS.md): with 100 ms the paced steps read 25–100% more CPU per request than the
    /// peak and their bound erred −40% to +12%; with 1 s, −6% to +4%.
    public static let defaultPacePeriodNanos: Int64 = 1_000_000_000

    /// The plan of one open-model step: journeys arriving at `ratePerSecond` on a schedule, warm-up then measured.
    public func ratePlan(ratePerSecond: Double) -> LoadPlan {
        let journeys = scenario.phases.first?.journeys ?? []
        // Arrivals that find this many journeys in flight are dropped (counted as errors): a second of
        // arrivals, so a target that stalls cannot make the generator hold unbounded work.
        let cap = max(64, Int(ratePerSecond.rounded(.up)))
        let warm = PhasePlan(name: "warm-up", executor: .arrivals(kind: "constant-arrival-rate",
                                                                   profile: .constant(ratePerSecond: ratePerSecond, durationNanos: warmUpNanos), poissonSeed: nil),
                             maxInFlight: cap, journeys: journeys)
        let measured = PhasePlan(name: "step", executor: .arrivals(kind: "constant-arrival-rate",
                                                                    profile: .constant(ratePerSecond: ratePerSecond, durationNanos: stepDurationNanos), poissonSeed: nil),
                                 startOffsetNanos: warmUpNanos, maxInFlight: cap, journeys: journeys)
        var plan = LoadPlan(phases: warmUpNanos > 0 ? [warm, measured] : [measured], feeders: scenario.feeders)
        plan.requestTimeoutNanos = scenario.requestTimeoutNanos
        plan.insecureTLS = scenario.insecureTLS
        plan.connections = 32 + eventLoops
        return plan
    }

    /// Runs steps until `state` finishes. `onStep` sees each measured step; `progress` the live counters.
    public func run(_ initial: RampState, onStep: @Sendable (StepMeasurement, RampState) -> Void = { _, _ in },
                    progress: (@Sendable (LiveSnapshot, Double) -> Void)? = nil) async throws -> RampState {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let state = try await steps(initial, group: group, onStep: onStep, progress: progress)
            try? await group.shutdownGracefully()
            return state
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func steps(_ initial: RampState, group: MultiThreadedEventLoopGroup, onStep: @Sendable (StepMeasurement, RampState) -> Void,
                       progress: (@Sendable (LiveSnapshot, Double) -> Void)?) async throws -> RampState {
        var state = initial
        while let level = state.nextStep {
            var options = RunOptions()
            options.eventLoops = eventLoops
            options.targetDescription = targetDescription
            let plan: LoadPlan
            switch level {
            case .rate(let rate): plan = ratePlan(ratePerSecond: rate)
            case .concurrency(let users): plan = stepPlan(users: users)
            case .paced(let share, let users): plan = pacedPlan(share: share, users: users)
            }
            let (result, evidence) = try await self.evidence.measure(group: group) {
                try await LoadRunner.run(plan: plan, options: options, progress: progress)
            }
            var step: StepMeasurement
            switch level {
            case .rate(let rate):
                step = Self.measurement(result, step: state.steps.count + 1, users: 0, evidence: evidence)
                step.offeredRate = rate
            case .concurrency(let users):
                step = Self.measurement(result, step: state.steps.count + 1, users: users, evidence: evidence)
            case .paced(let share, let users):
                step = Self.measurement(result, step: state.steps.count + 1, users: users, evidence: evidence)
                step.concurrency = 0
                step.pacedShare = share
                step.pacedUsers = users
            }
            state.record(step)
            onStep(step, state)
        }
        return state
    }

    /// The measured phase of a step's result as a `StepMeasurement`.
    public static func measurement(_ result: RunResult, step: Int, users: Int, evidence: StepEvidence) -> StepMeasurement {
        let phase = result.phases.last
        let duration = phase?.durationSeconds ?? 0
        let requests = phase?.counts.requests ?? 0
        let successes = phase?.counts.successes ?? 0
        let latency = phase?.latency ?? LatencyHistogram()
        let firstError = phase?.examples.byClass.sorted { $0.key < $1.key }.first.map { "\($0.key): \($0.value)" }
        return StepMeasurement(
            step: step, concurrency: users, durationSeconds: duration, requests: requests, successes: successes,
            errorRate: requests == 0 ? (successes == 0 ? 1 : 0) : Double(requests - successes) / Double(requests),
            // Each user's last request started before the step ended and finished after it: on average half
            // of it lies outside the window, so successes ≈ X·duration + users/2.
            throughput: duration > 0 ? max(0, Double(successes) - Double(users) / 2) / duration : 0,
            meanSeconds: latency.meanMicroseconds / 1e6,
            p50Seconds: Double(latency.percentile(50)) / 1e6,
            p95Seconds: Double(latency.percentile(95)) / 1e6,
            p99Seconds: Double(latency.percentile(99)) / 1e6,
            firstError: firstError,
            generatorLimited: result.generator.cpuSaturation >= VerdictEvaluator.saturatedCPU,
            evidence: evidence)
    }
}
