import Database
import PostgresNIO

/// Reads the workload from pg_stat_statements: totals since the last reset, or the difference
/// between two snapshots taken a window apart.
public enum StatStatements {
    /// This database's statements (rows carry `dbid`; the view is cluster-wide).
    static let snapshotQuery = """
        SELECT queryid::text, query, calls::float8, total_exec_time::float8, rows::float8
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
        """

    /// Table write counters, for the write penalty over the same window.
    static let writesQuery = """
        SELECT relid::int8, (n_tup_ins + n_tup_upd + n_tup_del)::int8 FROM pg_stat_user_tables
        """

    /// Fails with instructions when the extension is missing.
    public static func requireAvailable(_ server: ServerInfo) throws {
        guard server.hasStatStatements else { throw AdvisorError.statStatementsMissing(enabledInServer: server.statStatementsLoaded) }
    }

    /// The current totals, keyed by queryid.
    static func snapshot(_ connection: DatabaseConnection) async throws -> [String: WorkloadStatement] {
        var result: [String: WorkloadStatement] = [:]
        for row in try await connection.query(PostgresQuery(unsafeSQL: snapshotQuery)) {
            let (id, query, calls, total, rows) = try row.decode((String, String, Double, Double, Double).self)
            result[id] = WorkloadStatement(sql: query, calls: calls, totalTimeMs: total, rows: rows)
        }
        return result
    }

    static func writes(_ connection: DatabaseConnection) async throws -> [Int64: Int64] {
        var result: [Int64: Int64] = [:]
        for row in try await connection.query(PostgresQuery(unsafeSQL: writesQuery)) {
            let (relid, writes) = try row.decode((Int64, Int64).self)
            result[relid] = writes
        }
        return result
    }

    /// The workload since the last reset.
    public static func totals(_ connection: DatabaseConnection) async throws -> Workload {
        Workload(source: .statStatements, statements: Array(try await snapshot(connection).values).sorted { ($0.totalTimeMs ?? 0) > ($1.totalTimeMs ?? 0) })
    }

    /// The workload over `window`: two snapshots, subtracted. Also returns the table writes over the window.
    public static func delta(_ connection: DatabaseConnection, window: Duration) async throws -> (Workload, [Int64: Int64]) {
        let before = try await snapshot(connection)
        let writesBefore = try await writes(connection)
        try await Task.sleep(for: window)
        let after = try await snapshot(connection)
        let writesAfter = try await writes(connection)
        var statements: [WorkloadStatement] = []
        for (id, now) in after {
            let then = before[id]
            let calls = now.calls - (then?.calls ?? 0)
            guard calls > 0 else { continue }
            statements.append(WorkloadStatement(
                sql: now.sql, calls: calls,
                totalTimeMs: (now.totalTimeMs ?? 0) - (then?.totalTimeMs ?? 0),
                rows: (now.rows ?? 0) - (then?.rows ?? 0)
            ))
        }
        var writes: [Int64: Int64] = [:]
        for (relid, count) in writesAfter { writes[relid] = count - (writesBefore[relid] ?? 0) }
        return (Workload(source: .statStatements, statements: statements.sorted { ($0.totalTimeMs ?? 0) > ($1.totalTimeMs ?? 0) }), writes)
    }
}
