import Database
import PostgresNIO
import TestSupport
import Testing
@testable import Telemetry

@Suite struct QueryStatisticsTests {
    private func event(_ sql: String, ms: Int = 1, rows: Int = 1, route: String? = "GET /v1/products/{id}", request: String = "r1", failed: Bool = false) -> QueryEvent {
        QueryEvent(
            sql: sql, duration: .milliseconds(ms), rows: rows, error: failed ? TestFailure() : nil,
            context: route.map { QueryContext(route: $0, requestID: request) })
    }

    struct TestFailure: Error {}

    @Test func aggregatesByFingerprint() throws {
        let stats = QueryStatistics()
        stats.record(event("SELECT * FROM products WHERE id = 1", ms: 10, rows: 1))
        stats.record(event("SELECT * FROM products WHERE id = 2", ms: 30, rows: 1, request: "r2"))
        stats.record(event("SELECT * FROM products WHERE id = 3", ms: 20, rows: 0, route: "GET /v1/search", request: "r3", failed: true))
        stats.record(event("SELECT count(*) FROM orders", ms: 5))
        let report = stats.report()
        #expect(report.queries.count == 2)
        let top = try #require(report.queries.first)
        #expect(top.query == "select * from products where id = $1")
        #expect(top.example == "SELECT * FROM products WHERE id = ?")
        #expect(top.calls == 3)
        #expect(top.errors == 1)
        #expect(top.rows == 2)
        #expect(abs(top.totalTimeMilliseconds - 60) < 0.001)
        #expect(abs(top.meanTimeMilliseconds - 20) < 0.001)
        #expect(abs(top.maxTimeMilliseconds - 30) < 0.001)
        #expect(top.p50Milliseconds >= 19 && top.p50Milliseconds <= 21)
        #expect(top.p99Milliseconds >= 29 && top.p99Milliseconds <= 31)
        #expect(top.routes == ["GET /v1/products/{id}", "GET /v1/search"])
        #expect(report.queries[1].query == "select count(*) from orders")
    }

    @Test func nPlusOneRouteIsFlagged() throws {
        let stats = QueryStatistics(nPlusOneThreshold: 5)
        // A listing that loads each product's stock one by one: 1 + 8 statements in one request.
        stats.record(event("SELECT id FROM products LIMIT 8", route: "GET /v1/products", request: "list-1"))
        for id in 1...8 {
            stats.record(event("SELECT quantity FROM stock WHERE product_id = \(id)", route: "GET /v1/products", request: "list-1"))
        }
        // A detail page that runs the same statement 5 times (not more than the threshold): not flagged.
        for _ in 1...5 { stats.record(event("SELECT * FROM products WHERE id = $1", route: "GET /v1/products/{id}", request: "detail-1")) }
        let report = stats.report()
        let list = try #require(report.routes.first { $0.route == "GET /v1/products" })
        #expect(list.requests == 1)
        #expect(list.statements == 9)
        #expect(list.maxStatementsPerRequest == 9)
        let flagged = try #require(list.nPlusOne.first)
        #expect(list.nPlusOne.count == 1)
        #expect(flagged.query == "select quantity from stock where product_id = $1")
        #expect(flagged.requests == 1)
        #expect(flagged.maxCallsPerRequest == 8)
        let detail = try #require(report.routes.first { $0.route == "GET /v1/products/{id}" })
        #expect(detail.nPlusOne.isEmpty)
        #expect(detail.statementsPerRequest == 5)
    }

    @Test func nPlusOneCountsEachRequestOnce() throws {
        let stats = QueryStatistics(nPlusOneThreshold: 2)
        for request in ["a", "b"] {
            for _ in 0..<4 { stats.record(event("SELECT 1", route: "GET /x", request: request)) }
        }
        let route = try #require(stats.report().routes.first)
        #expect(route.requests == 2)
        #expect(route.nPlusOne.first?.requests == 2)
        #expect(route.statementsPerRequest == 4)
    }

    @Test func requestTrackingIsBounded() throws {
        let stats = QueryStatistics(nPlusOneThreshold: 2, maxTrackedRequests: 2)
        stats.record(event("SELECT 1", request: "a"))
        stats.record(event("SELECT 1", request: "b"))
        stats.record(event("SELECT 1", request: "c"))  // evicts "a"
        stats.record(event("SELECT 1", request: "a"))  // seen as a new request, count restarts
        stats.record(event("SELECT 1", request: "a"))
        let route = try #require(stats.report().routes.first)
        #expect(route.requests == 4)
        #expect(route.nPlusOne.isEmpty)
    }

