import Foundation
import Hummingbird
import Logging
import Testing
@testable import Telemetry

@Suite struct AlertServiceTests {
    @Test func transitionsArePostedToTheWebhook() async throws {
        let received = Locked<[String]>([])
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            received.update { $0.append(String(buffer: body)) }
            return .ok
        }
        try await LoopbackServer.with(router) { port in
            let waiters = Locked<Double>(3)
            let rule = AlertRule(
                name: "SurgeDBPoolWaiters", severity: "page", condition: .above(.poolWaiters, 0), holdFor: .zero,
                summary: "queued for connections", runbook: "surgedbpoolwaiters")
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/hook"))
            let service = AlertService(
                rules: [rule], interval: .seconds(10), webhook: AlertWebhook(url: url), clock: TelemetryClock(),
                logger: Logger(label: "test")
            ) {
                AlertInputs(requests: RequestWindows(), gauges: [.poolWaiters: waiters.value])
            }
            let fired = await service.evaluateNow()
            #expect(fired.count == 1)
            #expect(service.active.map(\.name) == ["SurgeDBPoolWaiters"])
            waiters.set(0)
            let resolved = await service.evaluateNow()
            #expect(resolved.count == 1)
            #expect(service.active.isEmpty)
        }
        let bodies = received.value
        #expect(bodies.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data((bodies.first ?? "").utf8)) as? [String: Any])
        let alert = try #require((first["alerts"] as? [[String: Any]])?.first)
        #expect(alert["status"] as? String == "firing")
        #expect((alert["alert"] as? [String: Any])?["runbook_url"] as? String == "docs/PLAYBOOK.md#surgedbpoolwaiters")
        #expect(bodies.last?.contains("\"resolved\"") == true)
    }
}
