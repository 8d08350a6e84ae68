/// The evidence each check needs before it names a cause. A false alarm during an incident costs
/// as much as a miss, so every threshold asks for something a healthy busy database does not show.
public struct Thresholds: Sendable, Equatable {
    /// A lock wait shorter than this is ordinary contention on a hot row, not a blocking chain.
    public var lockWaitSeconds: Double = 1
    /// Idle in transaction at least this long (PgHero's and pganalyze's default alerts start at minutes;
    /// an app that commits promptly is idle in transaction for milliseconds).
    public var idleInTransactionSeconds: Double = 5
    /// Active statements running at least this long.
    public var longQuerySeconds: Double = 30
    /// Connections in use over the usable slots (max_connections less the reserved ones).
    public var connectionsShare: Double = 0.9
    /// A statement is hot when it took at least this share of the window's database time…
    public var hotStatementShare: Double = 0.2
    /// …and the window's statements kept at least this many backends busy on average.
    public var hotBusyBackends: Double = 0.2
    /// Tables smaller than this are scanned faster than through an index.
    public var largeTableRows: Double = 10_000
    /// Temp bytes written in the window.
    public var tempBytes: Double = 8 * 1024 * 1024
    /// Dead tuples (count and share of the table) that autovacuum should have removed.
    public var deadTuples: Double = 10_000
    public var deadShare: Double = 0.2
    /// `age(datfrozenxid)` from which wraparound is a danger (and at least twice autovacuum_freeze_max_age).
    public var frozenXIDAge: Int = 400_000_000
    /// Replica replay lag.
    public var replicaLagSeconds: Double = 30
    /// A replica the store stopped reading from, this far behind by the store's own measure.
    public var storeReplicaLagSeconds: Double = 5
    /// Commits per second over the since-reset average that count as a surge of demand.
    public var surgeFactor: Double = 2
    public var surgeMinimumCommitsPerSecond: Double = 20

    public init() {}
}
