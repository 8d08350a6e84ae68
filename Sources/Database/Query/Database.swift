import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The one path by which Surge runs SQL: every statement is timed, row-counted and handed to the
/// observers (statistics, metrics, slow-query log) with the task's `QueryContext`.
///
/// Values always travel as bind parameters: `PostgresQuery` interpolation binds `\(value)`, and
/// `unsafeSQL` must be spelled out for text that is not a value.
public final class Database: Sendable {
    /// The pool in use. Run it with `DatabaseService` (or `client.run()` in a task when there is no
    /// recovery): after an outage the service may swap in a fresh pool, so read this property each time.
    public var client: PostgresClient { slot.current.client }
    /// 1 for the first pool, plus one for every replacement made while recovering from an outage.
    public var poolGeneration: Int { slot.current.number }
    let slot: ClientSlot
    public let logger: Logger
    /// Passed to PostgresNIO: its warnings (such as a lease racing `client.run()` at start) are noise;
    /// real failures reach us as thrown errors.
    let driverLogger: Logger
    let observers: [any QueryObserver]
    /// Bounds leases (waiters, wait time); `nil` leases straight from the pool (the naive profile).
    public let gate: ConnectionGate?
    /// Cancels single statements on the server when the task's deadline passes.
    let deadlines: DeadlineCanceller?
    /// Fails requests fast while the server is unreachable (needs `recovery` and a running `DatabaseService`).
    public let breaker: CircuitBreaker?
    let recovery: RecoveryConfiguration?
    /// Told the pool's usage at every lease start and end, and every acquire wait.
    let poolObserver: (any PoolObserver)?
    /// The most connections leases can use at once (the gate's permits, or the pool's maximum).
    let poolCapacity: Int
    /// Callers inside `withConnection`: leased or waiting for a connection.
    private let demand = Atomic<Int>(0)
    /// Pooled connections that have a `ReadCompleteGuard` (a PostgresNIO crash on restarts).
    private let guardedConnections = Mutex<Set<ReadCompleteGuard.Key>>([])
    /// Dedicated connections for hot reads (`pipelined`); run by `DatabaseService`.
    public let pipeline: StatementPipeline?
    /// The pool's connections go through a transaction pooler (PgBouncer in transaction mode): two
    /// statements of one lease may run on different server connections, so nothing may rely on
    /// session state. `execute` then sends the prepared statement's SQL as an unnamed statement.
    public let transactionPooler: Bool

    public init(client: PostgresClient, observers: [any QueryObserver] = [], logger: Logger,
                gate: ConnectionGate? = nil, cancelAtDeadline: Bool = false, recovery: RecoveryConfiguration? = nil,
                poolObserver: (any PoolObserver)? = nil, poolCapacity: Int? = nil, pipeline: StatementPipeline? = nil,
                transactionPooler: Bool = false) {
        self.pipeline = pipeline
        self.transactionPooler = transactionPooler
        self.poolObserver = poolObserver
        self.poolCapacity = gate?.configuration.permits ?? poolCapacity ?? 1
        let slot = ClientSlot(client)
        self.slot = slot
        self.observers = observers
        self.logger = logger
        self.gate = gate
        self.deadlines = cancelAtDeadline ? DeadlineCanceller(slot: slot, logger: logger) : nil
        self.recovery = recovery
        self.breaker = recovery == nil ? nil : CircuitBreaker()
        self.driverLogger = logger.driver
    }

