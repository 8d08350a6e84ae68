import Database
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import Synchronization

/// Samples PostgreSQL's own statistics every few seconds through the instrumented query path and
/// exports them as `surge_pg_*` metrics, so a user needs no separate exporter.
public final class ServerSampler: Service {
    let database: Database
    private let interval: Duration
    private let timeout: Duration
    private let logger: Logger
    private let gauges: ServerGauges
    private let state = Mutex<(latest: ServerSample?, previous: ServerSample?)>((nil, nil))

    init(database: Database, registry: PrometheusCollectorRegistry, interval: Duration, timeout: Duration, logger: Logger) {
        self.database = database
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
        self.gauges = ServerGauges(registry: registry)
    }

    /// The last successful sample, if the last attempt succeeded.
    public var latest: ServerSample? { state.withLock { $0.latest } }

    /// Whether any sample was attempted yet (before the first, "no sample" does not mean "down").
    var hasSampled: Bool { attempted.load(ordering: .relaxed) }
    private let attempted = Atomic<Bool>(false)

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await self.sampleNow()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// Takes one sample now and exports it; nil (and `surge_pg_up 0`) when the server did not answer.
    @discardableResult
    public func sampleNow() async -> ServerSample? {
        defer { attempted.store(true, ordering: .relaxed) }
        do {
            // The pool waits forever while the server is down (STACK-NOTES): bound the sample so an
            // outage shows as `surge_pg_up 0` instead of a sampler that silently stops.
            let sample = try await Self.withTimeout(timeout) {
                try await QueryContext.$current.withValue(QueryContext(route: "telemetry:sampler", requestID: "sampler")) {
                    try await self.read()
                }
            }
            let previous = state.withLock { state in
                let previous = state.latest ?? state.previous
                state = (sample, previous)
                return previous
            }
            gauges.export(sample, previous: previous)
            return sample
        } catch {
            state.withLock { $0 = (nil, $0.latest ?? $0.previous) }
            gauges.up.set(to: 0)
            logger.warning("PostgreSQL sample failed", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
    }

    private func read() async throws -> ServerSample {
        try await database.withConnection { connection in
            var connections: [String: Int] = [:]
            for row in try await connection.query(ServerSQL.connectionsByState) {
                let (state, count) = try row.decode((String, Int64).self)
                connections[state.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "(", with: "")
                    .replacingOccurrences(of: ")", with: ""), default: 0] += Int(count)
            }
            guard let row = try await connection.query(ServerSQL.databaseHealth).first else {
                throw SampleError.noRow
            }
            let (maxConnections, commits, rollbacks, hits, reads, deadlocks, tempBytes, oldest, lockWaits) =
                try row.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Double, Int64).self)
            return ServerSample(
                connections: connections,
                maxConnections: Int(maxConnections),
                xactCommit: commits,
                xactRollback: rollbacks,
                bufferHitRatio: hits + reads == 0 ? 1 : Double(hits) / Double(hits + reads),
                deadlocks: deadlocks,
                tempBytes: tempBytes,
                oldestTransactionSeconds: oldest,
                lockWaits: Int(lockWaits)
            )
        }
    }

    private struct SampleError: Error, CustomStringConvertible {
        var description: String
        static let noRow = SampleError(description: "pg_stat_database has no row for the current database")
    }

    private static func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw SampleError(description: "PostgreSQL did not answer within \(timeout)")
            }
            return value
        }
    }
}

/// The sampler's statements, readable by a DBA without reading Swift.
enum ServerSQL {
    /// Client connections on the whole server by state (`max_connections` is server-wide too).
    static let connectionsByState: PostgresQuery = """
        SELECT coalesce(state, 'unknown'), count(*)::int8
        FROM pg_stat_activity
        WHERE backend_type = 'client backend'
        GROUP BY 1
        """

    /// This database's counters, the oldest open transaction and lock waits on the server.
    static let databaseHealth: PostgresQuery = """
        SELECT
          (SELECT setting::int8 FROM pg_settings WHERE name = 'max_connections'),
          d.xact_commit, d.xact_rollback, d.blks_hit, d.blks_read, d.deadlocks, d.temp_bytes,
          (SELECT coalesce(extract(epoch FROM max(now() - xact_start)), 0)::float8
             FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()),
          (SELECT count(*)::int8 FROM pg_stat_activity WHERE wait_event_type = 'Lock')
        FROM pg_stat_database d
        WHERE d.datname = current_database()
        """
}

/// The `surge_pg_*` series. PostgreSQL's cumulative counters become Prometheus counters that grow
/// by the difference between samples (a stats reset counts as growth from zero).
struct ServerGauges: Sendable {
    static let knownStates = [
        "active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call", "disabled", "unknown",
    ]
    let registry: PrometheusCollectorRegistry
    let up: Gauge
    let maxConnections: Gauge
    let bufferHitRatio: Gauge
    let oldestTransaction: Gauge
    let lockWaits: Gauge
    let commits: Counter
    let rollbacks: Counter
    let deadlocks: Counter
    let tempBytes: Counter

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        up = registry.makeGauge(descriptor: .surge("pg_up", help: "1 when the last PostgreSQL sample succeeded."))
        maxConnections = registry.makeGauge(descriptor: .surge("pg_max_connections", help: "The server's max_connections."))
        bufferHitRatio = registry.makeGauge(descriptor: .surge("pg_buffer_hit_ratio", help: "Shared buffer hits over block reads of this database."))
        oldestTransaction = registry.makeGauge(descriptor: .surge(
            "pg_oldest_transaction_age", unit: "seconds", help: "Age of the oldest open transaction on the server."))
        lockWaits = registry.makeGauge(descriptor: .surge("pg_lock_waits", help: "Sessions waiting for a lock."))
        commits = registry.makeCounter(descriptor: .surge("pg_xact_commit", unit: "total", help: "Transactions committed in this database."))
        rollbacks = registry.makeCounter(descriptor: .surge("pg_xact_rollback", unit: "total", help: "Transactions rolled back in this database."))
        deadlocks = registry.makeCounter(descriptor: .surge("pg_deadlocks", unit: "total", help: "Deadlocks detected in this database."))
        tempBytes = registry.makeCounter(descriptor: .surge("pg_temp_bytes", unit: "total", help: "Bytes written to temporary files by this database."))
        for state in Self.knownStates { connections(state).set(to: 0) }
    }

    func connections(_ state: String) -> Gauge {
        registry.makeGauge(
            descriptor: .surge("pg_connections", help: "Client connections on the server by state."), labels: [("state", state)])
    }

    func export(_ sample: ServerSample, previous: ServerSample?) {
        up.set(to: 1)
        for state in Set(Self.knownStates).union(sample.connections.keys) {
            connections(state).set(Double(sample.connections[state] ?? 0))
        }
        maxConnections.set(Double(sample.maxConnections))
        bufferHitRatio.set(sample.bufferHitRatio)
        oldestTransaction.set(sample.oldestTransactionSeconds)
        lockWaits.set(Double(sample.lockWaits))
        commits.increment(by: Self.growth(sample.xactCommit, previous?.xactCommit))
        rollbacks.increment(by: Self.growth(sample.xactRollback, previous?.xactRollback))
        deadlocks.increment(by: Self.growth(sample.deadlocks, previous?.deadlocks))
        tempBytes.increment(by: Self.growth(sample.tempBytes, previous?.tempBytes))
    }

    static func growth(_ now: Int64, _ before: Int64?) -> Int64 {
        guard let before, now >= before else { return now }
        return now - before
    }
}
