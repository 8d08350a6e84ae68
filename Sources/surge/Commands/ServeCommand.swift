import ArgumentParser
import Configuration
import Database
import Doctor
import Foundation
import Logging
import Metrics
import ServiceLifecycle
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
              surge serve --replica-url postgres://app:secret@replica1/store --max-replica-lag 500ms
              surge serve --database-url 'postgres://app:secret@pgbouncer:6432/store' --session-url postgres://app:secret@db/store
              SURGE_POOL_SIZE=20 surge serve --print-config # what would run, and where each value came from

            Every option can also be set in the environment: SURGE_ and the option's name in capitals
            (--pool-size → SURGE_POOL_SIZE, --replica-url → SURGE_REPLICA_URL, comma-separated; the
            database is DATABASE_URL). A flag wins over the environment, the environment over the default.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (default 127.0.0.1: loopback).")
    var host: String?

    @Option(help: "TCP port to listen on (0 picks a free one; default 8080).")
    var port: Int?

    @Option(help: "Products to seed into an empty catalog (0 seeds nothing; default 100000).")
    var seedProducts: Int?

    @Option(help: "Seed of the generated catalog (same seed, same catalog; default 42).")
    var seed: Int?

    @Option(help: "Most connections the store opens to PostgreSQL (default: guarded (cores × 2) + 1 capped by the server's max_connections / --instances; naive 100).")
    var poolSize: Int?

    @Option(help: "Store instances sharing the database, to divide max_connections between them (default 1).")
    var instances: Int?

    @Option(help: "guarded (admission control, bounded pool, deadlines, cache) or naive (none of it); default guarded.")
    var profile: String?

    @Option(help: "Checkout hold time-to-live, in seconds (default 600).")
    var holdTTLSeconds: Int?

    @Option(help: "Median latency of the simulated payment gateway, in milliseconds (default 20).")
    var paymentLatencyMs: Int?

    @Option(help: "Share of payments the simulated gateway declines (0 to 1; default 0).")
    var paymentDeclineRate: Double?

    @Option(help: "Statements at least this slow (milliseconds) go to the slow-query log (default 200).")
    var slowQueryMs: Int?

    @Option(help: "URL that alert transitions are POSTed to (JSON).")
    var alertWebhook: String?

    @Option(help: "Seconds between the in-store doctor's looks at the store's own database (its findings are on /dashboard and GET /admin/doctor); 0 runs no doctor (default 30).")
    var doctorInterval: Int?

    @Option(help: "Catalog cache budget in MiB (guarded; product pages, listings): 0 turns the cache off (default 32).")
    var catalogCacheMb: Int?

    @Flag(inversion: .prefixedNo,
          help: "Under overload, answer catalog pages the cache holds (fresh or stale, no query) instead of shedding them (guarded; default on).")
    var serveCachedUnderOverload: Bool?

    @Flag(inversion: .prefixedNo,
          help: "Answer GET /v1/products/{id} on the connection's event loop from the request's bytes (the router's answer for ~40% less CPU); --no-fast-product-pages sends every request through the router (default on).")
    var fastProductPages: Bool?

    @Flag(inversion: .prefixedNo,
          help: "Pipeline product-page reads on one dedicated connection per event loop (statements sent back to back, answered in order; not with TLS); --no-pipelined-reads runs them on the pool (default on).")
    var pipelinedReads: Bool?

    @Option(name: .customLong("replica-url"),
            help: "A streaming replica for catalog reads (repeat for several). Stock, money and a client's own writes stay on the primary.")
    var replicaURLs: [String] = []

    @Option(help: "A replica further behind the primary than this is skipped, its reads going to the primary (default 1s).")
    var maxReplicaLag: String?

    @Flag(inversion: .prefixedNo,
          help: "The database URL is PgBouncer in transaction mode (default: detected; or ?pgbouncer=true in the URL): unnamed statements, no session state, LISTEN and migrations on --session-url.")
    var pgbouncer: Bool?

    @Option(help: "A session connection to the primary (direct, or a PgBouncer pool in session mode) for LISTEN/NOTIFY, migrations and pipelined reads; needed behind a transaction pooler.")
    var sessionURL: String?

    @Flag(help: "Print the configuration (each value and whether it came from a flag, the environment or the default) and exit.")
    var printConfig = false

    /// The options given on the command line, keyed as `ServeSettings` reads them.
    var flagValues: [String: ConfigContent] {
        var values: [String: ConfigContent] = [:]
        func put(_ key: String, _ content: ConfigContent?) { if let content { values[key] = content } }
        put("database.url", database.databaseURL.map(ConfigContent.string))
        put("surge.host", host.map(ConfigContent.string))
        put("surge.port", port.map(ConfigContent.int))
        put("surge.seed-products", seedProducts.map(ConfigContent.int))
        put("surge.seed", seed.map(ConfigContent.int))
        put("surge.pool-size", poolSize.map(ConfigContent.int))
        put("surge.instances", instances.map(ConfigContent.int))
        put("surge.profile", profile.map(ConfigContent.string))
        put("surge.hold-ttl-seconds", holdTTLSeconds.map(ConfigContent.int))
        put("surge.payment-latency-ms", paymentLatencyMs.map(ConfigContent.int))
        put("surge.payment-decline-rate", paymentDeclineRate.map(ConfigContent.double))
        put("surge.slow-query-ms", slowQueryMs.map(ConfigContent.int))
        put("surge.alert-webhook", alertWebhook.map(ConfigContent.string))
        put("surge.catalog-cache-mb", catalogCacheMb.map(ConfigContent.int))
        put("surge.doctor-interval", doctorInterval.map(ConfigContent.int))
        put("surge.serve-cached-under-overload", serveCachedUnderOverload.map(ConfigContent.bool))
        put("surge.fast-product-pages", fastProductPages.map(ConfigContent.bool))
        put("surge.pipelined-reads", pipelinedReads.map(ConfigContent.bool))
        put("surge.replica-url", replicaURLs.isEmpty ? nil : .stringArray(replicaURLs))
        put("surge.max-replica-lag", maxReplicaLag.map(ConfigContent.string))
        put("surge.pgbouncer", pgbouncer.map(ConfigContent.bool))
        put("surge.session-url", sessionURL.map(ConfigContent.string))
        return values
    }

    func run() async throws {
        try await CLI.run {
            let logger = CLI.logger
            let environment = ProcessInfo.processInfo.environment
            let settings = try ServeSettings.read(flags: flagValues, environment: environment)
            if printConfig {
                print(settings.printed)
                return
            }
            var localServer: LocalPostgres? = nil
            var startedLocal = false
            let url: DatabaseURL
            if let explicit = settings.databaseURL {
                url = try DatabaseURL(explicit)
            } else {
                let server = try database.localServer(logger: logger)
                startedLocal = try await server.start()
                localServer = server
                url = try DatabaseURL(server.url())
            }
            do {
                // Migrated and seeded before any of the store's services connects (see StoreSetup for the
                // deadlock this ordering removes); a failure here stops the private server too.
                // On a session connection: behind a transaction pooler the seed's COPY and index builds need one.
                let setupURL = try settings.sessionURL.map(DatabaseURL.init) ?? url
                try await DatabaseSession.connect(setupURL, settings: .init(statementTimeout: .seconds(1800))) { setup in
                    try await StoreSetup.prepare(setup, .init(seedProducts: settings.seedProducts, seed: settings.seed,
                                                              createStatementStatistics: localServer != nil), logger: logger)
                }
                try await serve(settings, primary: url, logger: logger)
            } catch {
                if startedLocal { try? await localServer?.stop() }
                throw error
            }
            if startedLocal, let localServer {
                try await localServer.stop()
            }
        }
    }

    private func serve(_ settings: ServeSettings, primary url: DatabaseURL, logger: Logger) async throws {
        let token = AdminToken(environment: ProcessInfo.processInfo.environment)
        var telemetryConfiguration = TelemetryConfiguration(adminToken: token.value)
        telemetryConfiguration.slowQueryThreshold = .milliseconds(settings.slowQueryMs)
        telemetryConfiguration.alertWebhook = settings.alertWebhook
        let telemetry = Telemetry(configuration: telemetryConfiguration, logger: logger)
        // A token the user chose is never echoed; a generated one must be, or nobody could use it.
        let shownToken = token.generated ? token.value : "$SURGE_ADMIN_TOKEN"
        MetricsSystem.bootstrap(telemetry.metricsFactory)
        let assembly = try await StoreAssembly.assemble(try settings.deployment(primary: url), observers: [telemetry.queryObserver],
                                                        poolObserver: telemetry.pool, logger: logger)
        logger.info("pool", metadata: ["profile": "\(settings.profile.rawValue)", "size": "\(assembly.poolSize)",
                                       "pipelined_connections": "\(assembly.pipelinedConnections)",
                                       "replicas": "\(assembly.deployment.replicas.count)"])
        let host = settings.host
        let replicas = assembly.deployment.replicas.map { "\n  replica   \($0)" }.joined()
        // The doctor looks at the store's own database on a connection of its own (the pool may be
        // what starves), a session one behind a transaction pooler.
        let doctor: [any Service] = settings.doctorInterval > 0
            ? [DoctorMonitor(url: assembly.deployment.session ?? url, board: telemetry.doctor, interval: .seconds(settings.doctorInterval),
                             storeMetrics: { telemetry.prometheusText() }, logger: logger)]
            : []
        let app = assembly.application(telemetry: telemetry, logger: logger, services: doctor) { port in
            print("""
                surge store is running
                  API       http://\(host):\(port)/v1/products
                  OpenAPI   http://\(host):\(port)/openapi.json
                  health    http://\(host):\(port)/health/ready
                  metrics   http://\(host):\(port)/metrics
                  dashboard http://\(host):\(port)/dashboard?token=\(shownToken)
                  admin     Authorization: Bearer \(shownToken)\(token.generated ? "   (generated; set SURGE_ADMIN_TOKEN to choose one)" : "")
                  database  \(url)\(replicas)
                Press Ctrl-C to stop.
                """)
            fflush(nil)
        }
        try await app.runService()
    }
}
