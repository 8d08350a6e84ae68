/// What changed over the window: the difference of the two counter snapshots.
public struct StatementDelta: Sendable, Codable, Equatable {
    public var queryID: String
    public var query: String
    public var calls: Double
    public var timeMs: Double
    public var rows: Double
    public var tempBlocksWritten: Double
    public var sharedBlocksRead: Double

    /// Mean milliseconds per call in the window.
    public var meanMs: Double { calls > 0 ? timeMs / calls : 0 }
}

extension Evidence {
    /// Statements that ran in the window, the most database time first.
    public var statementDeltas: [StatementDelta] {
        let before = Dictionary(first.statements.map { ($0.queryID, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [StatementDelta] = []
        for now in last.statements {
            // Counters that went backwards were reset inside the window (pg_stat_statements_reset, or
            // the entry evicted and added again): all they count now was done in the window.
            let then = before[now.queryID].flatMap { $0.calls <= now.calls && $0.totalTimeMs <= now.totalTimeMs ? $0 : nil }
            let calls = now.calls - (then?.calls ?? 0)
            let time = now.totalTimeMs - (then?.totalTimeMs ?? 0)
            guard calls > 0 || time > 0 else { continue }
            result.append(StatementDelta(
                queryID: now.queryID, query: now.query, calls: calls, timeMs: time,
                rows: now.rows - (then?.rows ?? 0),
                tempBlocksWritten: now.tempBlocksWritten - (then?.tempBlocksWritten ?? 0),
                sharedBlocksRead: now.sharedBlocksRead - (then?.sharedBlocksRead ?? 0)
            ))
        }
        return result.sorted { $0.timeMs > $1.timeMs }
    }

    /// Database time of all statements in the window, in milliseconds.
    public var windowStatementTimeMs: Double { statementDeltas.reduce(0) { $0 + $1.timeMs } }

    /// `pg_stat_database` over the window.
    public var databaseDelta: DatabaseCounters {
        let a = first.database, b = last.database
        return DatabaseCounters(
            commits: b.commits - a.commits, rollbacks: b.rollbacks - a.rollbacks, tempFiles: b.tempFiles - a.tempFiles,
            tempBytes: b.tempBytes - a.tempBytes, deadlocks: b.deadlocks - a.deadlocks, blocksRead: b.blocksRead - a.blocksRead,
            blocksHit: b.blocksHit - a.blocksHit, statsAgeSeconds: elapsedSeconds
        )
    }

    /// Checkpoints and WAL over the window (nil when not readable).
    public var checkpointDelta: CheckpointCounters? {
        guard let a = first.checkpoints, let b = last.checkpoints else { return nil }
        let wal: Double? = if let x = a.walBytes, let y = b.walBytes { y - x } else { nil }
        return CheckpointCounters(timed: b.timed - a.timed, requested: b.requested - a.requested, buffersWritten: b.buffersWritten - a.buffersWritten, walBytes: wal)
    }

    /// A table's counters at the window's start, by oid.
    public func tableAtStart(_ oid: Int64) -> TableCounters? { first.tables.first { $0.oid == oid } }

    /// The table with this name (as a plan names it: bare, or schema-qualified) at the window's end.
    public func table(named name: String) -> TableCounters? {
        last.tables.first { $0.name == name || $0.name.hasSuffix("." + name) || $0.name == "\"\(name)\"" }
    }
}
