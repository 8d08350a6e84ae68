import CoreMetrics
import Database
import Foundation
import Hummingbird
import Logging
import TestSupport
import Testing
@testable import Telemetry

/// The store's wiring in miniature: middleware first, telemetry routes, two store routes on a real database.
enum MiniStore {
    static let token = "test-admin-token"

    static func router(telemetry: Telemetry, database: Database) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: TelemetryMiddleware(telemetry: telemetry))
        router.addRoutes(telemetry.routes())
        router.get("/v1/products/{id}") { _, context in
            let id = try context.parameters.require("id", as: Int.self)
            let rows = try await database.query("SELECT \(id)::int8 AS id, 'it''s' AS name")
            return "product \(rows.count)"
        }
        router.post("/v1/checkout") { _, _ -> String in
            try await database.query("SELECT 1")
            throw HTTPError(.serviceUnavailable)
        }
        return router
    }

    static func telemetry(logger: Logger = Logger(label: "surge.tests.telemetry"), slowQueryThreshold: Duration = .milliseconds(200)) -> Telemetry {
        var configuration = TelemetryConfiguration(adminToken: token)
        configuration.slowQueryThreshold = slowQueryThreshold
        configuration.slowQueryLogger = logger
        configuration.dashboardInterval = .milliseconds(200)
        // The whole suite shares two cores: a sample may take long, and that is not what these tests test.
        configuration.sampleTimeout = .seconds(30)
        return Telemetry(configuration: configuration, logger: logger)
    }
}

