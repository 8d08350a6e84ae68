/// How the connection pool is used right now, as the code that leases connections sees it.
public struct PoolUsage: Sendable, Equatable {
    /// Connections leased to a caller.
    public var inUse: Int
    /// Open connections waiting for a caller.
    public var idle: Int
    /// Callers waiting for a connection.
    public var waiters: Int
    /// The most connections the pool may open.
    public var capacity: Int

    public init(inUse: Int, idle: Int, waiters: Int, capacity: Int) {
        self.inUse = inUse
        self.idle = idle
        self.waiters = waiters
        self.capacity = capacity
    }
}

/// Receives pool usage and lease waits (PostgresNIO exposes no pool metrics, so the code that leases
/// connections reports them: see STACK-NOTES). Called on the hot path: must be cheap, never block.
public protocol PoolObserver: Sendable {
    /// The pool's usage changed (or is sampled).
    func record(_ usage: PoolUsage)
    /// A caller waited `wait` for a connection; `acquired` is false when it gave up (timeout, shed).
    func recordAcquire(wait: Duration, acquired: Bool)
}
