/// One client session as `pg_stat_activity` showed it in one sample.
public struct BackendActivity: Sendable, Codable, Equatable {
    public var pid: Int
    public var user: String?
    public var application: String
    /// The client's address, or `local` for a Unix socket.
    public var client: String
    public var database: String?
    /// `active`, `idle`, `idle in transaction`, `idle in transaction (aborted)`, …; nil when not visible.
    public var state: String?
    public var waitEventType: String?
    public var waitEvent: String?
    public var transactionSeconds: Double?
    public var querySeconds: Double?
    /// Seconds since `state` last changed (how long it has been idle in transaction, for example).
    public var stateSeconds: Double?
    /// `age(backend_xmin)`: how far back this session holds the xmin horizon, in transactions.
    public var xminAge: Int?
    /// The session has an xid: it wrote in its transaction and holds row locks until it ends.
    public var wrote: Bool
    /// The query text (the current one when active, the last one otherwise), truncated.
    public var query: String
    /// Sessions whose locks this one waits for (`pg_blocking_pids`), empty unless waiting on a lock.
    public var blockedBy: [Int]

    public init(
        pid: Int, user: String? = "app", application: String = "", client: String = "local", database: String? = "store",
        state: String?, waitEventType: String? = nil, waitEvent: String? = nil, transactionSeconds: Double? = nil,
        querySeconds: Double? = nil, stateSeconds: Double? = nil, xminAge: Int? = nil, wrote: Bool = false,
        query: String = "", blockedBy: [Int] = []
    ) {
        self.pid = pid
        self.user = user
        self.application = application
        self.client = client
        self.database = database
        self.state = state
        self.waitEventType = waitEventType
        self.waitEvent = waitEvent
        self.transactionSeconds = transactionSeconds
        self.querySeconds = querySeconds
        self.stateSeconds = stateSeconds
        self.xminAge = xminAge
        self.wrote = wrote
        self.query = query
        self.blockedBy = blockedBy
    }

    public var isActive: Bool { state == "active" }
    public var isIdleInTransaction: Bool { state?.hasPrefix("idle in transaction") == true }
    public var isWaitingOnLock: Bool { waitEventType == "Lock" && !blockedBy.isEmpty }
    /// Running on CPU as far as PostgreSQL can tell: active with no wait event.
    public var isOnCPU: Bool { isActive && waitEventType == nil }

    /// `pid 4242 (idle in transaction 35 s, app "psql", user app, client 10.0.0.7)`.
    public var label: String {
        var parts: [String] = []
        if let state {
            let age = isActive ? querySeconds : stateSeconds
            parts.append(state + (age.map { " " + Seconds.text($0) } ?? ""))
        }
        if !application.isEmpty { parts.append("app \"\(application)\"") }
        if let user { parts.append("user \(user)") }
        if client != "local" { parts.append("client \(client)") }
        return "pid \(pid) (" + parts.joined(separator: ", ") + ")"
    }
}

/// One pass over `pg_stat_activity`: every client session at one instant.
public struct ActivitySample: Sendable, Codable, Equatable {
    /// Seconds since the window started.
    public var at: Double
    public var sessions: [BackendActivity]

    public init(at: Double, sessions: [BackendActivity]) {
        self.at = at
        self.sessions = sessions
    }

    public func session(_ pid: Int) -> BackendActivity? { sessions.first { $0.pid == pid } }

}
