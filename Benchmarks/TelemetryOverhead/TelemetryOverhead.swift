import Database
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Telemetry

/// The two stores of Benchmarks/telemetry-overhead.sh: identical product-detail handlers on the same
/// private PostgreSQL with the same pool size, one with the request middleware and the query
/// observer. Prints the telemetry's own per-request cost first, writes the two ports
/// ("plain instrumented") to `ports-file`, and serves for `serve-seconds` (bounded), while the
/// script drives both with wrk. Usage: `TelemetryOverhead <ports-file> <serve-seconds>`.
@main
struct TelemetryOverhead {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 2, let serveSeconds = Int(arguments[1]), serveSeconds > 0 else {
            FileHandle.standardError.write(Data("usage: TelemetryOverhead <ports-file> <serve-seconds>; e.g. TelemetryOverhead /tmp/ports 120\n".utf8))
            exit(2)
        }
        let portsFile = arguments[0]
        var logger = Logger(label: "surge.bench")
        logger.logLevel = .critical
        microbenchmark(logger: logger)
        fflush(nil)  // the script shows this while we keep serving

        let directory = NSTemporaryDirectory() + "surge-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        let server = try LocalPostgres(
            configuration: .init(dataDirectory: directory + "/data", port: try LocalPostgres.pickPort(), databaseName: "bench"),
            logger: logger)
        _ = try await server.start()
        try server.stopWhenProcessExits(removing: directory)
        let url = try DatabaseURL(server.url())

        let telemetry = Telemetry(configuration: TelemetryConfiguration(adminToken: "bench"), logger: logger)
        let plain = makeDatabase(url, observers: [], pool: nil, logger: logger)
        // Telemetry on is everything the store wires: statement statistics, metrics, slow log, pool usage.
        let instrumented = makeDatabase(url, observers: [telemetry.queryObserver], pool: telemetry.pool, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await plain.client.run() }
            group.addTask { await instrumented.client.run() }
            try await plain.query("CREATE TABLE bench_products (id bigint PRIMARY KEY, title text NOT NULL, price_minor bigint NOT NULL)")
            try await plain.query("INSERT INTO bench_products SELECT i, 'Product ' || i, i * 7 FROM generate_series(1, 10000) AS i")
            try await plain.query("ANALYZE bench_products")

            let plainRouter = Router()
            addProductRoute(plainRouter, plain)
            let instrumentedRouter = Router()
            instrumentedRouter.add(middleware: TelemetryMiddleware(telemetry: telemetry))
            instrumentedRouter.addRoutes(telemetry.routes())
            addProductRoute(instrumentedRouter, instrumented)

            var ports: [Int] = []
            for router in [plainRouter, instrumentedRouter] {
                let (started, continuation) = AsyncStream.makeStream(of: Int.self)
                let app = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
                group.addTask { try await app.runService() }
                var iterator = started.makeAsyncIterator()
                ports.append(await iterator.next() ?? 0)
            }
            try "\(ports[0]) \(ports[1])\n".write(toFile: portsFile, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .seconds(serveSeconds))
            let statements = telemetry.statistics.report().queries.map(\.calls).reduce(0, +)
            print("statements recorded by the instrumented store: \(statements)")
            group.cancelAll()
        }
    }

    /// The telemetry's own cost per request, without the network or PostgreSQL: what one
    /// product-detail request adds (request metrics + one statement through the observer).
    static func microbenchmark(logger: Logger) {
        let telemetry = Telemetry(configuration: TelemetryConfiguration(adminToken: "bench"), logger: logger)
        let observer = telemetry.queryObserver
        let iterations = 200_000
        let contexts = (0..<iterations).map { QueryContext(route: "GET /products/{id}", requestID: "r\($0)") }
        let sql = "SELECT id, title, price_minor FROM bench_products WHERE id = $1"
        func measure(_ name: String, _ body: (Int) -> Void) {
            let start = ContinuousClock.now
            for index in 0..<iterations { body(index) }
            let elapsed = ContinuousClock.now - start
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            print("  " + name.padding(toLength: 46, withPad: " ", startingAt: 0) + String(format: "%6.2f µs", nanoseconds / Double(iterations) / 1000))
        }
        print("telemetry cost per request, single thread, \(iterations) iterations:")
        measure("statement: statistics") { index in
            telemetry.statistics.record(QueryEvent(sql: sql, duration: .microseconds(150 + index % 50), rows: 1, error: nil, context: contexts[index]))
        }
        telemetry.statistics.reset()
        measure("statement: statistics + metrics + slow log") { index in
            observer.record(QueryEvent(sql: sql, duration: .microseconds(150 + index % 50), rows: 1, error: nil, context: contexts[index]))
        }
        measure("request: metrics + SLO windows") { index in
            telemetry.requests.record(route: "/products/{id}", method: "GET", status: 200, duration: .microseconds(400 + index % 90))
        }
        measure("request: finished (forget per-request counts)") { index in
            telemetry.statistics.requestFinished(contexts[index].requestID)
        }
    }

    static func makeDatabase(_ url: DatabaseURL, observers: [any QueryObserver], pool: (any PoolObserver)?, logger: Logger) -> Database {
        var configuration = url.clientConfiguration()
        PoolSizing.fixed(&configuration, connections: 8)
        return Database(client: PostgresClient(configuration: configuration, backgroundLogger: logger), observers: observers, logger: logger,
                        poolObserver: pool, poolCapacity: 8)
    }

    static func addProductRoute(_ router: Router<BasicRequestContext>, _ database: Database) {
        router.get("/products/{id}") { _, context -> String in
            let id = try context.parameters.require("id", as: Int64.self)
            guard let row = try await database.query("SELECT id, title, price_minor FROM bench_products WHERE id = \(id)").first else {
                throw HTTPError(.notFound)
            }
            let (productID, title, price) = try row.decode((Int64, String, Int64).self)
            return #"{"id":\#(productID),"title":"\#(title)","price_minor":\#(price)}"#
        }
    }
}
