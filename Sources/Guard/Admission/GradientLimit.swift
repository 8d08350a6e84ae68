/// A Gradient2-style concurrency limit estimated from latency samples (Netflix concurrency-limits),
/// as a pure value: feed it samples with their time, read `limit`.
///
/// Samples are grouped into windows that close only after `minimumWindow` *and* `minimumSamples`,
/// and a window contributes its median (as Envoy's adaptive concurrency filter does), so one lucky
/// fast sample cannot pin the limit low, and a few slow requests of another kind (a checkout waiting
/// ~100 ms on the payment provider among 5 ms product pages) do not read as the store slowing down:
/// with the mean, windows with and without a checkout swung 3× and cut the limit at 3/4 of capacity. The
/// long-term baseline is an exponential average of window medians that rises much more slowly than
/// it falls, so modest sustained queueing does not become the new normal (upward creep). The limit
/// grows by a `√limit` queue allowance only while the short RTT is at or below the baseline, holds
/// inside the tolerance band, and shrinks proportionally beyond it.
///
/// A database outage teaches it nothing about capacity. Requests that fail fast because the database
/// is gone would drag the baseline down to microseconds, and then every real page after the restart
/// reads as "far slower than normal", cutting the limit to its floor for minutes (a metastable
/// failure: the outage ends, the refusals do not). So `databaseUnavailable(now:)` freezes learning
/// until `recoveryGrace` after the last such signal (reconnecting pools answer slowly at first), and
/// puts the limit and baseline back where they were `checkpointAge` before the outage was noticed.
public struct GradientLimit: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var initialLimit: Int = 20
        public var minimumLimit: Int = 4
        public var maximumLimit: Int = 500
        /// Latency ratio short/long accepted before the limit is cut (1.5 = 50% slower).
        public var tolerance: Double = 1.5
        /// Weight of a new estimate in the limit (0…1).
        public var smoothing: Double = 0.2
        public var minimumWindow: Duration = .milliseconds(100)
        public var minimumSamples: Int = 10
        /// Windows in the long-term baseline (its averaging length when it falls).
        public var longWindows: Int = 60
        /// How many times slower the baseline follows latency up than down.
        public var baselineRiseDamping: Double = 10
        /// After the last sign of a database outage, samples are ignored this long.
        public var recoveryGrace: Duration = .seconds(3)
        /// An outage restores the state from at least this long before it was noticed (the last
        /// windows before may already hold its timeouts).
        public var checkpointAge: Duration = .seconds(2)

        public init() {}
    }

    public let configuration: Configuration
    /// The current limit (concurrent requests).
    public private(set) var estimate: Double
    /// The long-term RTT baseline in seconds, `nil` until the first window closes.
    public private(set) var baselineSeconds: Double?
    /// The last closed window's mean RTT in seconds.
    public private(set) var lastWindowSeconds: Double?

    private var windowStart: ContinuousClock.Instant?
    /// The window's round trips in seconds (the first `maximumWindowSamples`).
    private var windowSamples: [Double] = []
    private var windowDropped = false
    private var windowMaxInFlight = 0
    /// Samples before this instant are ignored (a database outage and its recovery).
    public private(set) var pausedUntil: ContinuousClock.Instant?
    /// Recent states to go back to after an outage, oldest first, at most one per `checkpointSpacing`.
    private var checkpoints: [Checkpoint] = []

    struct Checkpoint: Sendable, Equatable {
        var time: ContinuousClock.Instant
        var estimate: Double
        var baselineSeconds: Double?
    }

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
        self.estimate = Double(configuration.initialLimit)
    }

    /// The limit rounded down, within the configured bounds.
    public var limit: Int { Int(estimate) }

    /// Records one finished request: its round trip, whether it was dropped (timed out, overloaded),
    /// and how many requests were in flight when it started (an app-limited sample does not grow the limit).
    public mutating func record(rtt: Duration, dropped: Bool, inFlight: Int, now: ContinuousClock.Instant) {
        if let pausedUntil {
            guard now >= pausedUntil else { return }
            self.pausedUntil = nil
        }
        if windowStart == nil { windowStart = now }
        if dropped {
            windowDropped = true
        } else if windowSamples.count < Self.maximumWindowSamples {
            windowSamples.append(rtt.seconds)
        }
        windowMaxInFlight = max(windowMaxInFlight, inFlight)
        guard let start = windowStart, now - start >= configuration.minimumWindow,
              windowSamples.count >= configuration.minimumSamples || windowDropped else { return }
        closeWindow()
        checkpoint(now)
    }

    /// The database is unreachable (a request failed for that, or the breaker is open): stop learning
    /// until `recoveryGrace` after the last such call, and go back to the newest state at least
    /// `checkpointAge` old when this outage is first noticed.
    public mutating func databaseUnavailable(now: ContinuousClock.Instant) {
        let alreadyPaused = pausedUntil.map { now < $0 } ?? false
        pausedUntil = now + configuration.recoveryGrace
        guard !alreadyPaused else { return }
        windowStart = nil
        windowSamples.removeAll(keepingCapacity: true)
        windowDropped = false
        windowMaxInFlight = 0
        if let saved = checkpoints.last(where: { now - $0.time >= configuration.checkpointAge }) ?? checkpoints.first {
            estimate = max(estimate, saved.estimate)
            baselineSeconds = saved.baselineSeconds ?? baselineSeconds
        }
        checkpoints.removeAll()
    }

    private mutating func checkpoint(_ now: ContinuousClock.Instant) {
        if let last = checkpoints.last, now - last.time < Self.checkpointSpacing { return }
        checkpoints.append(Checkpoint(time: now, estimate: estimate, baselineSeconds: baselineSeconds))
        if checkpoints.count > Self.maximumCheckpoints { checkpoints.removeFirst() }
    }

    static let checkpointSpacing: Duration = .milliseconds(500)
    static let maximumCheckpoints = 16

    private mutating func closeWindow() {
        defer {
            windowStart = nil
            windowSamples.removeAll(keepingCapacity: true)
            windowDropped = false
            windowMaxInFlight = 0
        }
        if windowDropped {
            // A timeout or overload signal: multiplicative decrease, as AIMD does on loss.
            estimate = clamp(estimate * 0.9)
            return
        }
        windowSamples.sort()
        let short = windowSamples[windowSamples.count / 2]
        lastWindowSeconds = short
        guard let long = baselineSeconds else {
            baselineSeconds = short
            return
        }
        let alpha = 2 / (Double(configuration.longWindows) + 1)
        let rising = short > long
        baselineSeconds = long + (short - long) * (rising ? alpha / configuration.baselineRiseDamping : alpha)
        let baseline = baselineSeconds ?? short
        let gradient = max(0.5, min(1, configuration.tolerance * baseline / short))
        let queueAllowance = estimate.squareRoot()
        var target: Double
        if short <= baseline {
            // Not queueing: grow, but only if the window actually used the limit.
            target = windowMaxInFlight * 2 >= Int(estimate) ? estimate + queueAllowance : estimate
        } else if gradient >= 1 {
            target = estimate
        } else {
            target = estimate * gradient
        }
        target = estimate * (1 - configuration.smoothing) + target * configuration.smoothing
        estimate = clamp(target)
    }

    /// A window's median is taken from at most this many samples (a 100 ms window at 10k requests/s).
    static let maximumWindowSamples = 1024

    private func clamp(_ value: Double) -> Double {
        min(Double(configuration.maximumLimit), max(Double(configuration.minimumLimit), value))
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (whole, attos) = components
        return Double(whole) + Double(attos) / 1e18
    }
}
