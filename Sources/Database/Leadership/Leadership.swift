import Logging
import Metrics
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Which store instance runs the cluster's background jobs (the hold sweeper): the one whose
/// session holds a PostgreSQL advisory lock.
///
/// Each instance keeps one session of its own (never a pooled connection, and never through a
/// transaction pooler: a session lock lives exactly as long as its server session) and tries
/// `pg_try_advisory_lock` every `interval`. The holder leads; it checks its session every interval
/// and stops leading the moment a check fails. When the leader dies its socket closes, PostgreSQL ends
/// the session and releases the lock, and the next instance to try takes it: the jobs move within
/// about one interval. Leadership is for doing the work once, not for correctness: the sweeper's
/// statements are safe to run twice (an instance that lost its session but not yet noticed may
/// sweep once more; the row locks and conditions of `expireHolds` keep that harmless).
public final class Leadership: Service, Sendable {
    /// `pg_advisory_lock` key of the background jobs: "surge-jobs" folded to 64 bits (the migrations use another).
    public static let jobsKey: Int64 = 0x7375_7267_656A_6F62

    let url: DatabaseURL
    let key: Int64
    let interval: Duration
    let logger: Logger
    private let leading = Atomic<Bool>(false)
    private let gauge = Gauge(label: "surge_leader")
    private let changes = Counter(label: "surge_leadership_changes_total")

    public init(url: DatabaseURL, key: Int64 = Leadership.jobsKey, interval: Duration = .seconds(1), logger: Logger) {
        self.url = url
        self.key = key
        self.interval = interval
        self.logger = logger
    }

    /// Whether this instance leads now.
    public var isLeader: Bool { leading.load(ordering: .relaxed) }

    static func tryLock(_ key: Int64) -> PostgresQuery { "SELECT pg_try_advisory_lock(\(key))" }
    static let alive: PostgresQuery = "SELECT 1"

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.session()
                } catch is CancellationError {
                    break
                } catch {
                    self.lead(false)
                    self.logger.debug("leadership session failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: self.interval)
            }
        }
        lead(false)
    }

    /// One session: try the lock every interval, and while holding it check the session is alive.
    private func session() async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: url.requireTLS ? .require(try .init(configuration: .makeClientConfiguration())) : .disable)
        configuration.options.connectTimeout = .seconds(2)
        configuration.options.additionalStartupParameters = [("application_name", (url.applicationName ?? "surge") + " leadership")]
        let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 20_000, logger: logger.driver)
        do {
            let bound = interval + .seconds(2)
            while !Task.isCancelled {
                let query = isLeader ? Self.alive : Self.tryLock(key)
                let rows = try await DatabaseConnection.awaitingAtMost(bound, on: connection, logger: logger) {
                    try await connection.query(query, logger: self.logger.driver).collect()
                }
                if !isLeader, let acquired = try rows.first?.decode(Bool.self), acquired { lead(true) }
                try await Task.sleep(for: interval)
            }
        } catch {
            // Not leading from here on: the lock goes with the session, closed before anything else.
            lead(false)
            try? await connection.close()
            throw error
        }
        lead(false)
        try? await connection.close()
    }

    private func lead(_ now: Bool) {
        let was = leading.exchange(now, ordering: .relaxed)
        guard was != now else { return }
        gauge.record(now ? 1 : 0)
        changes.increment()
        logger.notice(now ? "this instance now runs the background jobs (leader)" : "this instance no longer leads the background jobs")
    }
}
