import Database
import Foundation
import TestSupport
import Testing
@testable import Telemetry

/// The dashboard in a real browser (Debian package `chromium`): it loads, draws live data from the
/// event stream, and logs nothing to the console.
@Suite struct DashboardBrowserTests {
    /// A doctor's verdict as `DoctorMonitor` posts it (the real one is tested in DoctorTests).
    static let panel = DoctorPanel(
        state: .ok, evaluatedAt: Date().timeIntervalSince1970 - 3,
        diagnosis: ["DIAGNOSIS: blocking chain — pid 4242 (idle in transaction for 40 s: UPDATE items SET qty = qty + 1 WHERE id = 1) (blocks 3 sessions)"],
        findings: [.init(cause: "blocking_chain", title: "blocking chain",
                         object: "pid 4242 (idle in transaction for 40 s: UPDATE items SET qty = qty + 1 WHERE id = 1)",
                         keyEvidence: "blocks 3 sessions", confidence: "high", evidence: ["3 sessions wait on its row lock"],
                         fixes: ["SELECT pg_terminate_backend(4242);"])],
        seen: ["demand: 120 commits/s"], skipped: ["statement deltas: CREATE EXTENSION pg_stat_statements"],
        windowSeconds: 2, durationSeconds: 2.4, statements: 21, intervalSeconds: 30)

    static func populate(_ telemetry: Telemetry, database: Database) async throws {
        let routes = [("/v1/products/{id}", "GET"), ("/v1/search", "GET"), ("/v1/carts/{id}/items", "POST"), ("/v1/checkout", "POST")]
        for index in 0..<400 {
            let (route, method) = routes[index % routes.count]
            telemetry.requests.record(route: route, method: method, status: index % 97 == 0 ? 503 : 200, duration: .milliseconds(5 + index % 40))
        }
        try await QueryContext.$current.withValue(QueryContext(route: "GET /v1/products/{id}", requestID: "dash-1")) {
            for id in 1...8 { try await database.query("SELECT title, price_minor FROM products WHERE id = \(id)") }
            try await database.query("SELECT count(*) FROM products WHERE title ILIKE \("%lamp%")")
        }
        telemetry.pool.record(PoolUsage(inUse: 6, idle: 4, waiters: 2, capacity: 10))
        telemetry.doctor.post(panel)
        _ = await telemetry.makeSampler(database: database).sampleNow()
    }

    @Test func dashboardLoadsAndDrawsLiveDataWithoutConsoleErrors() async throws {
        let chromium = try Tool.locate("chromium", package: "chromium")
        let telemetry = MiniStore.telemetry()
        try await TestPostgres.withFreshDatabase(observers: [telemetry.queryObserver]) { database, _ in
            try await Self.populate(telemetry, database: database)
            try await LoopbackServer.with(MiniStore.router(telemetry: telemetry, database: database)) { port in
                let profile = NSTemporaryDirectory() + "surge-chromium-\(UUID().uuidString)"
                defer { try? FileManager.default.removeItem(atPath: profile) }
                let url = "http://127.0.0.1:\(port)/dashboard?token=\(MiniStore.token)&limit=3"
                let common = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile)",
                              "--virtual-time-budget=10000", "--no-first-run", "--disable-extensions"]
                let run = try await Tool.run(chromium, common + ["--dump-dom", url], timeout: .seconds(120))
                #expect(run.succeeded, "chromium failed: \(run.error.suffix(2000))")
                let dom = run.output
                #expect(dom.contains(#"data-live="1""#), "the page never rendered an event:\n\(dom.prefix(3000))")
                #expect(dom.contains(#"data-errors="""#), "the page caught errors:\n\(dom.prefix(3000))")
                #expect(dom.contains("select title, price_minor from products where id = $1"))
                #expect(dom.contains("GET /v1/products/{id}"))
                #expect(dom.contains("<polyline"))
                #expect(dom.contains("6 / 10"))
                // The doctor's current findings: cause, object, confidence and the FIX line.
                #expect(dom.contains(#"<section id="doctor" class="fault">"#), "\(dom.prefix(3000))")
                #expect(dom.contains(#"data-cause="blocking_chain""#))
                #expect(dom.contains("pid 4242 (idle in transaction for 40 s"))
                #expect(dom.contains(#"class="conf-high">high"#))
                #expect(dom.contains("FIX: SELECT pg_terminate_backend(4242);"))
                let console = run.error.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
                #expect(console.isEmpty, "console output: \(console)")

                // A picture for docs/ (copy it there by hand when the page changes), with traffic
                // flowing so the charts move.
                let feeder = Task {
                    for tick in 0..<1500 where !Task.isCancelled {
                        let wave = 1 + sin(Double(tick) / 15)
                        for index in 0..<Int(2 + 3 * wave) {
                            let slow = index == 0 && tick % 7 == 0
                            telemetry.requests.record(
                                route: index % 2 == 0 ? "/v1/products/{id}" : "/v1/checkout", method: "GET", status: tick % 50 == 0 ? 503 : 200,
                                duration: .milliseconds(Int(8 + 6 * wave) + (slow ? 240 : index * 3)))
                        }
                        telemetry.pool.record(PoolUsage(inUse: 4 + Int(5 * wave / 2), idle: 1, waiters: tick % 40 < 8 ? 2 : 0, capacity: 10))
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                defer { feeder.cancel() }
                let screenshot = NSTemporaryDirectory() + "surge-dashboard.png"
                let live = "http://127.0.0.1:\(port)/dashboard?token=\(MiniStore.token)&limit=40"
                let shot = try await Tool.run(
                    chromium, common + ["--window-size=1400,1250", "--hide-scrollbars", "--screenshot=\(screenshot)", live], timeout: .seconds(120))
                #expect(shot.succeeded, "chromium screenshot failed: \(shot.error.suffix(2000))")
                let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
                #expect(png.count > 10_000)
                #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            }
        }
    }
}
