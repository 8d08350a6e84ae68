/// How far a streaming replica is behind its primary, in time, from WAL positions alone.
///
/// `pg_last_xact_replay_timestamp()` grows while the primary is idle (nothing to replay, yet the
/// last replayed commit gets older), so a quiet store would skip healthy replicas. Instead the
/// primary's `pg_current_wal_lsn()` is sampled with the time it was read; a replica whose
/// `pg_last_wal_replay_lsn()` has passed a sample has replayed everything the primary had then. Its lag
/// is at most the age of the newest sample it has passed: everything it lacks was written after
/// that. A replica at or past the newest sample is not behind (as far as the samples can tell).
public struct ReplicaLagEstimator: Sendable {
    /// One reading of the primary's WAL position.
    public struct Sample: Sendable, Equatable {
        public var at: ContinuousClock.Instant
        public var lsn: UInt64
        public init(at: ContinuousClock.Instant, lsn: UInt64) {
            self.at = at
            self.lsn = lsn
        }
    }

    /// The primary's recent positions, oldest first.
    private(set) var samples: [Sample] = []
    /// How many samples are kept (at a probe every 250 ms, 30 s of history).
    let capacity: Int

    public init(capacity: Int = 120) {
        self.capacity = max(2, capacity)
    }

    /// Records the primary's position `lsn` read at `at`.
    public mutating func primary(at: ContinuousClock.Instant, lsn: UInt64) {
        // The position never goes back on one primary; after a failover it may: start over.
        if let last = samples.last, lsn < last.lsn { samples.removeAll() }
        samples.append(Sample(at: at, lsn: lsn))
        if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
    }

    /// The lag of a replica that had replayed up to `replayed` at `now`; `nil` when it is unknown:
    /// nothing is known of the primary yet, or the replica is behind every sample kept (a replica
    /// just started, or far behind: how far, the samples cannot tell, so it is not to be used).
    public func lag(replayed: UInt64, now: ContinuousClock.Instant) -> Duration? {
        guard let newest = samples.last else { return nil }
        if replayed >= newest.lsn { return .zero }
        // The newest sample the replica has passed; everything it lacks was written after that.
        guard let passed = samples.last(where: { $0.lsn <= replayed }) else { return nil }
        return max(.zero, passed.at.duration(to: now))
    }

    /// A lower bound on the lag of a replica behind every sample kept: it lacks WAL the primary had
    /// written by the oldest sample, so it is at least that sample's age behind. `nil` when `lag` knows
    /// the lag itself (or nothing is known of the primary). Not a reason to use the replica, only a
    /// figure to report: a replica behind every sample is skipped whatever this says.
    public func minimumLag(replayed: UInt64, now: ContinuousClock.Instant) -> Duration? {
        guard let oldest = samples.first, replayed < oldest.lsn else { return nil }
        return max(.zero, oldest.at.duration(to: now))
    }
}

extension ReplicaLagEstimator {
    /// Parses PostgreSQL's `pg_lsn` text (`16/B374D848`: two hex halves) into one number.
    public static func parseLSN(_ text: String) -> UInt64? {
        let halves = text.split(separator: "/")
        guard halves.count == 2, let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16),
              high <= UInt64(UInt32.max), low <= UInt64(UInt32.max) else { return nil }
        return high << 32 | low
    }
}
