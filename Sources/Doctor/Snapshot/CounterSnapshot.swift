/// One statement's cumulative counters in `pg_stat_statements`.
public struct StatementCounters: Sendable, Codable, Equatable {
    public var queryID: String
    public var query: String
    public var calls: Double
    public var totalTimeMs: Double
    public var rows: Double
    public var tempBlocksWritten: Double
    public var sharedBlocksRead: Double

    public init(queryID: String, query: String, calls: Double, totalTimeMs: Double, rows: Double = 0, tempBlocksWritten: Double = 0, sharedBlocksRead: Double = 0) {
        self.queryID = queryID
        self.query = query
        self.calls = calls
        self.totalTimeMs = totalTimeMs
        self.rows = rows
        self.tempBlocksWritten = tempBlocksWritten
        self.sharedBlocksRead = sharedBlocksRead
    }
}

/// This database's cumulative counters in `pg_stat_database`.
public struct DatabaseCounters: Sendable, Codable, Equatable {
    public var commits: Double
    public var rollbacks: Double
    public var tempFiles: Double
    public var tempBytes: Double
    public var deadlocks: Double
    public var blocksRead: Double
    public var blocksHit: Double
    /// Seconds the counters have been accumulating (since `stats_reset` or the server's start).
    public var statsAgeSeconds: Double

    public init(commits: Double = 0, rollbacks: Double = 0, tempFiles: Double = 0, tempBytes: Double = 0, deadlocks: Double = 0,
                blocksRead: Double = 0, blocksHit: Double = 0, statsAgeSeconds: Double = 0) {
        self.commits = commits
        self.rollbacks = rollbacks
        self.tempFiles = tempFiles
        self.tempBytes = tempBytes
        self.deadlocks = deadlocks
        self.blocksRead = blocksRead
        self.blocksHit = blocksHit
        self.statsAgeSeconds = statsAgeSeconds
    }
}

/// Checkpointer and WAL counters (`pg_stat_bgwriter` or `pg_stat_checkpointer`, `pg_stat_wal`).
public struct CheckpointCounters: Sendable, Codable, Equatable {
    public var timed: Double
    public var requested: Double
    public var buffersWritten: Double
    /// `pg_stat_wal.wal_bytes` (PostgreSQL 14+), nil before.
    public var walBytes: Double?

    public init(timed: Double = 0, requested: Double = 0, buffersWritten: Double = 0, walBytes: Double? = nil) {
        self.timed = timed
        self.requested = requested
        self.buffersWritten = buffersWritten
        self.walBytes = walBytes
    }
}

/// One user table's counters and maintenance state in `pg_stat_user_tables`.
public struct TableCounters: Sendable, Codable, Equatable {
    public var oid: Int64
    /// The name as SQL wants it (schema-qualified outside `public`).
    public var name: String
    /// The planner's row count (`reltuples`, -1 when never analyzed).
    public var plannerRows: Double
    public var liveTuples: Double
    public var deadTuples: Double
    public var modifiedSinceAnalyze: Double
    public var seqScans: Double
    public var seqTuplesRead: Double
    public var indexScans: Double
    /// Seconds since the last (auto)vacuum and (auto)analyze; nil when never.
    public var vacuumAgeSeconds: Double?
    public var analyzeAgeSeconds: Double?
    /// `reloptions`, e.g. `autovacuum_enabled=false`.
    public var options: [String]

    public init(oid: Int64, name: String, plannerRows: Double, liveTuples: Double, deadTuples: Double = 0, modifiedSinceAnalyze: Double = 0,
                seqScans: Double = 0, seqTuplesRead: Double = 0, indexScans: Double = 0, vacuumAgeSeconds: Double? = nil,
                analyzeAgeSeconds: Double? = nil, options: [String] = []) {
        self.oid = oid
        self.name = name
        self.plannerRows = plannerRows
        self.liveTuples = liveTuples
        self.deadTuples = deadTuples
        self.modifiedSinceAnalyze = modifiedSinceAnalyze
        self.seqScans = seqScans
        self.seqTuplesRead = seqTuplesRead
        self.indexScans = indexScans
        self.vacuumAgeSeconds = vacuumAgeSeconds
        self.analyzeAgeSeconds = analyzeAgeSeconds
        self.options = options
    }
}

/// Every cumulative counter the doctor reads, at one instant: two of them make the window's deltas.
public struct CounterSnapshot: Sendable, Codable, Equatable {
    /// Seconds since the window started.
    public var at: Double
    /// Empty when pg_stat_statements could not be read (see `Evidence.skipped`).
    public var statements: [StatementCounters]
    public var database: DatabaseCounters
    public var checkpoints: CheckpointCounters?
    public var tables: [TableCounters]

    public init(at: Double, statements: [StatementCounters] = [], database: DatabaseCounters = .init(), checkpoints: CheckpointCounters? = nil, tables: [TableCounters] = []) {
        self.at = at
        self.statements = statements
        self.database = database
        self.checkpoints = checkpoints
        self.tables = tables
    }
}
