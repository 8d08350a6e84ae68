import Database
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Subprocess
import SystemPackage
import Telemetry

/// Product-detail throughput with the telemetry on vs off, in one run: two identical stores on
/// loopback (same handler, same pool size, same private PostgreSQL), one with the request middleware
/// and the query observer, driven by wrk in alternating rounds. Usage:
/// `TelemetryOverhead [seconds per run, default 8] [rounds, default 3] [wrk connections, default 16]`.
@main
struct TelemetryOverhead {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
        guard arguments.allSatisfy({ ($0 ?? 0) > 0 }) else {
            FileHandle.standardError.write(Data("usage: TelemetryOverhead [seconds>0] [rounds>0] [connections>0]\n".utf8))
            exit(2)
        }
        let seconds = arguments.first.flatMap { $0 } ?? 8
        let rounds = arguments.dropFirst().first.flatMap { $0 } ?? 3
        let connections = arguments.dropFirst(2).first.flatMap { $0 } ?? 16

        var logger = Logger(label: "surge.bench")
        logger.logLevel = .warning
        microbenchmark(logger: logger)
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
        let plain = makeDatabase(url, observers: [], logger: logger)
        let instrumented = makeDatabase(url, observers: [telemetry.queryObserver], logger: logger)
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

            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            for router in [plainRouter, instrumentedRouter] {
                let app = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
                group.addTask { try await app.runService() }
            }
            var iterator = ports.makeAsyncIterator()
            // Servers start concurrently: tell them apart by asking which one has /metrics.
            var started: [Int] = []
            while started.count < 2, let port = await iterator.next() { started.append(port) }
            let instrumentedPort = try await hasMetrics(started[0]) ? started[0] : started[1]
            let plainPort = started.first { $0 != instrumentedPort } ?? started[1]

            let script = directory + "/product.lua"
            try #"request = function() return wrk.format("GET", "/products/" .. math.random(1, 10000)) end"#
                .write(toFile: script, atomically: true, encoding: .utf8)
            _ = try await wrk(port: plainPort, seconds: 2, connections: connections, script: script)
            _ = try await wrk(port: instrumentedPort, seconds: 2, connections: connections, script: script)

            // Alternate which store goes first so a drift in machine load does not favour one side.
            var rows: [(Double, Double)] = []
            for round in 0..<rounds {
                if round.isMultiple(of: 2) {
                    let off = try await wrk(port: plainPort, seconds: seconds, connections: connections, script: script)
                    let on = try await wrk(port: instrumentedPort, seconds: seconds, connections: connections, script: script)
                    rows.append((off, on))
                } else {
                    let on = try await wrk(port: instrumentedPort, seconds: seconds, connections: connections, script: script)
                    let off = try await wrk(port: plainPort, seconds: seconds, connections: connections, script: script)
                    rows.append((off, on))
                }
            }
            let statements = telemetry.statistics.report().queries.map(\.calls).reduce(0, +)
            print("product detail, GET /products/{id} -> 1 SELECT by primary key; wrk -t2 -c\(connections), \(seconds) s per run, loopback")
            print("round | off (req/s) | on (req/s) | on/off")
            for (index, row) in rows.enumerated() {
                print(String(format: "%5d | %11.0f | %10.0f | %6.3f", index + 1, row.0, row.1, row.1 / row.0))
            }
            let off = rows.map(\.0).reduce(0, +) / Double(rows.count)
            let on = rows.map(\.1).reduce(0, +) / Double(rows.count)
            print(String(format: " mean | %11.0f | %10.0f | %6.3f", off, on, on / off))
            let ratios = rows.map { $0.1 / $0.0 }.sorted()
            print(String(format: "median on/off: %.3f", ratios[ratios.count / 2]))
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

    static func makeDatabase(_ url: DatabaseURL, observers: [any QueryObserver], logger: Logger) -> Database {
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = 8
        return Database(client: PostgresClient(configuration: configuration, backgroundLogger: logger), observers: observers, logger: logger)
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

    static func hasMetrics(_ port: Int) async throws -> Bool {
        let result = try await Subprocess.run(
            .name("curl"), arguments: ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/metrics"],
            output: .string(limit: 1024))
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "200"
    }

    static func wrk(port: Int, seconds: Int, connections: Int, script: String) async throws -> Double {
        let result = try await Subprocess.run(
            .name("wrk"), arguments: ["-t2", "-c\(connections)", "-d\(seconds)s", "-s", script, "http://127.0.0.1:\(port)"],
            output: .string(limit: 1 << 20))
        let output = result.standardOutput
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let value = Double(line.split(separator: " ").last ?? "")
        else {
            throw BenchmarkError(description: "wrk printed no rate: \(output)")
        }
        if let errors = output.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw BenchmarkError(description: "wrk saw errors: \(errors)")
        }
        return value
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var description: String
    }
}