    @Test func fingerprintsAreBoundedWithOther() throws {
        let stats = QueryStatistics(maxFingerprints: 2)
        stats.record(event("SELECT a FROM t"))
        stats.record(event("SELECT b FROM t"))
        stats.record(event("SELECT c FROM t"))
        stats.record(event("SELECT d FROM t"))
        let report = stats.report()
        #expect(report.queries.count == 3)
        let other = try #require(report.queries.first { $0.fingerprintID == "0000000000000000" })
        #expect(other.calls == 2)
    }

    @Test func unattributedStatementsAreCounted() throws {
        let stats = QueryStatistics()
        stats.record(event("SELECT 1", route: nil))
        #expect(stats.report().routes.map(\.route) == ["(none)"])
        #expect(stats.report().queries.first?.calls == 1)
    }

    @Test func resetClearsEverything() {
        let stats = QueryStatistics()
        stats.record(event("SELECT 1"))
        stats.reset()
        let report = stats.report()
        #expect(report.queries.isEmpty)
        #expect(report.routes.isEmpty)
        stats.record(event("SELECT 1"))
        #expect(stats.report().queries.first?.calls == 1)
    }

    @Test func countsStayExactUnderManyConcurrentTasks() async throws {
        let stats = QueryStatistics()
        let tasks = 400
        let perTask = 50
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        let sql = index.isMultiple(of: 2) ? "SELECT * FROM products WHERE id = \(task)" : "SELECT * FROM stock WHERE id IN (\(task), \(index))"
                        stats.record(QueryEvent(
                            sql: sql, duration: .microseconds(100 + index), rows: 2, error: index % 10 == 0 ? TestFailure() : nil,
                            context: QueryContext(route: "GET /r\(task % 4)", requestID: "req-\(task)")))
                    }
                }
            }
        }
        let report = stats.report()
        #expect(report.queries.count == 2)
        #expect(report.queries.map(\.calls).reduce(0, +) == tasks * perTask)
        #expect(report.queries.allSatisfy { $0.calls == tasks * perTask / 2 })
        #expect(report.queries.map(\.errors).reduce(0, +) == tasks * (perTask / 10))
        #expect(report.queries.map(\.rows).reduce(0, +) == tasks * perTask * 2)
        #expect(report.routes.map(\.requests).reduce(0, +) == tasks)
        #expect(report.routes.map(\.statements).reduce(0, +) == tasks * perTask)
        #expect(report.routes.allSatisfy { $0.maxStatementsPerRequest == perTask })
    }

    @Test func realStatementsAreRecordedWithTheirContext() async throws {
        let stats = QueryStatistics()
        try await TestPostgres.withFreshDatabase(observers: [stats]) { database, _ in
            try await QueryContext.$current.withValue(QueryContext(route: "GET /v1/demo/{id}", requestID: "req-42")) {
                for id in 1...3 {
                    let rows = try await database.query("SELECT \(id)::int8 + 1 AS next, 'it''s' AS text")
                    #expect(rows.count == 1)
                }
                await #expect(throws: PSQLError.self) {
                    try await database.query("SELECT * FROM no_such_table WHERE id = \(7)")
                }
                let series = try await database.withConnection { connection in
                    try await connection.query("SELECT generate_series(1, \(5))")
                }
                #expect(series.count == 5)
            }
        }
        let report = stats.report()
        let plus = try #require(report.queries.first { $0.query == "select $1::int8 + $2 as next, $3 as text" })
        #expect(plus.calls == 3)
        #expect(plus.rows == 3)
        #expect(plus.routes == ["GET /v1/demo/{id}"])
        #expect(plus.example == "SELECT ?::int8 + ? AS next, ? AS text")
        let failing = try #require(report.queries.first { $0.query == "select * from no_such_table where id = $1" })
        #expect(failing.errors == 1)
        let series = try #require(report.queries.first { $0.query == "select generate_series($1, $2)" })
        #expect(series.rows == 5)
        let route = try #require(report.routes.first { $0.route == "GET /v1/demo/{id}" })
        #expect(route.requests == 1)
        #expect(route.statements == 5)
    }
}
