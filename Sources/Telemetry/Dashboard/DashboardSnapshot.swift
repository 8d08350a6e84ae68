import Database

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
        case nPlusOne = "n_plus_one", alerts, doctor
    }
}
