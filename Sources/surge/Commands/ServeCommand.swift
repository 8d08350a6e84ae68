import ArgumentParser
import Database
import Foundation
import Logging
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

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if let poolSize, !(1...1000).contains(poolSize) { throw ValidationError("--pool-size must be from 1 to 1000") }
        guard (1...1000).contains(instances) else { throw ValidationError("--instances must be from 1 to 1000") }
        guard StoreProfile(rawValue: profile) != nil else {
            throw ValidationError("--profile must be one of \(StoreProfile.allCases.map(\.rawValue).joined(separator: ", ")), not '\(profile)'")
        }
        guard seedProducts >= 0 else { throw ValidationError("--seed-products must be 0 or more") }
        guard (0...1).contains(paymentDeclineRate) else { throw ValidationError("--payment-decline-rate must be from 0 to 1") }
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
            let token = AdminToken(environment: ProcessInfo.processInfo.environment)
            var options = StoreServer.Options(profile: StoreProfile(rawValue: self.profile) ?? .guarded, adminToken: token.value)
            options.host = host
            options.port = port
            options.poolSize = poolSize
            options.instances = instances
            options.holdTTL = .seconds(holdTTLSeconds)
            options.payment = .init(medianLatency: .milliseconds(paymentLatencyMs), declineRate: paymentDeclineRate)
            options.slowQueryThreshold = .milliseconds(slowQueryMs)
            if let alertWebhook {
                guard let url = URL(string: alertWebhook), url.scheme == "http" || url.scheme == "https" else {
                    throw UsageError("--alert-webhook must be an http(s) URL")
                }
                options.alertWebhook = url
            }
            options.catalogCacheBytes = catalogCacheMb << 20
            options.serveCachedUnderOverload = serveCachedUnderOverload
            options.fastProductPages = fastProductPages
            options.pipelinedReads = pipelinedReads
            // A token the user chose is never echoed; a generated one must be, or nobody could use it.
            let shownToken = token.generated ? token.value : "$SURGE_ADMIN_TOKEN"
            let host = self.host
            let app = try await StoreServer.make(url: url, options: options, logger: logger, onRunning: { port in
                print("""
                    surge store is running
                      API       http://\(host):\(port)/v1/products
                      OpenAPI   http://\(host):\(port)/openapi.json
                      health    http://\(host):\(port)/health/ready
                      metrics   http://\(host):\(port)/metrics
                      dashboard http://\(host):\(port)/dashboard?token=\(shownToken)
                      admin     Authorization: Bearer \(shownToken)\(token.generated ? "   (generated; set SURGE_ADMIN_TOKEN to choose one)" : "")
                      database  \(url)
                    Press Ctrl-C to stop.
                    """)
                fflush(nil)
            }).application
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
