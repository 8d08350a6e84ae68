import CoreMetrics
import Prometheus

/// The swift-metrics factory `Telemetry.metricsFactory` hands out: swift-prometheus's, over the same
/// registry, except that the store's own swift-metrics series (made in modules that do not import
/// Telemetry: Guard, Database) get their HELP text from `help`. swift-metrics cannot carry HELP, and
/// without it `promtool check metrics` refuses the scrape. Unknown labels (other libraries') pass
/// through without HELP, as before.
public struct DescribedMetricsFactory: CoreMetrics.MetricsFactory {
    let inner: PrometheusMetricsFactory
    let registry: PrometheusCollectorRegistry

    /// HELP text of every swift-metrics series the store makes, by label
    /// (`DescribedMetricsFactoryTests` checks that every `label: "surge_…"` in Sources is here).
    public static let help: [String: String] = [
        "surge_admission_limit": "The admission limiter's current concurrency limit.",
        "surge_db_catalog_reads_total": "Catalog reads by the backend that served them (primary or a replica).",
        "surge_db_replica_fallbacks_total": "Catalog reads a replica failed that were run again on the primary, by replica.",
        "surge_db_replica_lag_seconds": "A replica's estimated lag behind the primary (from WAL positions), in seconds.",
        "surge_db_replica_usable": "1 when a replica is used for catalog reads, 0 when it is skipped (lagging, down or promoted).",
        "surge_leader": "1 when this instance holds the cluster's leadership (runs the background jobs), else 0.",
        "surge_leadership_changes_total": "Times this instance gained or lost the cluster's leadership.",
        "surge_admission_in_flight": "Requests holding an admission permit now.",
        "surge_admission_rejected_total": "Requests shed by admission control (503 overloaded), by priority class.",
        "surge_admission_cache_answered_total": "Requests answered from the catalog cache under overload instead of shed, by priority class.",
        "surge_admission_queue_wait_seconds": "Time requests waited in admission's queue (admitted or refused at its timeout), by priority class.",
        "surge_admission_cache_fills_total": "Browse reads admission refused that ran as cache fills (a page the cache keeps but did not hold), beside the limit.",
        "surge_cache_hits_total": "Catalog cache lookups answered from the cache, by cache.",
        "surge_cache_misses_total": "Catalog cache lookups that loaded from the database, by cache.",
        "surge_cache_joins_total": "Catalog cache lookups that waited for a load another request was running (single flight), by cache.",
        "surge_cache_invalidations_total": "Catalog cache entries dropped by an invalidation (a catalog change's NOTIFY), by cache.",
        "surge_sold_out_fast_path_total": "Add-to-cart and checkout requests refused as sold out without a stock query.",
        "surge_database_available": "1 while the database answers, 0 while the circuit breaker is open.",
        "surge_database_pool_replacements_total": "Connection pools replaced while recovering from an outage.",
        "surge_db_pipeline_connections": "Pipelined read connections open and taking statements (one per event loop when healthy).",
        "surge_db_pipeline_connects_total": "Pipelined read connections opened (beyond the first, reconnects).",
        "surge_db_pipeline_fallbacks_total": "Pipelined reads run on the pool instead (no open connection, connection full, or lost).",
    ]

    /// The whole label as the metric name (it already carries its unit suffix), with its HELP.
    static func descriptor(_ label: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.inner = PrometheusMetricsFactory(registry: registry)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let help = Self.help[label] else { return inner.makeCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let help = Self.help[label] else { return inner.makeFloatingPointCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate, let help = Self.help[label] else {
            return inner.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        return registry.makeGauge(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let help = Self.help[label] else { return inner.makeMeter(label: label, dimensions: dimensions) }
        return registry.makeGauge(descriptor: Self.descriptor(label, help), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let help = Self.help[label] else { return inner.makeTimer(label: label, dimensions: dimensions) }
        return registry.makeDurationHistogram(descriptor: Self.descriptor(label, help), labels: dimensions, buckets: DurationBuckets.requests)
    }

    public func destroyCounter(_ handler: any CounterHandler) { inner.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { inner.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { inner.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { inner.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { inner.destroyTimer(handler) }
}
