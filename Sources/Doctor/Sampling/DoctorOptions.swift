import Foundation

/// How long and how often the doctor looks, and what else it reads.
public struct DoctorOptions: Sendable {
    /// The evidence window: counters are read at its start and end.
    public var window: Duration
    /// `pg_stat_activity` is sampled this often over the window.
    public var sampleInterval: Duration
    /// The store's `/metrics`, read at the window's start and end.
    public var storeMetrics: URL?
    /// The store's metrics read in-process (the doctor inside the store): Prometheus text, used instead of `storeMetrics`.
    public var storeMetricsText: (@Sendable () -> String)?
    public var thresholds: Thresholds
    /// At most this many hot statements get a generic plan.
    public var maxPlans: Int
    /// `statement_timeout` for each EXPLAIN.
    public var planTimeout: Duration

    public init(window: Duration = .seconds(5), sampleInterval: Duration = .milliseconds(200), storeMetrics: URL? = nil,
                thresholds: Thresholds = .init(), maxPlans: Int = 5, planTimeout: Duration = .seconds(2)) {
        self.window = window
        self.sampleInterval = sampleInterval
        self.storeMetrics = storeMetrics
        self.thresholds = thresholds
        self.maxPlans = maxPlans
        self.planTimeout = planTimeout
    }

    /// The doctor inside the store (`DoctorMonitor`): a 2 s window sampled every 250 ms, at most two
    /// plans with a 1 s timeout. About 20 short statements and one connection per look.
    public static var light: DoctorOptions {
        DoctorOptions(window: .seconds(2), sampleInterval: .milliseconds(250), maxPlans: 2, planTimeout: .seconds(1))
    }
}
