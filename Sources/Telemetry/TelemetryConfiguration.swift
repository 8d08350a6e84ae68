import Foundation
import Logging

/// The knobs of the telemetry, with their defaults.
public struct TelemetryConfiguration: Sendable {
    /// The bearer token for /admin/* and /dashboard (the store reads `SURGE_ADMIN_TOKEN` or generates one).
    public var adminToken: String
    /// Statements at least this slow are logged and counted in `surge_db_slow_queries_total`. Default 200 ms.
    public var slowQueryThreshold: Duration = .milliseconds(200)
    /// Where slow statements are written, one JSON object per line on standard error by default
    /// (`JSONLogHandler`), whatever format the rest of the log uses: log pipelines parse them.
    public var slowQueryLogger = Logger(label: "surge.slow_query") { JSONLogHandler(label: $0, write: JSONLogHandler.standardError) }
    /// A fingerprint running more than this many times in one request flags the route as N+1. Default 5.
    public var nPlusOneThreshold = 5
    /// Fingerprints with their own `surge_db_query_duration_seconds` series; later ones share `other`. Default 50.
    public var maxFingerprintSeries = 50
    /// The SLOs the alerts protect.
    public var objectives = ServiceLevelObjective.defaults
    /// Maps a route pattern (`/v1/products/{id}`) to its class (`browse`, `cart`, `checkout`, `system`).
    public var classifyRoute: @Sendable (String) -> String = RouteClassifier.classify
    /// How often the PostgreSQL server is sampled. Default 5 s.
    public var sampleInterval: Duration = .seconds(5)
    /// How long one sample may take before it counts as failed (`surge_pg_up 0`). Default 3 s.
    public var sampleTimeout: Duration = .seconds(3)
    /// How often alerts are evaluated in-process. Default 10 s.
    public var alertInterval: Duration = .seconds(10)
    /// Where alert transitions are posted, if anywhere.
    public var alertWebhook: URL?
    /// How often the dashboard stream sends a snapshot. Default 1 s.
    public var dashboardInterval: Duration = .seconds(1)
    /// The longest one dashboard stream stays open; the browser reconnects by itself. Default 1 h.
    public var dashboardStreamLimit: Duration = .seconds(3600)

    public init(adminToken: String) {
        self.adminToken = adminToken
    }
}
