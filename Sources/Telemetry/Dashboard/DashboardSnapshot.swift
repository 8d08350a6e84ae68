import Database
import Synchronization

/// One frame of the live dashboard, sent every second on `GET /dashboard/events`.
public struct DashboardSnapshot: Codable, Sendable {
    public var uptimeSeconds: Double
    public var requests: RecentRequests
    public var pool: Pool?
    public var server: ServerSample?
    public var topQueries: [QueryReport.Query]
    /// `route: query` for each fingerprint flagged as N+1.
    public var nPlusOne: [String]
    public var alerts: [ActiveAlert]
    /// The doctor's current findings on the store's database; nil when no doctor runs.
    public var doctor: DoctorPanel?
    /// The primary and the replicas catalog reads go to; nil when the store has no replicas.
    public var backends: [ReadRouter.Backend]?

    /// The pool's usage as last reported.
    public struct Pool: Codable, Sendable {
        public var inUse: Int
        public var idle: Int
        public var waiters: Int
        public var capacity: Int

        init(_ usage: PoolUsage) {
            inUse = usage.inUse
            idle = usage.idle
            waiters = usage.waiters
            capacity = usage.capacity
        }

        enum CodingKeys: String, CodingKey {
            case inUse = "in_use", idle, waiters, capacity
        }
    }

    enum CodingKeys: String, CodingKey {
        case uptimeSeconds = "uptime_seconds", requests, pool, server, topQueries = "top_queries"
        case nPlusOne = "n_plus_one", alerts, doctor, backends
    }
}

/// Where the dashboard reads the database backends from: the store's `ReadRouter`, when it has replicas.
public final class BackendBoard: Sendable {
    private let source = Mutex<(@Sendable () -> [ReadRouter.Backend])?>(nil)

    public init() {}

    /// Shows `router`'s backends on the dashboard.
    public func show(_ router: ReadRouter) {
        source.withLock { $0 = { router.backends() } }
    }

    var current: [ReadRouter.Backend]? { source.withLock { $0 }?() }
}
