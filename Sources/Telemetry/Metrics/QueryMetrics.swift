import Database
import Prometheus
import Synchronization

/// Statement metrics: `surge_db_query_duration_seconds` by fingerprint id with bounded cardinality
/// (the first `maxFingerprintSeries` fingerprints get their own series, later ones share
/// `fingerprint="other"`, so a series never changes meaning), errors, and slow statements.
final class QueryMetrics: Sendable {
    private struct Series: Sendable {
        let duration: DurationHistogram
        let errors: Counter
    }

    private struct State: Sendable {
        var series: [UInt64: Series] = [:]
        var slow = CountRing(bucketWidth: .seconds(10), span: .seconds(3600))
    }

    private let registry: PrometheusCollectorRegistry
    private let maxFingerprintSeries: Int
    private let slowThreshold: Duration
    private let clock: TelemetryClock
    private let state = Mutex(State())
    private let other: Series
    private let slowTotal: Counter

    init(registry: PrometheusCollectorRegistry, maxFingerprintSeries: Int, slowThreshold: Duration, clock: TelemetryClock) {
        self.registry = registry
        self.maxFingerprintSeries = maxFingerprintSeries
        self.slowThreshold = slowThreshold
        self.clock = clock
        self.other = Self.makeSeries(registry, label: "other")
        self.slowTotal = registry.makeCounter(descriptor: .surge(
            "db_slow_queries", unit: "total", help: "Statements slower than the slow-query threshold."))
    }

    func record(_ event: QueryEvent, fingerprint: QueryFingerprint) {
        let isSlow = event.duration >= slowThreshold
        let now = clock.now()
        let series = state.withLock { state -> Series in
            if isSlow { state.slow.add(at: now) }
            if let existing = state.series[fingerprint.id] { return existing }
            guard state.series.count < maxFingerprintSeries else { return other }
            let created = Self.makeSeries(registry, label: fingerprint.hexID)
            state.series[fingerprint.id] = created
            return created
        }
        series.duration.record(event.duration)
        if event.error != nil { series.errors.increment() }
        if isSlow { slowTotal.increment() }
    }

    /// Slow statements per second over `window` ending now.
    func slowRate(window: Duration, at time: Duration) -> Double {
        let count = state.withLock { $0.slow.sum(window: window, at: time).total }
        return Double(count) / (Double(window.nanoseconds) / 1e9)
    }

    private static func makeSeries(_ registry: PrometheusCollectorRegistry, label: String) -> Series {
        Series(
            duration: registry.makeDurationHistogram(
                descriptor: .surge("db_query_duration", unit: "seconds", help: "Statement duration by fingerprint id (see GET /admin/queries)."),
                labels: [("fingerprint", label)], buckets: DurationBuckets.statements),
            errors: registry.makeCounter(
                descriptor: .surge("db_query_errors", unit: "total", help: "Failed statements by fingerprint id."),
                labels: [("fingerprint", label)])
        )
    }
}
