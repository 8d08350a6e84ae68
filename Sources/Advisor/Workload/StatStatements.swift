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

    /// Seconds since the table counters were reset (or the server started).
    static let tableStatsAgeQuery = """
        SELECT extract(epoch FROM now() - coalesce(
            (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()), pg_postmaster_start_time()))::float8
        """

    /// Seconds since pg_stat_statements was reset (PostgreSQL 14+).
    static let statementsAgeQuery = "SELECT extract(epoch FROM now() - stats_reset)::float8 FROM pg_stat_statements_info"

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

    /// The workload since the last reset, and the table writes scaled to the same period: the
    /// table counters usually cover a longer time (since the server started) than the statements.
    public static func totals(_ connection: DatabaseConnection) async throws -> (Workload, [Int64: Int64]) {
        let workload = Workload(source: .statStatements, statements: Array(try await snapshot(connection).values).sorted { ($0.totalTimeMs ?? 0) > ($1.totalTimeMs ?? 0) })
        var scale = 1.0
        let tableAge = try await connection.query(PostgresQuery(unsafeSQL: tableStatsAgeQuery)).first?.decode(Double?.self) ?? nil
        // pg_stat_statements_info exists from PostgreSQL 14 (extension 1.9) on; without it assume the same period.
        let hasInfo = try await connection.query("SELECT to_regclass('pg_stat_statements_info') IS NOT NULL").first?.decode(Bool.self) ?? false
        if hasInfo, let tableAge, tableAge > 0,
           let statementsAge = try await connection.query(PostgresQuery(unsafeSQL: statementsAgeQuery)).first?.decode(Double?.self) ?? nil {
            scale = min(1, max(0, statementsAge / tableAge))
        }
        let writes = try await writes(connection).mapValues { Int64((Double($0) * scale).rounded()) }
        return (workload, writes)
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
