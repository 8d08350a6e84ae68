/// Which replica serves the next read, or none (the primary): a value driven by observations, with
/// the time passed in, so every rule is tested without servers or sleeps.
///
/// A replica is used while its last observation is recent (`staleAfter`: a monitor that stopped
/// reporting proves nothing), said it was reachable, and put its lag at most `maximumLag`. Usable
/// replicas take reads in turn. After a catalog write this instance heard of, reads go to the primary
/// for `maximumLag` (plus the probe interval) so a page reloaded just after the change is not read
/// from a replica that has not replayed it yet.
public struct ReplicaRouting: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// A replica further behind than this is skipped.
        public var maximumLag: Duration
        /// An observation older than this no longer counts (the replica is skipped).
        public var staleAfter: Duration
        /// After a write, reads stay on the primary this long.
        public var primaryAfterWrite: Duration

        public init(maximumLag: Duration = .seconds(1), staleAfter: Duration = .seconds(2), primaryAfterWrite: Duration? = nil) {
            self.maximumLag = maximumLag
            self.staleAfter = staleAfter
            self.primaryAfterWrite = primaryAfterWrite ?? maximumLag + .milliseconds(250)
        }
    }

    /// The last thing learnt about one replica.
    public enum Observation: Sendable, Equatable {
        /// Reachable, in recovery, this far behind.
        case lag(Duration)
        /// Unreachable, not a replica (promoted), or its lag unknown.
        case unusable(String)
    }

    public let configuration: Configuration
    private(set) var observations: [(at: ContinuousClock.Instant, observation: Observation)?]
    private var next = 0
    private var primaryUntil: ContinuousClock.Instant?

    public init(replicas: Int, configuration: Configuration) {
        self.configuration = configuration
        self.observations = Array(repeating: nil, count: replicas)
    }

    public mutating func observe(replica: Int, _ observation: Observation, at now: ContinuousClock.Instant) {
        guard observations.indices.contains(replica) else { return }
        observations[replica] = (now, observation)
    }

    /// A catalog write this instance heard of (a NOTIFY): reads go to the primary for a while.
    public mutating func wrote(at now: ContinuousClock.Instant) {
        primaryUntil = now + configuration.primaryAfterWrite
    }

    /// Whether `replica` may serve a read at `now`.
    public func usable(_ replica: Int, at now: ContinuousClock.Instant) -> Bool {
        guard observations.indices.contains(replica), let (at, observation) = observations[replica],
              at.duration(to: now) <= configuration.staleAfter, case .lag(let lag) = observation else { return false }
        return lag <= configuration.maximumLag
    }

    /// The replica for the next read (in turn among the usable ones), or `nil` for the primary.
    public mutating func choose(at now: ContinuousClock.Instant) -> Int? {
        if let primaryUntil, now < primaryUntil { return nil }
        let count = observations.count
        for offset in 0..<count {
            let candidate = (next + offset) % count
            if usable(candidate, at: now) {
                next = (candidate + 1) % count
                return candidate
            }
        }
        return nil
    }
}
