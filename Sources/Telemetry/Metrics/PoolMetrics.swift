import Database
import Prometheus
import Synchronization

/// The `PoolObserver` the store reports its pool to: gauges for connections by state, waiters and
/// capacity, and a histogram of acquire waits.
public final class PoolMetrics: PoolObserver {
    private let inUse: Gauge
    private let idle: Gauge
    private let waiters: Gauge
    private let capacity: Gauge
    private let acquireWait: DurationHistogram
    private let acquireFailures: Counter
    private let latest = Mutex<PoolUsage?>(nil)

    init(registry: PrometheusCollectorRegistry) {
        let connections = MetricNameDescriptor.surge("db_pool_connections", help: "Pool connections by state (in_use, idle).")
        inUse = registry.makeGauge(descriptor: connections, labels: [("state", "in_use")])
        idle = registry.makeGauge(descriptor: connections, labels: [("state", "idle")])
        waiters = registry.makeGauge(descriptor: .surge("db_pool_waiters", help: "Callers waiting for a pool connection."))
        capacity = registry.makeGauge(descriptor: .surge("db_pool_max_connections", help: "The most connections the pool may open."))
        acquireWait = registry.makeDurationHistogram(
            descriptor: .surge("db_pool_acquire_wait", unit: "seconds", help: "Time callers waited for a pool connection."),
            buckets: DurationBuckets.acquireWait)
        acquireFailures = registry.makeCounter(descriptor: .surge(
            "db_pool_acquire_failures", unit: "total", help: "Callers that gave up waiting for a pool connection."))
    }

    public func record(_ usage: PoolUsage) {
        inUse.set(Double(usage.inUse))
        idle.set(Double(usage.idle))
        waiters.set(Double(usage.waiters))
        capacity.set(Double(usage.capacity))
        latest.withLock { $0 = usage }
    }

    public func recordAcquire(wait: Duration, acquired: Bool) {
        acquireWait.record(wait)
        if !acquired { acquireFailures.increment() }
    }

    /// The last usage reported, if any.
    public var usage: PoolUsage? { latest.withLock { $0 } }
}
