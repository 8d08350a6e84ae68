import Advisor

/// Everything one examination saw: counters at the window's start and end, the activity samples
/// in between, the facts, and the plans of the statements that dominated. Checks read only this.
public struct Evidence: Sendable, Codable, Equatable {
    public var windowSeconds: Double
    public var facts: ServerFacts
    public var first: CounterSnapshot
    public var last: CounterSnapshot
    /// `pg_stat_activity`, several times a second over the window (in order).
    public var activity: [ActivitySample]
    /// Generic plans of the window's top statements, by queryid.
    public var plans: [String: Plan]
    /// The schema, for index suggestions (nil when the plans were not read).
    public var catalog: Catalog?
    /// The store's `/metrics` at the window's start and end, when asked for.
    public var storeFirst: StoreMetrics?
    public var storeLast: StoreMetrics?
    /// Checks that could not run, and why.
    public var skipped: [SkippedCheck]
    /// Statements the doctor itself ran inside the window (each one a commit in pg_stat_database).
    public var ownStatements: Double = 0

    public init(windowSeconds: Double, facts: ServerFacts = .init(), first: CounterSnapshot = .init(at: 0), last: CounterSnapshot? = nil,
                activity: [ActivitySample] = [], plans: [String: Plan] = [:], catalog: Catalog? = nil,
                storeFirst: StoreMetrics? = nil, storeLast: StoreMetrics? = nil, skipped: [SkippedCheck] = []) {
        self.windowSeconds = windowSeconds
        self.facts = facts
        self.first = first
        self.last = last ?? CounterSnapshot(at: windowSeconds)
        self.activity = activity
        self.plans = plans
        self.catalog = catalog
        self.storeFirst = storeFirst
        self.storeLast = storeLast
        self.skipped = skipped
    }

    /// Seconds between the two counter snapshots (never 0).
    public var elapsedSeconds: Double { max(0.001, last.at - first.at) }

    /// The last activity sample (empty when none was taken).
    public var latestActivity: ActivitySample { activity.last ?? ActivitySample(at: 0, sessions: []) }
}

/// A check the doctor could not run, with the reason and what would let it run.
public struct SkippedCheck: Sendable, Codable, Equatable {
    public var check: String
    public var reason: String

    public init(check: String, reason: String) {
        self.check = check
        self.reason = reason
    }
}
