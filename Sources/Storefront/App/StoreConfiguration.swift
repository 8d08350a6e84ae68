/// How the store runs: where it listens and how checkout behaves.
public struct StoreConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How long a checkout hold keeps its stock before the sweeper returns it.
    public var holdTTL: Duration
    /// How often the sweeper looks for expired holds.
    public var sweepInterval: Duration
    public var payment: SimulatedGateway.Configuration
    /// End-to-end deadline per route class (defaults: `RouteClass.deadline`).
    public var deadlines: [RouteClass: Duration] = Dictionary(uniqueKeysWithValues: RouteClass.allCases.map { ($0, $0.deadline) })

    public init(host: String = "127.0.0.1", port: Int = 8080, holdTTL: Duration = .seconds(600),
                sweepInterval: Duration = .seconds(5), payment: SimulatedGateway.Configuration = .init()) {
        self.host = host
        self.port = port
        self.holdTTL = holdTTL
        self.sweepInterval = sweepInterval
        self.payment = payment
    }
}
