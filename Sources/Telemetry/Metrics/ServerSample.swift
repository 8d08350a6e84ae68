/// One reading of the PostgreSQL server's health, as the dashboard and the alerts see it.
public struct ServerSample: Codable, Sendable, Equatable {
    /// Client connections by `pg_stat_activity.state` (`active`, `idle`, `idle_in_transaction`, …).
    public var connections: [String: Int]
    public var maxConnections: Int
    public var xactCommit: Int64
    public var xactRollback: Int64
    /// `blks_hit / (blks_hit + blks_read)` of this database since the statistics were reset.
    public var bufferHitRatio: Double
    public var deadlocks: Int64
    public var tempBytes: Int64
    /// Age of the oldest open transaction on the server, in seconds (0 when none).
    public var oldestTransactionSeconds: Double
    /// Sessions waiting for a lock.
    public var lockWaits: Int

    /// All client connections over `max_connections`.
    public var connectionsRatio: Double {
        maxConnections == 0 ? 0 : Double(connections.values.reduce(0, +)) / Double(maxConnections)
    }

    enum CodingKeys: String, CodingKey {
        case connections, maxConnections = "max_connections", xactCommit = "xact_commit", xactRollback = "xact_rollback"
        case bufferHitRatio = "buffer_hit_ratio", deadlocks, tempBytes = "temp_bytes"
        case oldestTransactionSeconds = "oldest_transaction_seconds", lockWaits = "lock_waits"
    }
}
