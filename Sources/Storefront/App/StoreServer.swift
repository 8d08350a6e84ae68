import Database
import Foundation
import Guard
import Hummingbird
import Logging
import PostgresNIO
import Telemetry

/// The store as `surge serve` runs it, assembled from a database URL and a profile: pool sized for
/// the profile, telemetry, the pipelined product-page reads, the connection gate, the HTTP server.
///
/// One assembly for every caller (`surge serve`, `surge drill`), so a drill's store is the store.
public struct StoreServer: Sendable {
    /// What `surge serve`'s flags set.
    public struct Options: Sendable {
        public var profile: StoreProfile = .guarded
        public var host = "127.0.0.1"
        /// 0 picks a free port (the running port is passed to `onRunning`).
        public var port = 8080
        /// Most connections to PostgreSQL (nil: guarded sizes from max_connections; naive 100).
        public var poolSize: Int?
        public var instances = 1
        public var holdTTL: Duration = .seconds(600)
        public var payment = SimulatedGateway.Configuration()
        public var slowQueryThreshold: Duration = .milliseconds(200)
        public var alertWebhook: URL?
        public var catalogCacheBytes = 32 << 20
        public var serveCachedUnderOverload = true
        public var fastProductPages = true
        public var pipelinedReads = true
        public var adminToken: String

        public init(profile: StoreProfile = .guarded, adminToken: String) {
            self.profile = profile
            self.adminToken = adminToken
        }
    }

    /// The runnable store (a Hummingbird `Application`: run it, or cancel the task running it to stop).
    public let application: Application<RouterResponder<StoreRequestContext>>
    /// Connections the gate (guarded) or the pool (naive) allows.
    public let poolSize: Int
    public let pipelinedConnections: Int

    /// Assembles the store over `url` (migrated and seeded already: `StoreSetup.prepare`).
    /// - Parameters:
    ///   - gateway: the payment gateway (default: `SimulatedGateway(options.payment)`).
    ///   - onRunning: called with the port once the server accepts connections.
    public static func make(url: DatabaseURL, options: Options, gateway: (any PaymentGateway)? = nil, logger: Logger,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> StoreServer {
        let profile = options.profile
        let guarded = profile == .guarded
        let pipelineConfiguration = StatementPipeline.Configuration(
            url: url, settings: guarded ? .init() : .unbounded, statements: CatalogService.pipelinedStatements)
        let pipelinedConnections = options.pipelinedReads ? pipelineConfiguration.connections : 0
        let poolSize: Int
        if let explicit = options.poolSize {
            poolSize = explicit
        } else if profile == .naive {
            poolSize = 100
        } else {
            let limits = try await PoolSizing.serverLimits(url, logger: logger)
            poolSize = PoolSizing.size(cores: ProcessInfo.processInfo.activeProcessorCount, maxConnections: limits.maxConnections,
                                       reserved: limits.reserved, instances: options.instances,
                                       dedicated: 2 + pipelinedConnections)
        }
        var clientConfiguration = url.clientConfiguration(settings: guarded ? .init() : .unbounded)
        // Guarded: two connections beyond the gate, for cancelling statements past their deadline and for LISTEN.
        PoolSizing.fixed(&clientConfiguration, connections: guarded ? poolSize + 2 : poolSize)
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger.driver)
        var telemetryConfiguration = TelemetryConfiguration(adminToken: options.adminToken)
        telemetryConfiguration.slowQueryThreshold = options.slowQueryThreshold
        telemetryConfiguration.alertWebhook = options.alertWebhook
        // The registry is bootstrapped before the pipeline: its gauges and counters are made in its init.
        let telemetry = Telemetry(configuration: telemetryConfiguration, registry: ProcessMetrics.registry(), logger: logger)
        let pipeline = options.pipelinedReads ? StatementPipeline(pipelineConfiguration, logger: logger) : nil
        // Admission bounds how many requests run; the gate bounds leases. Its waiting line must hold
        // everything admission lets in (a flash sale's burst), and an admitted buyer waits for a
        // connection up to its request's deadline (checkout 10 s), not a fixed second: otherwise
        // the gate refuses what admission let in.
        let gate = ConnectionGate(.init(permits: poolSize, maximumWaiters: max(2 * poolSize, AdmissionLimiter.Configuration().limit.maximumLimit),
                                        maximumWait: RouteClass.checkout.deadline))
        let db = Database(client: client, observers: [telemetry.queryObserver], logger: logger,
                          gate: guarded ? gate : nil, cancelAtDeadline: guarded,
                          recovery: guarded ? RecoveryConfiguration(client: clientConfiguration) : nil,
                          poolObserver: telemetry.pool, poolCapacity: poolSize, pipeline: pipeline)
        logger.info("pool", metadata: ["profile": "\(profile.rawValue)", "size": "\(poolSize)",
                                       "pipelined_connections": "\(pipelinedConnections)"])
        var store = StoreConfiguration(host: options.host, port: options.port, holdTTL: options.holdTTL, payment: options.payment)
        store.profile = profile
        store.serveCachedUnderOverload = options.serveCachedUnderOverload
        store.productPagesOnEventLoop = options.fastProductPages
        store.catalogCacheBytes = options.catalogCacheBytes
        let app = StoreApplication.make(database: db, configuration: store, logger: logger, telemetry: telemetry,
                                        gateway: gateway, onRunning: onRunning)
        return StoreServer(application: app, poolSize: poolSize, pipelinedConnections: pipelinedConnections)
    }
}