@Suite struct TelemetryHTTPTests {
    @Test func adminEndpointsNeedTheToken() async throws {
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let client = TestClient(port: port)
                for (method, path, token) in [
                    ("GET", "/admin/queries", nil), ("GET", "/admin/queries", "wrong"), ("POST", "/admin/queries/reset", nil),
                    ("GET", "/dashboard", nil), ("GET", "/dashboard?token=wrong", nil), ("GET", "/admin/alerts", "test-admin-toke"),
                    ("GET", "/admin/queries?token=\(MiniStore.token)", nil), ("GET", "/admin/doctor", nil),
                    ("GET", "/admin/doctor?token=\(MiniStore.token)", nil),
                ] as [(String, String, String?)] {
                    let reply = try await client.send(method, path, token: token)
                    #expect(reply.status == 401, "\(method) \(path)")
                    #expect(reply.contentType == "application/problem+json")
                    let body = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
                    #expect(body?["code"] as? String == "unauthorized")
                    #expect(body?["status"] as? Int == 401)
                    #expect(body?["title"] != nil && body?["type"] != nil && body?["detail"] != nil)
                }
                #expect(try await client.send("GET", "/dashboard?token=\(MiniStore.token)").status == 200)
                #expect(try await client.send("GET", "/admin/alerts", token: MiniStore.token).status == 200)
                #expect(try await client.send("GET", "/metrics").status == 200)
            }
        }
    }

    @Test func adminDoctorIsAProblemWithoutADoctorAndThePostedFindingsWithOne() async throws {
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let client = TestClient(port: port)
                let off = try await client.send("GET", "/admin/doctor", token: MiniStore.token)
                #expect(off.status == 404)
                #expect(off.contentType == "application/problem+json")
                #expect(off.body.contains(#""code":"doctor_off""#))

                telemetry.doctor.post(DashboardBrowserTests.panel)
                let on = try await client.send("GET", "/admin/doctor", token: MiniStore.token)
                #expect(on.status == 200)
                #expect(on.contentType == "application/json")
                #expect(try JSONDecoder().decode(DoctorPanel.self, from: Data(on.body.utf8)) == DashboardBrowserTests.panel)
                let raw = try #require(try JSONSerialization.jsonObject(with: Data(on.body.utf8)) as? [String: Any])
                let finding = try #require((raw["findings"] as? [[String: Any]])?.first)
                for key in ["cause", "title", "object", "key_evidence", "confidence", "evidence", "fixes"] {
                    #expect(finding[key] != nil, "missing \(key)")
                }
                #expect(telemetry.dashboardSnapshot().doctor == DashboardBrowserTests.panel)
            }
        }
    }

    @Test func adminQueriesShowsStatementsByRouteAndResets() async throws {
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let client = TestClient(port: port)
                for id in 1...4 { #expect(try await client.send("GET", "/v1/products/\(id)").status == 200) }
                #expect(try await client.send("POST", "/v1/checkout").status == 503)

                let reply = try await client.send("GET", "/admin/queries", token: MiniStore.token)
                #expect(reply.status == 200)
                #expect(reply.contentType == "application/json")
                let report = try JSONDecoder().decode(QueryReport.self, from: Data(reply.body.utf8))
                let product = try #require(report.queries.first { $0.query == "select $1::int8 as id, $2 as name" })
                #expect(product.calls == 4)
                #expect(product.routes == ["GET /v1/products/{id}"])
                #expect(product.example == "SELECT ?::int8 AS id, ? AS name")
                #expect(report.queries.map(\.totalTimeMilliseconds) == report.queries.map(\.totalTimeMilliseconds).sorted(by: >))
                #expect(report.routes.first { $0.route == "GET /v1/products/{id}" }?.requests == 4)
                #expect(report.routes.first { $0.route == "POST /v1/checkout" }?.statements == 1)

                let raw = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
                let first = try #require((raw["queries"] as? [[String: Any]])?.first)
                for key in ["fingerprint_id", "query", "calls", "errors", "total_time_ms", "mean_time_ms", "max_time_ms", "p50_ms", "p95_ms", "p99_ms", "rows", "routes"] {
                    #expect(first[key] != nil, "missing \(key)")
                }

                #expect(try await client.send("POST", "/admin/queries/reset", token: MiniStore.token).status == 204)
                let after = try JSONDecoder().decode(QueryReport.self, from: Data(try await client.send("GET", "/admin/queries", token: MiniStore.token).body.utf8))
                #expect(after.queries.isEmpty)
            }
        }
    }

    @Test func metricsArePrometheusTextThatPromtoolAccepts() async throws {
        let promtool = try Tool.locate("promtool", package: "prometheus")
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            let sample = await telemetry.makeSampler(database: database).sampleNow()
            let server = try #require(sample)
            #expect(server.maxConnections == 1000) // TestPostgres's setting
            #expect(server.connections.values.reduce(0, +) >= 1)
            #expect(server.bufferHitRatio > 0 && server.bufferHitRatio <= 1)
            telemetry.pool.record(PoolUsage(inUse: 3, idle: 2, waiters: 1, capacity: 10))
            telemetry.pool.recordAcquire(wait: .milliseconds(3), acquired: true)
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let client = TestClient(port: port)
                #expect(try await client.send("GET", "/v1/products/1").status == 200)
                #expect(try await client.send("POST", "/v1/checkout").status == 503)
                let reply = try await client.send("GET", "/metrics")
                #expect(reply.contentType.hasPrefix("text/plain; version=0.0.4"))
                let text = reply.body
                for expected in [
                    #"surge_http_requests_total{route="/v1/products/{id}",method="GET",status_class="2xx",route_class="browse"} 1"#,
                    #"surge_http_requests_total{route="/v1/checkout",method="POST",status_class="5xx",route_class="checkout"} 1"#,
                    "surge_http_request_duration_seconds_bucket{", "surge_db_query_duration_seconds_bucket{fingerprint=\"",
                    #"surge_db_pool_connections{state="in_use"} 3"#, "surge_db_pool_waiters 1", "surge_db_pool_acquire_wait_seconds_count 1",
                    #"surge_pg_connections{state="active"}"#, "surge_pg_max_connections 1000", "surge_pg_up 1", "surge_pg_xact_commit_total",
                    "surge_pg_buffer_hit_ratio", "surge_pg_deadlocks_total", "surge_pg_temp_bytes_total", "surge_pg_oldest_transaction_age_seconds",
                    "surge_pg_lock_waits", "surge_db_slow_queries_total",
                ] {
                    #expect(text.contains(expected), "missing \(expected)")
                }
                let check = try await Tool.run(promtool, ["check", "metrics"], input: text)
                #expect(check.succeeded, "promtool check metrics: \(check.output) \(check.error)")
            }
        }
    }

    @Test func anUnreachableServerShowsAsDown() async throws {
        var configuration = TelemetryConfiguration(adminToken: MiniStore.token)
        configuration.sampleTimeout = .seconds(1)
        let telemetry = Telemetry(configuration: configuration, logger: Logger(label: "test"))
        // Nothing listens on this port: the pool keeps retrying, and the sample must give up.
        let nowhere = try DatabaseURL("postgres://surge@127.0.0.1:\(try LocalPostgres.pickPort())/surge")
        try await TestPostgres.withDatabase(nowhere) { database in
            let sampler = telemetry.makeSampler(database: database)
            #expect(await sampler.sampleNow() == nil)
            #expect(sampler.latest == nil)
        }
        #expect(telemetry.prometheusText().contains("surge_pg_up 0"))
        let transitions = await telemetry.alerts.evaluateNow()  // SurgePGDown holds for 60 s: pending, not firing yet
        #expect(transitions.isEmpty)
        #expect(telemetry.alertInputs().gauges[.serverDown] == 1)
    }

    /// SurgeDBPipelineDown's in-process input: 0 while the pipeline's connections are open, 1 once
    /// none is, absent for a store that does not pipeline.
    @Test func thePipelineAlertSeesOpenConnections() async throws {
        let telemetry = MiniStore.telemetry()
        let echo = PipelinedStatement(name: "t_echo", sql: "SELECT ($1::int8)::text", parameterTypes: [.int8])
        let database = try await TestPostgres.withFreshDatabase(pipeline: [echo]) { database, _ in
            _ = telemetry.makeSampler(database: database)
            #expect(telemetry.alertInputs().gauges[.pipelineDown] == 0)
            return database
        }
        // The pipeline stopped with the test database: no connection is open any more.
        #expect(database.pipeline?.openConnections == 0)
        #expect(telemetry.alertInputs().gauges[.pipelineDown] == 1)

        let plain = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase { database, _ in
            _ = plain.makeSampler(database: database)
            #expect(plain.alertInputs().gauges[.pipelineDown] == nil)
        }
    }

    @Test func swiftMetricsUsersShareTheRegistry() {
        let telemetry = MiniStore.telemetry()
        let counter = CoreMetrics.Counter(label: "guard_shed_total", dimensions: [("class", "browse")], factory: telemetry.metricsFactory)
        counter.increment(by: 3)
        #expect(telemetry.prometheusText().contains(#"guard_shed_total{class="browse"} 3"#))
    }

    @Test func queryDurationSeriesAreBoundedWithOther() throws {
        var configuration = TelemetryConfiguration(adminToken: MiniStore.token)
        configuration.maxFingerprintSeries = 2
        let telemetry = Telemetry(configuration: configuration, logger: Logger(label: "test"))
        for column in ["a", "b", "c", "d"] {
            telemetry.queryObserver.record(QueryEvent(sql: "SELECT \(column) FROM t", duration: .milliseconds(1), rows: 1, error: nil, context: nil))
        }
        let text = telemetry.prometheusText()
        let series = Set(text.split(separator: "\n").filter { $0.hasPrefix("surge_db_query_duration_seconds_count") })
        #expect(series.count == 3)
        #expect(text.contains(#"surge_db_query_duration_seconds_count{fingerprint="other"} 2"#))
    }

    @Test func dashboardEventsStreamJSONSnapshots() async throws {
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let client = TestClient(port: port)
                #expect(try await client.send("GET", "/v1/products/9").status == 200)
                let reply = try await client.send("GET", "/dashboard/events?token=\(MiniStore.token)&limit=3")
                #expect(reply.status == 200)
                #expect(reply.contentType == "text/event-stream")
                let events = reply.body.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }
                #expect(events.count == 3)
                let last = try #require(events.last)
                let snapshot = try JSONDecoder().decode(DashboardSnapshot.self, from: Data(last.dropFirst("data: ".count).utf8))
                #expect(snapshot.topQueries.contains { $0.query == "select $1::int8 as id, $2 as name" })
            }
        }
    }

    @Test func dashboardStreamEndsWhenTheClientGoes() async throws {
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                // No limit: the stream runs until the client hangs up.
                let client = TestClient(port: port)
                let streaming = Task { try await client.send("GET", "/dashboard/events", token: MiniStore.token) }
                #expect(await Self.eventually { telemetry.openDashboardStreams == 1 })
                streaming.cancel()
                #expect(await Self.eventually { telemetry.openDashboardStreams == 0 })
            }
        }
    }

    /// Polls `condition` every 50 ms for up to 10 s.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func slowStatementsAreLoggedAsOneJSONLine() async throws {
        let lines = LineSink()
        let logger = Logger(label: "surge.telemetry") { JSONLogHandler(label: $0, write: lines.append) }
        let telemetry = MiniStore.telemetry(logger: logger, slowQueryThreshold: .zero)
        let rows = try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await QueryContext.$current.withValue(QueryContext(route: "GET /v1/slow", requestID: "req-7")) {
                try await database.query("SELECT generate_series(1, \(3))").count
            }
        }
        #expect(rows == 3)
        let line = try #require(lines.all.first { $0.contains("slow query") && $0.contains("req-7") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "slow query")
        #expect(object["route"] as? String == "GET /v1/slow")
        #expect(object["request_id"] as? String == "req-7")
        #expect(object["rows"] as? Int == 3)
        #expect(object["duration_ms"] is Double)
        #expect((object["fingerprint_id"] as? String)?.count == 16)
        #expect(object["query"] as? String == "SELECT generate_series(?, ?)")
        #expect(!line.contains("\n"))
    }

    @Test func slowQueriesAreJSONLinesByDefaultWhateverTheStoreLogFormat() {
        let configuration = TelemetryConfiguration(adminToken: "t")
        #expect(configuration.slowQueryLogger.handler is JSONLogHandler)
        #expect(configuration.slowQueryLogger.label == "surge.slow_query")
    }

    @Test func fastStatementsAreNotLogged() async throws {
        let lines = LineSink()
        let logger = Logger(label: "surge.telemetry") { JSONLogHandler(label: $0, write: lines.append) }
        let telemetry = MiniStore.telemetry(logger: logger, slowQueryThreshold: .seconds(3600))
        telemetry.queryObserver.record(QueryEvent(sql: "SELECT 1", duration: .milliseconds(5), rows: 1, error: nil, context: nil))
        #expect(lines.all.isEmpty)
        #expect(telemetry.prometheusText().contains("surge_db_slow_queries_total 0"))
    }
}

/// Collects log lines from any thread.
final class LineSink: Sendable {
    private let lines = Locked<[String]>([])
    var all: [String] { lines.value }
    var append: @Sendable (String) -> Void { { line in self.lines.update { $0.append(line) } } }
}

@Suite struct AdminTokenTests {
    @Test func environmentTokenWins() {
        let token = AdminToken(environment: ["SURGE_ADMIN_TOKEN": "  s3cret \n"])
        #expect(token == AdminToken(environment: ["SURGE_ADMIN_TOKEN": "s3cret"]))
        #expect(token.value == "s3cret")
        #expect(!token.generated)
    }

    @Test(arguments: [[:], ["SURGE_ADMIN_TOKEN": ""], ["SURGE_ADMIN_TOKEN": "   "]])
    func missingTokenIsGeneratedFresh(environment: [String: String]) {
        let first = AdminToken(environment: environment)
        let second = AdminToken(environment: environment)
        #expect(first.generated)
        #expect(first.value.count == 64)
        #expect(first.value.allSatisfy { $0.isHexDigit })
        #expect(first.value != second.value)
    }
}
