import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Telemetry
import Testing
import TestSupport
@testable import Doctor

/// The doctor inside the store: a blocking chain injected on the private PostgreSQL (the injector
/// `blockingChainIsNamedWithItsRootPid` uses) shows up in the dashboard's findings endpoint,
/// `GET /admin/doctor`, with its cause, object, confidence and FIX.
extension DoctorDatabaseTests {
    @Test func monitorPutsAnInjectedBlockingChainOnTheDashboard() async throws {
        let token = "doctor-test-token"
        let telemetry = Telemetry(configuration: .init(adminToken: token), logger: Logger(label: "surge.tests.doctor"))
        let router = Router()
        router.addRoutes(telemetry.routes())
        let app = Application(router: router)
        let (body, pid) = try await Self.withBlockingChain { _, url, pid in
            let monitor = DoctorMonitor(url: url, board: telemetry.doctor, interval: .seconds(5),
                                        storeMetrics: { telemetry.prometheusText() }, logger: Logger(label: "surge.tests.doctor"))
            let running = Task { try await monitor.run() }
            // Each look takes its 2 s window; wait for the first verdict (a generous bound, not a timing assertion).
            var panel = telemetry.doctor.latest
            for _ in 0..<300 where panel?.state != .ok {
                try await Task.sleep(for: .milliseconds(100))
                panel = telemetry.doctor.latest
            }
            let body = try await app.test(.router) { client in
                let refused = try await client.execute(uri: "/admin/doctor", method: .get) { $0.status }
                #expect(refused == .unauthorized)
                return try await client.execute(uri: "/admin/doctor", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok)
                    return String(buffer: response.body)
                }
            }
            // Its connection closes before the database is dropped.
            running.cancel()
            _ = try? await running.value
            return (body, pid)
        }
        let served = try JSONDecoder().decode(DoctorPanel.self, from: Data(body.utf8))
        #expect(served.state == .ok, "\(body)")
        let first = try #require(served.findings.first, "\(body)")
        #expect(first.cause == "blocking_chain", "\(body)")
        #expect(first.object.hasPrefix("pid \(pid) (idle in transaction"))
        #expect(["high", "medium", "low"].contains(first.confidence))
        #expect(first.fixes.first?.hasPrefix("SELECT pg_terminate_backend(\(pid));") == true)
        #expect(served.diagnosis.first?.hasPrefix("DIAGNOSIS: blocking chain — pid \(pid)") == true)
        // Its own cost, on the page: one short window and a bounded number of statements.
        #expect(served.windowSeconds >= 1.5 && served.windowSeconds < 5)
        #expect(served.statements > 0 && served.statements < 60, "\(served.statements)")
        #expect(served.intervalSeconds == 5)
        // The same panel rides on the dashboard's event stream.
        #expect(telemetry.dashboardSnapshot().doctor?.findings.first?.cause == "blocking_chain")
    }

    @Test func monitorSaysWhyWhenItCannotLook() async throws {
        let board = DoctorBoard()
        var url = try DatabaseURL("postgres://nobody@127.0.0.1:1/none")
        url.password = nil
        let monitor = DoctorMonitor(url: url, board: board, interval: .seconds(60), logger: Logger(label: "surge.tests.doctor"))
        let running = Task { try await monitor.run() }
        var panel = board.latest
        for _ in 0..<300 where panel?.state != .failed {
            try await Task.sleep(for: .milliseconds(100))
            panel = board.latest
        }
        running.cancel()
        _ = try? await running.value
        #expect(panel?.state == .failed)
        #expect(panel?.error?.hasPrefix("cannot reach PostgreSQL at 127.0.0.1:1: connection refused") == true, "\(String(describing: panel?.error))")
        #expect(panel?.findings.isEmpty == true)
    }
}
