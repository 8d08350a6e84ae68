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
/// Built on `StoreAssembly`, as `surge serve` is, so a drill's store is the store.
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
        var telemetryConfiguration = TelemetryConfiguration(adminToken: options.adminToken)
        telemetryConfiguration.slowQueryThreshold = options.slowQueryThreshold
        telemetryConfiguration.alertWebhook = options.alertWebhook
        // The registry is bootstrapped before the pipeline: its gauges and counters are made in its init.
        let telemetry = Telemetry(configuration: telemetryConfiguration, registry: ProcessMetrics.registry(), logger: logger)
        var store = StoreConfiguration(host: options.host, port: options.port, holdTTL: options.holdTTL, payment: options.payment)
        store.profile = options.profile
        store.serveCachedUnderOverload = options.serveCachedUnderOverload
        store.productPagesOnEventLoop = options.fastProductPages
        store.catalogCacheBytes = options.catalogCacheBytes
        var deployment = StoreDeployment(primary: url, store: store)
        deployment.poolSize = options.poolSize
        deployment.instances = options.instances
        deployment.pipelinedReads = options.pipelinedReads
        // The same assembly as `surge serve` (pool sizing, profile, gate, pipeline, leadership).
        let assembly = try await StoreAssembly.assemble(deployment, observers: [telemetry.queryObserver],
                                                        poolObserver: telemetry.pool, logger: logger)
        logger.info("pool", metadata: ["profile": "\(options.profile.rawValue)", "size": "\(assembly.poolSize)",
                                       "pipelined_connections": "\(assembly.pipelinedConnections)"])
        let app = assembly.application(telemetry: telemetry, logger: logger, gateway: gateway, onRunning: onRunning)
        return StoreServer(application: app, poolSize: assembly.poolSize, pipelinedConnections: assembly.pipelinedConnections)
    }
}
