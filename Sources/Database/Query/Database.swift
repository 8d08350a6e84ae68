import Logging
import PostgresNIO

/// The one path by which Surge runs SQL: every statement is timed, row-counted and handed to the
/// observers (statistics, metrics, slow-query log) with the task's `QueryContext`.
///
/// Values always travel as bind parameters: `PostgresQuery` interpolation binds `\(value)`, and
/// `unsafeSQL` must be spelled out for text that is not a value.
public final class Database: Sendable {
    /// The underlying pool. Run `client.run()` in a task (or a `ServiceGroup`) for the pool to work.
    public let client: PostgresClient
    public let logger: Logger
    /// Passed to PostgresNIO: its warnings (such as a lease racing `client.run()` at start) are noise;
    /// real failures reach us as thrown errors.
    let driverLogger: Logger
    let observers: [any QueryObserver]
    /// Bounds leases (waiters, wait time); `nil` leases straight from the pool (the naive profile).
    public let gate: ConnectionGate?
    /// Cancels single statements on the server when the task's deadline passes.
    let deadlines: DeadlineCanceller?

    public init(client: PostgresClient, observers: [any QueryObserver] = [], logger: Logger,
                gate: ConnectionGate? = nil, cancelAtDeadline: Bool = false) {
        self.client = client
        self.observers = observers
        self.logger = logger
        self.gate = gate
        self.deadlines = cancelAtDeadline ? DeadlineCanceller(client: client, logger: logger) : nil
        var driverLogger = logger
        driverLogger.logLevel = max(logger.logLevel, .error)
        self.driverLogger = driverLogger
    }

    /// Runs one statement on a pooled connection and returns all its rows; past the task's deadline
    /// the statement is cancelled on the server (when `cancelAtDeadline`).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await withConnection { connection in
            guard let deadlines, let deadline = QueryContext.current?.deadline else { return try await connection.query(query) }
            return try await deadlines.run(on: connection.raw, deadline: deadline) { try await connection.query(query) }
        }
    }

    /// Leases one connection for several statements (cheaper than one lease per statement).
    public func withConnection<Result: Sendable>(
        _ body: (DatabaseConnection) async throws -> Result
    ) async throws -> Result {
        guard let gate else {
            return try await client.withConnection { try await body(DatabaseConnection(raw: $0, database: self)) }
        }
        return try await gate.withPermit {
            try await gate.lease(from: client) { try await body(DatabaseConnection(raw: $0, database: self)) }
        }
    }

    /// Runs `body` in a transaction; `statement_timeout` is lowered to the time left before the
    /// task's deadline (`QueryContext.current`), so a late request cannot hold the database.
    public func withTransaction<Result: Sendable>(
        isolation: String? = nil,
        _ body: (DatabaseConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.query(isolation.map { PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \($0)") } ?? "BEGIN")
            do {
                try await connection.applyDeadline()
                let result = try await body(connection)
                try await connection.query("COMMIT")
                return result
            } catch {
                // The connection may be broken; a failed ROLLBACK must not hide the real error.
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    func notify(sql: String, start: ContinuousClock.Instant, rows: Int, error: (any Error)?) {
        guard !observers.isEmpty else { return }
        let event = QueryEvent(sql: sql, duration: ContinuousClock.now - start, rows: rows, error: error, context: QueryContext.current)
        for observer in observers { observer.record(event) }
    }
}

/// A leased connection whose statements go through the instrumented path.
public struct DatabaseConnection: Sendable {
    /// The raw connection, for LISTEN and COPY.
    public let raw: PostgresConnection
    let database: Database

    /// Runs one statement and returns all its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let start = ContinuousClock.now
        do {
            let rows = try await raw.query(query, logger: database.driverLogger).collect()
            database.notify(sql: query.sql, start: start, rows: rows.count, error: nil)
            return rows
        } catch {
            database.notify(sql: query.sql, start: start, rows: 0, error: error)
            throw error
        }
    }

    /// Runs a named prepared statement (parsed once per connection: the fastest path for hot reads).
    public func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        let start = ContinuousClock.now
        do {
            var rows: [Statement.Row] = []
            for try await row in try await raw.execute(statement, logger: database.driverLogger) { rows.append(row) }
            database.notify(sql: Statement.sql, start: start, rows: rows.count, error: nil)
            return rows
        } catch {
            database.notify(sql: Statement.sql, start: start, rows: 0, error: error)
            throw error
        }
    }

    /// Inside a transaction: `SET LOCAL statement_timeout` to the time left, and `lock_timeout` to
    /// 80% of it, so a request stuck behind a lock fails as a lock timeout (retryable, nothing applied)
    /// before the deadline turns it into a cancelled statement.
    public func applyDeadline() async throws {
        guard let remaining = QueryContext.current?.remaining else { return }
        guard remaining > .zero else { throw DeadlineExceeded() }
        let statement = "\(max(1, remaining.milliseconds))ms"
        let lock = "\(max(1, remaining.milliseconds * 4 / 5))ms"
        try await query("SELECT set_config('statement_timeout', \(statement), true), set_config('lock_timeout', \(lock), true)")
    }
}

/// The request's deadline passed before its database work could start.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "deadline exceeded before the statement could start" }
}

extension PSQLError {
    /// The SQLSTATE code the server sent, if any (`57014` query_canceled, `40001` serialization_failure…).
    public var sqlState: String? { serverInfo?[.sqlState] }
}
