import ArgumentParser
import Database
import Doctor
import Foundation
import Guard
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Metrics
import Storefront
import Telemetry

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store's HTTP API.",
        discussion: """
            With no --database-url and no DATABASE_URL, a private PostgreSQL is started in --data-dir
            (initialised on first run, reused after), migrated, seeded with --seed-products products if
            empty, and stopped again on SIGINT/SIGTERM.
              surge serve                                   # zero configuration
              surge serve --port 9090 --seed-products 10000
              DATABASE_URL=postgres://app:secret@db/store surge serve --pool-size 20
              surge serve --profile naive                   # no shedding, cache, bounded waits or timeouts
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (loopback by default).")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Products to seed into an empty catalog (0 seeds nothing).")
    var seedProducts: Int = 100_000

    @Option(help: "Seed of the generated catalog (same seed, same catalog).")
    var seed: UInt64 = 42

    @Option(help: "Most connections the store opens to PostgreSQL (default: guarded (cores × 2) + 1 capped by the server's max_connections / --instances; naive 100).")
    var poolSize: Int?

    @Option(help: "Store instances sharing the database, to divide max_connections between them.")
    var instances: Int = 1

    @Option(help: "guarded (admission control, bounded pool, deadlines, cache) or naive (none of it).")
    var profile: String = StoreProfile.guarded.rawValue

    @Option(help: "Checkout hold time-to-live, in seconds.")
    var holdTTLSeconds: Int = 600

    @Option(help: "Median latency of the simulated payment gateway, in milliseconds.")
    var paymentLatencyMs: Int = 20

    @Option(help: "Share of payments the simulated gateway declines (0 to 1).")
    var paymentDeclineRate: Double = 0

    @Option(help: "Statements at least this slow (milliseconds) go to the slow-query log.")
    var slowQueryMs: Int = 200

    @Option(help: "URL that alert transitions are POSTed to (JSON).")
    var alertWebhook: String?

    @Option(help: "Catalog cache budget in MiB (guarded; product pages, listings): 0 turns the cache off.")
    var catalogCacheMb = 32

    @Flag(inversion: .prefixedNo,
          help: "Under overload, answer catalog pages the cache holds (fresh or stale, no query) instead of shedding them (guarded).")
    var serveCachedUnderOverload = true

    @Flag(inversion: .prefixedNo,
          help: "Answer GET /v1/products/{id} on the connection's event loop from the request's bytes (the router's answer for ~40% less CPU); --no-fast-product-pages sends every request through the router.")
    var fastProductPages = true

    @Flag(inversion: .prefixedNo,
          help: "Pipeline product-page reads on one dedicated connection per event loop (statements sent back to back, answered in order; not with TLS); --no-pipelined-reads runs them on the pool.")
    var pipelinedReads = true

    @Option(help: "Seconds between the in-store doctor's looks at the store's own database (its findings are on /dashboard and GET /admin/doctor); 0 runs no doctor.")
    var doctorInterval: Int = 30

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if let poolSize, !(1...1000).contains(poolSize) { throw ValidationError("--pool-size must be from 1 to 1000") }
        guard (1...1000).contains(instances) else { throw ValidationError("--instances must be from 1 to 1000") }
        guard StoreProfile(rawValue: profile) != nil else {
            throw ValidationError("--profile must be one of \(StoreProfile.allCases.map(\.rawValue).joined(separator: ", ")), not '\(profile)'")
        }
        guard seedProducts >= 0 else { throw ValidationError("--seed-products must be 0 or more") }
        guard (0...1).contains(paymentDeclineRate) else { throw ValidationError("--payment-decline-rate must be from 0 to 1") }
        guard doctorInterval == 0 || (5...3600).contains(doctorInterval) else {
            throw ValidationError("--doctor-interval must be 0 (no doctor) or from 5 to 3600 seconds, not \(doctorInterval)")
        }
        guard (0...65536).contains(catalogCacheMb) else { throw ValidationError("--catalog-cache-mb must be from 0 to 65536 (0 turns the cache off)") }
    }

    func run() async throws {
        try await CLI.run {
            let logger = CLI.logger
            var localServer: LocalPostgres? = nil
            var startedLocal = false
            let url: DatabaseURL
            if let explicit = database.explicitURL {
                url = try DatabaseURL(explicit)
            } else {
                let server = try database.localServer(logger: logger)
                startedLocal = try await server.start()
                localServer = server
                url = try DatabaseURL(server.url())
            }
            // Migrated and seeded before any of the store's services connects (see StoreSetup for the
            // deadlock this ordering removes); a failure here stops the private server too.
            do {
                try await DatabaseSession.connect(url, settings: .init(statementTimeout: .seconds(1800))) { setup in
                    try await StoreSetup.prepare(setup, .init(seedProducts: seedProducts, seed: seed,
                                                              createStatementStatistics: localServer != nil), logger: logger)
                }
            } catch {
                if startedLocal { try? await localServer?.stop() }
                throw error
            }
            let profile = StoreProfile(rawValue: self.profile) ?? .guarded
            let guarded = profile == .guarded
            let pipelineConfiguration = StatementPipeline.Configuration(
                url: url, settings: guarded ? .init() : .unbounded, statements: CatalogService.pipelinedStatements)
            let pipelinedConnections = pipelinedReads ? pipelineConfiguration.connections : 0
            let poolSize: Int
            if let explicit = self.poolSize {
                poolSize = explicit
            } else if profile == .naive {
                poolSize = 100
            } else {
                let limits = try await PoolSizing.serverLimits(url, logger: logger)
                poolSize = PoolSizing.size(cores: ProcessInfo.processInfo.activeProcessorCount, maxConnections: limits.maxConnections,
                                           reserved: limits.reserved, instances: instances,
                                           dedicated: 2 + pipelinedConnections + (doctorInterval > 0 ? 1 : 0))
            }
            var clientConfiguration = url.clientConfiguration(settings: guarded ? .init() : .unbounded)
            // Guarded: two connections beyond the gate, for cancelling statements past their deadline and for LISTEN.
            PoolSizing.fixed(&clientConfiguration, connections: guarded ? poolSize + 2 : poolSize)
            let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger.driver)
            let token = AdminToken(environment: ProcessInfo.processInfo.environment)
            var telemetryConfiguration = TelemetryConfiguration(adminToken: token.value)
            telemetryConfiguration.slowQueryThreshold = .milliseconds(slowQueryMs)
            if let alertWebhook {
                guard let url = URL(string: alertWebhook), url.scheme == "http" || url.scheme == "https" else {
                    throw UsageError("--alert-webhook must be an http(s) URL")
                }
                telemetryConfiguration.alertWebhook = url
            }
            let telemetry = Telemetry(configuration: telemetryConfiguration, logger: logger)
            // A token the user chose is never echoed; a generated one must be, or nobody could use it.
            let shownToken = token.generated ? token.value : "$SURGE_ADMIN_TOKEN"
            MetricsSystem.bootstrap(telemetry.metricsFactory)
            // After the metrics bootstrap: the pipeline's gauges and counters are made in its init.
            let pipeline = pipelinedReads ? StatementPipeline(pipelineConfiguration, logger: logger) : nil
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
            let store = {
                var store = StoreConfiguration(
                    host: host, port: port, holdTTL: .seconds(holdTTLSeconds),
                    payment: .init(medianLatency: .milliseconds(paymentLatencyMs), declineRate: paymentDeclineRate)
                )
                store.profile = profile
                store.serveCachedUnderOverload = serveCachedUnderOverload
                store.productPagesOnEventLoop = fastProductPages
                store.catalogCacheBytes = catalogCacheMb << 20
                return store
            }()
            // The doctor looks at the store's own database on a connection of its own (the pool may be what starves).
            let doctor: [any Service] = doctorInterval > 0
                ? [DoctorMonitor(url: url, board: telemetry.doctor, interval: .seconds(doctorInterval),
                                 storeMetrics: { telemetry.prometheusText() }, logger: logger)]
                : []
            let app = StoreApplication.make(
                database: db, configuration: store, logger: logger, telemetry: telemetry, services: doctor,
                onRunning: { port in
                    print("""
                        surge store is running
                          API       http://\(store.host):\(port)/v1/products
                          OpenAPI   http://\(store.host):\(port)/openapi.json
                          health    http://\(store.host):\(port)/health/ready
                          metrics   http://\(store.host):\(port)/metrics
                          dashboard http://\(store.host):\(port)/dashboard?token=\(shownToken)
                          admin     Authorization: Bearer \(shownToken)\(token.generated ? "   (generated; set SURGE_ADMIN_TOKEN to choose one)" : "")
                          database  \(url)
                        Press Ctrl-C to stop.
                        """)
                    fflush(nil)
                }
            )
            do {
                try await app.runService()
            } catch {
                if startedLocal { try? await localServer?.stop() }
                throw error
            }
            if startedLocal, let localServer {
                try await localServer.stop()
            }
        }
    }
}
