/// A service-level objective on one class of routes: the share of requests that must be good.
///
/// The defaults match deploy/prometheus/alerts.yml: browse and checkout must each answer 99.9% of
/// requests without a 5xx, and 99% of them within 300 ms (browse) or 1 s (checkout).
public struct ServiceLevelObjective: Sendable, Equatable {
    /// What makes a request bad.
    public enum Indicator: Sendable, Equatable {
        /// A 5xx answer.
        case availability
        /// An answer slower than the threshold.
        case latency(threshold: Duration)

        var name: String {
            switch self {
            case .availability: "availability"
            case .latency: "latency"
            }
        }
    }

    public var routeClass: String
    public var indicator: Indicator
    /// The good share, e.g. 0.999.
    public var objective: Double

    public init(routeClass: String, indicator: Indicator, objective: Double) {
        self.routeClass = routeClass
        self.indicator = indicator
        self.objective = objective
    }

    /// The share of requests allowed to be bad.
    public var errorBudget: Double { 1 - objective }

    public static let defaults: [ServiceLevelObjective] = [
        .init(routeClass: "browse", indicator: .availability, objective: 0.999),
        .init(routeClass: "browse", indicator: .latency(threshold: .milliseconds(300)), objective: 0.99),
        .init(routeClass: "checkout", indicator: .availability, objective: 0.999),
        .init(routeClass: "checkout", indicator: .latency(threshold: .seconds(1)), objective: 0.99),
    ]
}

/// Names the class of traffic a route pattern belongs to, for SLOs: `browse`, `cart`, `checkout`
/// or `system` (the store's own `RouteClass` raw values). A store that knows its classes passes
/// its own mapping as `TelemetryConfiguration.classifyRoute`.
public enum RouteClassifier {
    /// The default classification from the route pattern's words.
    public static func classify(_ route: String) -> String {
        let lowered = route.lowercased()
        if lowered.contains("/admin") || lowered.contains("/metrics") || lowered.contains("/dashboard") || lowered.contains("/health")
            || lowered.contains("/openapi")
        {
            return "system"
        }
        if lowered.contains("checkout") || lowered.contains("payment") { return "checkout" }
        if lowered.contains("cart") || lowered.contains("order") { return "cart" }
        return "browse"
    }
}
