import Database
import PostgresNIO

/// What the server offers the advisor.
public struct ServerInfo: Sendable, Codable, Equatable {
    /// `server_version_num`, e.g. 150018.
    public var versionNumber: Int
    public var hasHypoPG: Bool
    public var hypoPGAvailable: Bool
    public var hasStatStatements: Bool
    public var statStatementsLoaded: Bool

    public var major: Int { versionNumber / 10000 }

    /// One query that reads all of it.
    static let query = """
        SELECT current_setting('server_version_num')::int8,
               EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg'),
               EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'),
               EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'),
               current_setting('shared_preload_libraries') ~ 'pg_stat_statements'
        """

    /// Reads the server version and which extensions are there.
    public static func read(_ connection: DatabaseConnection) async throws -> ServerInfo {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: query))
        guard let row = rows.first else { throw AdvisorError.unreadablePlan }
        let (version, hypo, hypoAvailable, pgss, pgssLoaded) = try row.decode((Int64, Bool, Bool, Bool, Bool).self)
        return ServerInfo(versionNumber: Int(version), hasHypoPG: hypo, hypoPGAvailable: hypoAvailable, hasStatStatements: pgss, statStatementsLoaded: pgssLoaded)
    }
}

/// Safety settings for everything the advisor runs.
public struct AdvisorSafety: Sendable {
    /// `statement_timeout` for each statement the advisor sends.
    public var statementTimeout: Duration
    /// Run in a READ ONLY transaction (the default; `--verify` needs writes).
    public var readOnly: Bool

    public init(statementTimeout: Duration = .seconds(10), readOnly: Bool = true) {
        self.statementTimeout = statementTimeout
        self.readOnly = readOnly
    }
}

/// Plans statements on one connection, inside one transaction, without running them.
///
/// Parameterized statements get their generic plan: `EXPLAIN (GENERIC_PLAN)` on PostgreSQL 16+,
/// and on older servers `PREPARE` under `plan_cache_mode = force_generic_plan` then
/// `EXPLAIN EXECUTE` with NULL arguments (a generic plan does not look at the values).
/// Hypothetical indexes (HypoPG) are private to this connection.
public final class PlanningSession {
    public let connection: DatabaseConnection
    public let server: ServerInfo
    private var counter = 0

    init(connection: DatabaseConnection, server: ServerInfo) {
        self.connection = connection
        self.server = server
    }

    /// Opens a transaction (READ ONLY unless told otherwise) with timeouts on `connection` and runs `body`.
    public static func with<T>(
        _ connection: DatabaseConnection,
        safety: AdvisorSafety = .init(),
        _ body: (PlanningSession) async throws -> T
    ) async throws -> T {
        let server = try await ServerInfo.read(connection)
        try await connection.query(PostgresQuery(unsafeSQL: safety.readOnly ? "BEGIN READ ONLY" : "BEGIN"))
        do {
            let timeout = "\(safety.statementTimeout.milliseconds)ms"
            try await connection.query("SELECT set_config('statement_timeout', \(timeout), true), set_config('lock_timeout', '1s', true), set_config('plan_cache_mode', 'force_generic_plan', true)")
            let session = PlanningSession(connection: connection, server: server)
            let result = try await body(session)
            if server.hasHypoPG { _ = try? await connection.query("SELECT hypopg_reset()") }
            // Nothing the advisor does in this transaction should persist.
            try await connection.query("ROLLBACK")
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// The plan of `sql`; with `analyze`, the statement really runs (inside this transaction,
    /// which is rolled back), and only when it has no parameters.
    public func explain(_ sql: String, analyze: Bool = false) async throws -> Plan {
        try await explain(PlannableStatement(sql: sql), analyze: analyze)
    }

    /// The plan of one workload statement (representative LIMIT/OFFSET, declared parameter types).
    public func explain(_ statement: WorkloadStatement, analyze: Bool = false) async throws -> Plan {
        try await explain(PlannableStatement(statement), analyze: analyze)
    }

    /// The plan of `statement`; declared parameter types make it go through PREPARE on every version.
    public func explain(_ statement: PlannableStatement, analyze: Bool = false) async throws -> Plan {
        let sql = statement.sql
        counter += 1
        let savepoint = "surge_advisor_\(counter)"
        let parameters = SQLLexer.tokens(sql).filter { $0.kind == .parameter }.compactMap { Int($0.text) }.max() ?? 0
        try await connection.query(PostgresQuery(unsafeSQL: "SAVEPOINT \(savepoint)"))
        // A prepared statement outlives ROLLBACK TO SAVEPOINT, and DEALLOCATE of one that was never made
        // (its PREPARE failed: "could not determine data type of parameter $2") aborts the transaction.
        var prepared = false
        do {
            let json: String
            if parameters == 0 {
                let options = analyze ? "ANALYZE, BUFFERS, FORMAT JSON" : "FORMAT JSON"
                json = try await single(PostgresQuery(unsafeSQL: "EXPLAIN (\(options)) \(sql)"))
            } else if server.major >= 16 && statement.parameterTypes.isEmpty {
                json = try await single(PostgresQuery(unsafeSQL: "EXPLAIN (GENERIC_PLAN, FORMAT JSON) \(sql)"))
            } else {
                let types = statement.parameterTypes.isEmpty ? "" : "(" + statement.parameterTypes.joined(separator: ", ") + ")"
                try await connection.query(PostgresQuery(unsafeSQL: "PREPARE \(savepoint)\(types) AS \(sql)"))
                prepared = true
                let nulls = Array(repeating: "NULL", count: max(parameters, statement.parameterTypes.count)).joined(separator: ", ")
                let explained = try? await single(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) EXECUTE \(savepoint)(\(nulls))"))
                try await connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(savepoint)"))
                prepared = false
                guard let explained else { throw AdvisorError.unreadablePlan }
                json = explained
            }
            try await connection.query(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(savepoint)"))
            return try Plan.parse(json: json)
        } catch {
            _ = try? await connection.query(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(savepoint)"))
            if prepared { _ = try? await connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(savepoint)")) }
            throw error
        }
    }

    private func single(_ query: PostgresQuery) async throws -> String {
        guard let row = try await connection.query(query).first else { throw AdvisorError.unreadablePlan }
        return try row.decode(String.self)
    }

    /// Reads the catalog (tables, columns, indexes, counters).
    public func catalog() async throws -> Catalog {
        try await CatalogQueries.load(connection)
    }

    // MARK: HypoPG

    /// Creates a hypothetical index (visible to this connection's planner only); returns its oid and estimated size.
    public func createHypotheticalIndex(_ ddl: String) async throws -> (oid: Int64, bytes: Int64) {
        let rows = try await connection.query("SELECT indexrelid::int8, hypopg_relation_size(indexrelid)::int8 FROM hypopg_create_index(\(ddl))")
        guard let row = rows.first else { throw AdvisorError.unreadablePlan }
        let (oid, bytes) = try row.decode((Int64, Int64).self)
        return (oid, bytes)
    }

    /// Removes one hypothetical index.
    public func dropHypotheticalIndex(_ oid: Int64) async throws {
        try await connection.query("SELECT hypopg_drop_index(\(oid)::oid)")
    }

    /// Removes all hypothetical indexes.
    public func resetHypotheticalIndexes() async throws {
        try await connection.query("SELECT hypopg_reset()")
    }
}
