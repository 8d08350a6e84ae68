/// What the current task is doing on behalf of whom: the HTTP route and request, and the deadline.
///
/// Set once by the HTTP layer (a task-local), read by the query path to attribute statements and to
/// derive `statement_timeout` from the time left.
public struct QueryContext: Sendable {
    /// The route pattern (`GET /v1/products/{id}`), or a CLI job name.
    public var route: String
    /// The request id, for logs.
    public var requestID: String
    /// When the work must be finished; statements are cancelled on the server past it.
    public var deadline: ContinuousClock.Instant?
    /// Work that must not fail for want of a connection (the store's checkouts and hold releases): the
    /// connection gate lets it past a full waiting line, serves it before everyone else waiting, and
    /// lets it wait until its deadline.
    public var critical: Bool
    /// The longest one lease may wait for a connection, when shorter than the time left: a catalog
    /// read tried on a replica first leaves the rest of its deadline for the primary, where it runs
    /// again if the replica cannot give it a connection (`ReadRouter`).
    public var leaseWait: Duration?

    public init(route: String, requestID: String, deadline: ContinuousClock.Instant? = nil, critical: Bool = false) {
        self.route = route
        self.requestID = requestID
        self.deadline = deadline
        self.critical = critical
    }

    @TaskLocal public static var current: QueryContext?

    /// Time left before the deadline, or `nil` when there is none.
    public var remaining: Duration? {
        deadline.map { $0 - ContinuousClock.now }
    }

    /// How long a lease may wait, given the pool's own `maximumWait`: the least of that, the time
    /// left and `leaseWait` (never negative). Critical work waits until its deadline.
    func leaseTimeout(maximumWait: Duration) -> Duration {
        var timeout = maximumWait
        if let remaining { timeout = critical ? max(.zero, remaining) : min(timeout, max(.zero, remaining)) }
        if let leaseWait { timeout = min(timeout, max(.zero, leaseWait)) }
        return timeout
    }
}
