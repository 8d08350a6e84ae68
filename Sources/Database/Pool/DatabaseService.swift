import Logging
import Metrics
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// How the store comes back after PostgreSQL went away (a restart, a failover, a network cut).
public struct RecoveryConfiguration: Sendable {
    /// The pool's configuration, to build a fresh pool.
    public var client: PostgresClient.Configuration
    /// Time between `SELECT 1` probes while the breaker is open.
    public var probeInterval: Duration
    /// How long one probe may wait for a connection.
    public var probeTimeout: Duration
    /// While the server refuses connections, a pool this old is replaced by a fresh one: PostgresNIO
    /// backs off reconnecting by 1.25× per failed attempt up to 60 s, so an old pool could sleep
    /// through the server's return; a fresh one starts again at 100 ms. A pool is never replaced
    /// while the server's port accepts connections (it may just be slow to log in, and replacing
    /// it would throw that work away).
    public var replaceAfter: Duration

    public init(client: PostgresClient.Configuration, probeInterval: Duration = .milliseconds(200),
                probeTimeout: Duration = .seconds(1), replaceAfter: Duration = .seconds(3)) {
        self.client = client
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.replaceAfter = replaceAfter
    }
}

/// The pool in use, swapped for a fresh one during recovery.
final class ClientSlot: Sendable {
    struct Generation: Sendable {
        var client: PostgresClient
        var number: Int
        var createdAt: ContinuousClock.Instant
        /// Finished when this pool is retired (its `run()` is then cancelled).
        var retire: AsyncStream<Void>.Continuation
        var retired: AsyncStream<Void>
    }

    private let state: Mutex<Generation>
    /// Every pool that must run, the first one included.
    let launches: AsyncStream<Generation>
    private let launch: AsyncStream<Generation>.Continuation

    init(_ client: PostgresClient) {
        let (retired, retire) = AsyncStream<Void>.makeStream()
        let first = Generation(client: client, number: 1, createdAt: .now, retire: retire, retired: retired)
        state = Mutex(first)
        (launches, launch) = AsyncStream<Generation>.makeStream()
        launch.yield(first)
    }

    var current: Generation { state.withLock { $0 } }

    /// Installs `client` as the pool; the previous one is retired once its leases have ended.
    func replace(with client: PostgresClient) {
        let (retired, retire) = AsyncStream<Void>.makeStream()
        let old = state.withLock { current -> Generation in
            let old = current
            current = Generation(client: client, number: old.number + 1, createdAt: .now, retire: retire, retired: retired)
            launch.yield(current)
            return old
        }
        old.retire.finish()
    }
}

/// Runs the database pool as a service: the PostgresNIO client (and, after an outage, its
/// replacements), and, with recovery configured, the prober that closes the circuit breaker when
/// the server answers again.
///
/// Put it first in a `ServiceGroup`, so it is the last service to stop.
public struct DatabaseService: Service {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let breaker = database.breaker, let recovery = database.recovery {
                    group.addTask { await supervise(breaker, recovery) }
                }
                if let pipeline = database.pipeline {
                    group.addTask { await pipeline.run() }
                }
                for await generation in database.slot.launches {
                    group.addTask {
                        await withDiscardingTaskGroup { pool in
                            pool.addTask { await generation.client.run() }
                            for await _ in generation.retired {}
                            pool.cancelAll()
                        }
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Each time the breaker opens: probe until the server answers, replacing a pool that has been
    /// failing for `replaceAfter`, then close the breaker.
    func supervise(_ breaker: CircuitBreaker, _ recovery: RecoveryConfiguration) async {
        let logger = database.logger
        let available = Gauge(label: "surge_database_available")
        let replacements = Counter(label: "surge_database_pool_replacements_total")
        available.record(1)
        for await _ in breaker.opened {
            available.record(0)
            logger.warning("database unreachable: failing requests fast until it answers")
            while !Task.isCancelled {
                let generation = database.slot.current
                if await probe(generation.client, timeout: recovery.probeTimeout) {
                    if let down = breaker.recovered() {
                        logger.notice("database is back", metadata: ["down_ms": "\(down.milliseconds)", "pool": "\(generation.number)"])
                    }
                    available.record(1)
                    break
                }
                if generation.createdAt.duration(to: .now) >= recovery.replaceAfter,
                   await !Self.listening(host: recovery.client.host, port: recovery.client.port) {
                    var configuration = recovery.client
                    configuration.options.minimumConnections = 0
                    database.slot.replace(with: PostgresClient(configuration: configuration, backgroundLogger: database.driverLogger))
                    replacements.increment()
                }
                try? await Task.sleep(for: recovery.probeInterval)
            }
        }
    }

    /// Whether something accepts TCP connections at `host:port` (unknown for a Unix socket: `true`).
    static func listening(host: String?, port: Int?) async -> Bool {
        guard let host, let port else { return true }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(500))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// Whether one `SELECT 1` succeeds within `timeout`.
    func probe(_ client: PostgresClient, timeout: Duration) async -> Bool {
        do {
            return try await ConnectionGate.lease(from: client, timeout: timeout) { connection in
                // Bounded like every request's statement: the prober must never wait on a lost one.
                let logger = database.driverLogger
                return try await DatabaseConnection.awaitingAtMost(timeout, on: connection, logger: database.logger) {
                    try await connection.query("SELECT 1", logger: logger).collect().count == 1
                }
            }
        } catch {
            database.logger.debug("database probe failed", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }
}
