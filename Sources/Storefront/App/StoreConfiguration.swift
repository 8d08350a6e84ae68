import Guard

/// How the store runs: where it listens and how checkout behaves.
public struct StoreConfiguration: Sendable {
    public var profile: StoreProfile = .guarded
    /// The adaptive limiter's settings (guarded profile).
    public var admission = AdmissionLimiter.Configuration()
    /// Catalog cache size in bytes (guarded profile); 0 disables it.
    public var catalogCacheBytes = 32 << 20
    /// Under overload, answer a catalog read the cache holds (fresh or stale, no query) instead of
    /// shedding it (guarded profile).
    public var serveCachedUnderOverload = true
    /// Serve `GET /v1/products/{id}` on the connection's event loop, from the request's bytes
    /// (`ProductPages`), rather than through the router: the same answer for ~40% less CPU.
    public var productPagesOnEventLoop = true
    public var host: String
    public var port: Int
    /// How long a checkout hold keeps its stock before the sweeper returns it.
    public var holdTTL: Duration
    /// How often the sweeper looks for expired holds.
    public var sweepInterval: Duration
    public var payment: SimulatedGateway.Configuration
    /// End-to-end deadline per route class (defaults: `RouteClass.deadline`).
    public var deadlines: [RouteClass: Duration] = Dictionary(uniqueKeysWithValues: RouteClass.allCases.map { ($0, $0.deadline) })
    /// A checkout's Idempotency-Key left in progress this long (its request died mid-way) is taken
    /// over by the next retry; above the checkout deadline, so a live request is never taken over.
    public var idempotencyTakeoverAfter: Duration = RouteClass.checkout.deadline + .seconds(2)
    /// How long a variant the database answered "sold out" for is refused without a query (`SoldOutFilter`).
    public var soldOutTTL: Duration = .seconds(2)

    public init(host: String = "127.0.0.1", port: Int = 8080, holdTTL: Duration = .seconds(600),
                sweepInterval: Duration = .seconds(5), payment: SimulatedGateway.Configuration = .init()) {
        self.host = host
        self.port = port
        self.holdTTL = holdTTL
        self.sweepInterval = sweepInterval
        self.payment = payment
    }
}
