import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storefront
import Telemetry
import Testing

/// The store mounts telemetry: its statements are attributed to routes, /metrics counts its requests,
/// and the admin endpoints answer 401 problem+json without the token.
@Suite struct TelemetryWiringTests {
    @Test func storeStatementsAndRequestsReachTelemetry() async throws {
        var logger = Logger(label: "surge.tests.telemetry")
        logger.logLevel = .warning
        let telemetry = Telemetry(configuration: .init(adminToken: "secret-token"), logger: logger)
        try await StoreHarness.run(telemetry: telemetry) { store in
            try await store.product(id: 50, variants: [(price: 100, onHand: 5)])
            #expect(try await store.send(.get, "/v1/products/50").status == .ok)
            let denied = try await store.send(.get, "/admin/queries")
            #expect(denied.status == .unauthorized)
            #expect(denied.headers[.contentType] == "application/problem+json")
            let report = try await store.send(.get, "/admin/queries", headers: [.authorization: "Bearer secret-token"])
            #expect(report.status == .ok)
            #expect(report.body.replacingOccurrences(of: "\\/", with: "/").contains("\"routes\":[\"GET /v1/products/{id}\"]"))
            let metrics = try await store.send(.get, "/metrics")
            #expect(metrics.body.contains(#"surge_http_requests_total{route="/v1/products/{id}",method="GET",status_class="2xx",route_class="browse"} 1"#))
        }
    }
}
