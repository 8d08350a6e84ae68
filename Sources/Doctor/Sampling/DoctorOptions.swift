import Foundation

/// How long and how often the doctor looks, and what else it reads.
public struct DoctorOptions: Sendable {
    /// The evidence window: counters are read at its start and end.
    public var window: Duration
    /// `pg_stat_activity` is sampled this often over the window.
    public var sampleInterval: Duration
    /// The store's `/metrics`, read at the window's start and end.
    public var storeMetrics: URL?
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
}
