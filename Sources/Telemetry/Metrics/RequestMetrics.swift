import Prometheus
import Synchronization

/// HTTP request metrics: Prometheus series by route, method, status class and route class, plus
/// in-process windows for the SLO alerts and the dashboard.
public final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: String
        var statusClass: String
    }

    private struct Series: Sendable {
        let requests: Counter
        let duration: DurationHistogram
        let routeClass: String
        let latencyThreshold: Duration?
    }

    private let registry: PrometheusCollectorRegistry
    private let classify: @Sendable (String) -> String
    private let latencyThresholds: [String: Duration]
    private let clock: TelemetryClock
    private let series = Mutex<[Key: Series]>([:])
    private let windows: Mutex<RequestWindows>

    init(
        registry: PrometheusCollectorRegistry,
        objectives: [ServiceLevelObjective],
        classify: @escaping @Sendable (String) -> String,
        clock: TelemetryClock
    ) {
        self.registry = registry
        self.classify = classify
        self.clock = clock
        var thresholds: [String: Duration] = [:]
        for objective in objectives {
            if case .latency(let threshold) = objective.indicator { thresholds[objective.routeClass] = threshold }
        }
        self.latencyThresholds = thresholds
        self.windows = Mutex(RequestWindows())
    }

    /// Records one answered request.
    /// - Parameters:
    ///   - route: the route pattern (`/v1/products/{id}`), not the concrete path (bounded cardinality).
    public func record(route: String, method: String, status: Int, duration: Duration) {
        let statusClass = Self.statusClasses[min(max(status / 100, 1), 5) - 1]
        let key = Key(route: route, method: method, statusClass: statusClass)
        // Classifying and creating series happens once per key; the hot path is one lookup.
        let handles = series.withLock { cache in
            if let existing = cache[key] { return existing }
            let routeClass = classify(route)
            let labels = [("route", route), ("method", method), ("status_class", statusClass), ("route_class", routeClass)]
            let created = Series(
                requests: registry.makeCounter(descriptor: Self.requestsName, labels: labels),
                duration: registry.makeDurationHistogram(descriptor: Self.durationName, labels: labels, buckets: DurationBuckets.requests),
                routeClass: routeClass,
                latencyThreshold: latencyThresholds[routeClass]
            )
            cache[key] = created
            return created
        }
        handles.requests.increment()
        handles.duration.record(duration)
        let isSlow = handles.latencyThreshold.map { duration > $0 } ?? false
        let now = clock.now()
        windows.withLock {
            $0.record(routeClass: handles.routeClass, isError: status >= 500, isSlow: isSlow, duration: duration, at: now)
        }
    }

    /// A copy of the in-process windows (for alerts and the dashboard).
    func windowsSnapshot() -> RequestWindows {
        windows.withLock { $0 }
    }

    private static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    private static var requestsName: MetricNameDescriptor {
        .surge("http_requests", unit: "total", help: "HTTP requests answered, by route pattern, method, status class and route class.")
    }
    private static var durationName: MetricNameDescriptor {
        .surge("http_request_duration", unit: "seconds", help: "HTTP request duration, from routing until the handler returned the response.")
    }
}