    /// Runs one statement on a pooled connection and returns all its rows; past the task's deadline
    /// the statement is cancelled on the server (when `cancelAtDeadline`).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await withConnection { try await $0.queryWithDeadline(query) }
    }

    /// Runs a read-only statement on the pipelined connection of the caller's event loop and returns
    /// the first column of each row, timed and observed like every other statement. `nil` when there
    /// is no pipeline, or it cannot take the statement now (down, reconnecting, too deep, or the
    /// connection was lost before it answered): the caller then runs it on the pool. Past the task's
    /// deadline (when the database cancels at deadlines) the wait ends with `DeadlineExceeded`.
    public func pipelined(_ statement: PipelinedStatement, _ parameters: [PipelineParameter]) async throws -> [ByteBuffer?]? {
        guard let pipeline else { return nil }
        try breaker?.admit()
        var timeout: Duration? = nil
        if deadlines != nil, let remaining = QueryContext.current?.remaining {
            guard remaining > .zero else { throw DeadlineExceeded() }
            timeout = remaining
        }
        let start = ContinuousClock.now
        do {
            guard let rows = try await pipeline.execute(statement, parameters, timeout: timeout) else { return nil }
            notify(sql: statement.sql, start: start, rows: rows.count, error: nil)
            return rows
        } catch {
            notify(sql: statement.sql, start: start, rows: 0, error: error)
            throw error
        }
    }

    /// Leases one connection for several statements (cheaper than one lease per statement).
    public func withConnection<Result: Sendable>(
        _ body: (DatabaseConnection) async throws -> Result
    ) async throws -> Result {
        guard let poolObserver else { return try await lease(body) }
        let start = ContinuousClock.now
        reportUsage(to: poolObserver, demand: demand.add(1, ordering: .relaxed).newValue)
        defer { reportUsage(to: poolObserver, demand: demand.subtract(1, ordering: .relaxed).newValue) }
        var acquired = false
        do {
            return try await lease { connection in
                acquired = true
                poolObserver.recordAcquire(wait: .now - start, acquired: true)
                return try await body(connection)
            }
        } catch {
            if !acquired { poolObserver.recordAcquire(wait: .now - start, acquired: false) }
            throw error
        }
    }

    private func lease<Result: Sendable>(_ body: (DatabaseConnection) async throws -> Result) async throws -> Result {
        guard let gate else {
            let client = client
            return try await client.withConnection { try await body(connection($0, of: client)) }
        }
        try breaker?.admit()
        do {
            return try await gate.withPermit {
                let client = client
                return try await gate.lease(from: client) { try await body(connection($0, of: client)) }
            }
        } catch {
            breaker?.observe(error)
            throw error
        }
    }

    /// How many pooled connections were given a `ReadCompleteGuard`.
    var guardedConnectionCount: Int { guardedConnections.withLock { $0.count } }

    private func connection(_ raw: PostgresConnection, of client: PostgresClient) -> DatabaseConnection {
        ReadCompleteGuard.install(on: raw, of: client, installed: guardedConnections)
        return DatabaseConnection(raw: raw, database: self)
    }

    /// `demand` callers are leased or waiting: those beyond the capacity (or in the gate's line) wait.
    private func reportUsage(to observer: any PoolObserver, demand: Int) {
        let waiting = gate?.waiters ?? max(0, demand - poolCapacity)
        let inUse = min(poolCapacity, max(0, demand - waiting))
        observer.record(PoolUsage(inUse: inUse, idle: poolCapacity - inUse, waiters: waiting, capacity: poolCapacity))
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
                if CircuitBreaker.isConnectionFailure(error) {
                    // The server is gone and rolls back on its own; a statement on this connection
                    // could wait forever. Drop the connection instead.
                    try? await connection.raw.close()
                } else {
                    await connection.rollbackOrDrop()
                }
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
            try ensureOpen()
            let (raw, logger) = (raw, database.driverLogger)
            let rows = try await bounded { try await raw.query(query, logger: logger).collect() }
            database.notify(sql: query.sql, start: start, rows: rows.count, error: nil)
            return rows
        } catch {
            database.notify(sql: query.sql, start: start, rows: 0, error: error)
            throw error
        }
    }

    /// Runs one statement outside a transaction; past the task's deadline it is cancelled on the
    /// server (when the database cancels at deadlines), as `Database.query` does. Inside a transaction
    /// use `query`: `withTransaction` bounds its statements with `SET LOCAL statement_timeout`.
    @discardableResult
    public func queryWithDeadline(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await cancellingAtDeadline { try await self.query(query) }
    }

    /// Runs a named prepared statement (parsed once per connection: the fastest path for hot reads).
    /// Behind a transaction pooler the statement's SQL is sent unnamed instead: a named statement
    /// prepared on one server connection is missing on the next (PgBouncer 1.18: SQLSTATE 26000/42P05).
    public func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        let start = ContinuousClock.now
        do {
            try ensureOpen()
            let (raw, logger, pooled) = (raw, database.driverLogger, database.transactionPooler)
            let rows = try await bounded {
                var rows: [Statement.Row] = []
                if pooled {
                    let query = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
                    for try await row in try await raw.query(query, logger: logger) { rows.append(try statement.decodeRow(row)) }
                } else {
                    for try await row in try await raw.execute(statement, logger: logger) { rows.append(row) }
                }
                return rows
            }
            database.notify(sql: Statement.sql, start: start, rows: rows.count, error: nil)
            return rows
        } catch {
            database.notify(sql: Statement.sql, start: start, rows: 0, error: error)
            throw error
        }
    }

    /// `execute` outside a transaction, cancelled on the server past the task's deadline (as `queryWithDeadline`).
    public func executeWithDeadline<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await cancellingAtDeadline { try await execute(statement) }
    }

    private func cancellingAtDeadline<Result: Sendable>(_ statement: () async throws -> Result) async throws -> Result {
        guard let deadlines = database.deadlines, let deadline = QueryContext.current?.deadline else { return try await statement() }
        return try await deadlines.run(on: raw, deadline: deadline, statement)
    }

    /// Seen here: a statement sent on a connection the server has already closed can wait forever
    /// (PostgresNIO 1.33) instead of failing. Refuse it up front.
    func ensureOpen() throws {
        if raw.isClosed { throw ConnectionLost() }
    }

    /// How long past a request's deadline a statement may still be awaited before it is abandoned.
    static let abandonAfterDeadline: Duration = .seconds(5)

    /// Awaits `work`, a PostgresNIO call on this connection, for at most the request's time left plus
    /// `abandonAfterDeadline` (guarded profile; without a deadline it is awaited as is).
    ///
    /// `ensureOpen` narrows, but cannot close, a race in PostgresNIO 1.33: a statement written to a
    /// connection whose channel closes before the write reaches its handler is dropped with its
    /// promise, and the caller waits forever. During a PostgreSQL restart that happens to a few
    /// statements in thousands; each one held a request, its admission slot and its pool permit for
    /// good, and once it hit the recovery prober's `SELECT 1` the breaker never closed again (the
    /// restart test's "hang": every task waiting, no timer armed). Server-side limits
    /// (`statement_timeout`, `pg_cancel_backend`) cannot help when the server never got the statement.
    func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard database.gate != nil, let remaining = QueryContext.current?.remaining else { return try await work() }
        return try await Self.awaitingAtMost(remaining + Self.abandonAfterDeadline, on: raw, logger: database.logger, work)
    }

    /// Runs `work` in a task of its own and waits for it at most `limit`; past that the statement is
    /// abandoned (its task may never end), its connection closed, and `ConnectionLost` thrown.
    static func awaitingAtMost<T: Sendable>(_ limit: Duration, on raw: PostgresConnection, logger: Logger,
                                            _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let timer = raw.eventLoop.scheduleTask(in: TimeAmount(max(limit, .milliseconds(1)))) {
                guard once.resume(with: .failure(ConnectionLost())) else { return }
                logger.warning("abandoned a database statement still unanswered past its deadline; closing its connection",
                               metadata: ["connection": "\(raw.id)", "limit_ms": "\(limit.milliseconds)"])
                let _: EventLoopFuture<Void> = raw.close()
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                timer.cancel()
                once.resume(with: result)
            }
        }
    }

    /// Rolls back after a failed statement; if the server does not answer within a second (the
    /// connection may be dead and the statement never answered), the connection is closed instead so
    /// the pool never hands out a connection stuck in a transaction. The request does not wait longer.
    func rollbackOrDrop() async {
        let raw = raw
        let logger = database.driverLogger
        let (finished, finish) = AsyncStream<Bool>.makeStream()
        Task {
            let rolledBack = (try? await raw.query("ROLLBACK", logger: logger).collect()) != nil
            finish.yield(rolledBack)
            finish.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(1))
            finish.finish()
        }
        var outcome = finished.makeAsyncIterator()
        let rolledBack = await outcome.next() ?? false
        timer.cancel()
        if !rolledBack { Task { try? await raw.close() } }
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

/// The connection was already closed by the server (it restarted, or the network went away).
public struct ConnectionLost: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the database connection was closed by the server" }
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

/// The SQLSTATE of a statement the server refused, whichever path ran it (pool or pipeline); `nil`
/// for every other error.
public func serverSQLState(_ error: any Error) -> String? {
    switch error {
    case let error as PSQLError: error.sqlState
    case let error as PipelineServerError: error.sqlState
    default: nil
    }
}

extension Logger {
    /// For PostgresNIO's background logger: its warnings (such as a lease racing `client.run()` at
    /// start) are noise at a user's log level; real failures reach callers as thrown errors.
    public var driver: Logger {
        var logger = self
        logger.logLevel = max(logLevel, .error)
        return logger
    }
}

/// A continuation resumed by whichever of two racers comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    /// Resumes the continuation unless it was already; `true` if this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let continuation = self.continuation.withLock({ state -> CheckedContinuation<T, any Error>? in
            defer { state = nil }
            return state
        }) else { return false }
        continuation.resume(with: result)
        return true
    }
}
