import Database

/// Whether the store protects itself under overload: a name for one `ProfileSettings` value.
public enum StoreProfile: String, Sendable, CaseIterable {
    /// Adaptive admission with priorities, bounded pool waits, server-side deadlines, catalog cache.
    case guarded
    /// None of it: big pool, unbounded waits, no cache, no shedding, no timeouts (the incident's "before").
    case naive

    /// What this profile turns on.
    public var settings: ProfileSettings {
        switch self {
        case .guarded: .guarded
        case .naive: .naive
        }
    }
}

/// The protections a profile has, as data: what `StoreAssembly` and `StoreApplication` build from.
/// The two speed items (product pages on the event loop, pipelined reads) are not here: they are
/// about speed, not protection, and have flags of their own.
public struct ProfileSettings: Sendable, Equatable {
    /// Adaptive admission control with priorities and early shedding (`AdmissionController`).
    public var admission: Bool
    /// Bounded leases: waiters and wait time (`ConnectionGate`), plus two connections beyond it for
    /// cancels and LISTEN.
    public var connectionGate: Bool
    /// Statements past their request's deadline are cancelled on the server (`DeadlineCanceller`).
    public var cancelAtDeadline: Bool
    /// A circuit breaker and a prober that replaces a pool stuck backing off (`RecoveryConfiguration`).
    public var recovery: Bool
    /// The catalog cache (product and listing pages), sized by `StoreConfiguration.catalogCacheBytes`.
    public var catalogCache: Bool
    /// Sold-out variants refused for a moment without a query (`SoldOutFilter`).
    public var soldOutFilter: Bool
    /// `ETag` / `If-None-Match` → 304 on catalog reads.
    public var httpCaching: Bool
    /// Server-side timeouts every connection starts with.
    public var session: SessionSettings
    /// The pool size when none is given: `nil` sizes it from the server (`PoolSizing.size`).
    public var fixedPoolSize: Int?

    public init(admission: Bool, connectionGate: Bool, cancelAtDeadline: Bool, recovery: Bool, catalogCache: Bool,
                soldOutFilter: Bool, httpCaching: Bool, session: SessionSettings, fixedPoolSize: Int?) {
        self.admission = admission
        self.connectionGate = connectionGate
        self.cancelAtDeadline = cancelAtDeadline
        self.recovery = recovery
        self.catalogCache = catalogCache
        self.soldOutFilter = soldOutFilter
        self.httpCaching = httpCaching
        self.session = session
        self.fixedPoolSize = fixedPoolSize
    }

    /// Every protection on.
    public static let guarded = ProfileSettings(
        admission: true, connectionGate: true, cancelAtDeadline: true, recovery: true, catalogCache: true,
        soldOutFilter: true, httpCaching: true, session: .init(), fixedPoolSize: nil)

    /// None: a big pool, unbounded waits, no cache, no shedding, no timeouts (the incident's "before").
    public static let naive = ProfileSettings(
        admission: false, connectionGate: false, cancelAtDeadline: false, recovery: false, catalogCache: false,
        soldOutFilter: false, httpCaching: false, session: .unbounded, fixedPoolSize: 100)
}
