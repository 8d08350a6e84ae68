import Metrics
import Prometheus
import Synchronization

/// The process's one swift-metrics backend: a Prometheus registry, bootstrapped on first use.
///
/// `MetricsSystem.bootstrap` may run once per process, and a drill starts the store twice (naive,
/// then guarded) in one process: every store instance's `Telemetry` shares this registry, so the
/// second one's swift-metrics series (admission, cache, pipeline) appear on its `/metrics` as well.
public enum ProcessMetrics {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry (bootstrapping swift-metrics with it the first time).
    public static func registry() -> PrometheusCollectorRegistry {
        state.withLock { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(DescribedMetricsFactory(registry: registry))
            current = registry
            return registry
        }
    }
}
