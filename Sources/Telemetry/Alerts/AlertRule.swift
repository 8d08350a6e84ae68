/// One alert, evaluated in-process the same way as its twin in deploy/prometheus/alerts.yml.
public struct AlertRule: Sendable {
    /// When the alert's condition holds.
    public enum Condition: Sendable {
        /// Multi-window burn rate (SRE workbook): fires when, for any pair, the error ratio over both
        /// the long and the short window exceeds `factor` × the error budget.
        case burnRate(ServiceLevelObjective, windows: [BurnWindow])
        /// A gauge above a threshold.
        case above(Gauge, Double)
    }

    /// The gauges the store knows in-process.
    public enum Gauge: String, Sendable {
        case poolWaiters = "surge_db_pool_waiters"
        case connectionsRatio = "surge_pg_connections / surge_pg_max_connections"
        case slowQueriesPerSecond = "rate(surge_db_slow_queries_total[5m])"
        case lockWaits = "surge_pg_lock_waits"
        case oldestTransactionSeconds = "surge_pg_oldest_transaction_age_seconds"
        /// 1 when the last PostgreSQL sample failed.
        case serverDown = "surge_pg_up == 0"
        /// 1 while no pipelined read connection is open (only when the store pipelines reads).
        case pipelineDown = "surge_db_pipeline_connections == 0"
    }

    public var name: String
    /// `page` (wake someone) or `ticket` (next business day).
    public var severity: String
    public var condition: Condition
    /// How long the condition must hold before the alert fires.
    public var holdFor: Duration
    public var summary: String
    /// The anchor of the runbook in docs/PLAYBOOK.md.
    public var runbook: String

    public init(name: String, severity: String, condition: Condition, holdFor: Duration, summary: String, runbook: String) {
        self.name = name
        self.severity = severity
        self.condition = condition
        self.holdFor = holdFor
        self.summary = summary
        self.runbook = runbook
    }

    /// The playbook link shipped in alert annotations.
    public var runbookURL: String { "docs/PLAYBOOK.md#\(runbook)" }
}

/// A long and a short window and the burn-rate factor both must exceed.
public struct BurnWindow: Sendable, Equatable {
    public var long: Duration
    public var short: Duration
    public var factor: Double

    public init(long: Duration, short: Duration, factor: Double) {
        self.long = long
        self.short = short
        self.factor = factor
    }

    /// The page-level pairs of the SRE workbook: 2% of a 30-day budget in 1 h, 5% in 6 h.
    public static let page: [BurnWindow] = [
        .init(long: .seconds(3600), short: .seconds(300), factor: 14.4),
        .init(long: .seconds(6 * 3600), short: .seconds(1800), factor: 6),
    ]

    /// The ticket-level pairs: 10% of the budget in 3 days (1× over 3 d and 6 h), or 3× over 1 d and 2 h.
    public static let ticket: [BurnWindow] = [
        .init(long: .seconds(86_400), short: .seconds(2 * 3600), factor: 3),
        .init(long: .seconds(3 * 86_400), short: .seconds(6 * 3600), factor: 1),
    ]
}

extension AlertRule {
    /// The in-process rules, as in deploy/prometheus/alerts.yml: the page-level burn-rate alerts
    /// (1h/5m, 6h/30m), the ticket-level ones (1d/2h, 3d/6h; over the time since the process
    /// started, as Prometheus over its retained history) and the database saturation alerts.
    public static func defaults(objectives: [ServiceLevelObjective] = ServiceLevelObjective.defaults) -> [AlertRule] {
        var rules: [AlertRule] = objectives.map { objective in
            let isLatency = objective.indicator != .availability
            return AlertRule(
                name: isLatency ? "SurgeLatencyBudgetBurn" : "SurgeAvailabilityBudgetBurn",
                severity: "page",
                condition: .burnRate(objective, windows: BurnWindow.page),
                holdFor: .seconds(120),
                summary: "\(objective.routeClass) is burning its \(objective.indicator.name) error budget fast",
                runbook: isLatency ? "surgelatencybudgetburn" : "surgeavailabilitybudgetburn"
            )
        }
        rules += objectives.map { objective in
            let isLatency = objective.indicator != .availability
            return AlertRule(
                name: isLatency ? "SurgeLatencyBudgetBurnSlow" : "SurgeAvailabilityBudgetBurnSlow",
                severity: "ticket",
                condition: .burnRate(objective, windows: BurnWindow.ticket),
                holdFor: .seconds(900),
                summary: "\(objective.routeClass) is slowly eating its \(objective.indicator.name) error budget",
                runbook: isLatency ? "surgelatencybudgetburnslow" : "surgeavailabilitybudgetburnslow"
            )
        }
        rules += [
            AlertRule(name: "SurgeDBPoolWaiters", severity: "page", condition: .above(.poolWaiters, 0), holdFor: .seconds(120),
                      summary: "requests have queued for a database connection for 2 minutes", runbook: "surgedbpoolwaiters"),
            AlertRule(name: "SurgePGConnectionsNearMax", severity: "page", condition: .above(.connectionsRatio, 0.8), holdFor: .seconds(300),
                      summary: "PostgreSQL connections above 80% of max_connections", runbook: "surgepgconnectionsnearmax"),
            AlertRule(name: "SurgeSlowQueries", severity: "ticket", condition: .above(.slowQueriesPerSecond, 1), holdFor: .seconds(300),
                      summary: "more than one slow statement per second", runbook: "surgeslowqueries"),
            AlertRule(name: "SurgePGLockWaits", severity: "page", condition: .above(.lockWaits, 5), holdFor: .seconds(120),
                      summary: "more than 5 sessions waiting for locks", runbook: "surgepglockwaits"),
            AlertRule(name: "SurgePGLongTransaction", severity: "ticket", condition: .above(.oldestTransactionSeconds, 300), holdFor: .seconds(60),
                      summary: "a transaction has been open for more than 5 minutes", runbook: "surgepglongtransaction"),
            AlertRule(name: "SurgePGDown", severity: "page", condition: .above(.serverDown, 0), holdFor: .seconds(60),
                      summary: "the store cannot sample PostgreSQL", runbook: "surgepgdown"),
            AlertRule(name: "SurgeDBPipelineDown", severity: "ticket", condition: .above(.pipelineDown, 0), holdFor: .seconds(300),
                      summary: "no pipelined read connection for 5 minutes", runbook: "surgedbpipelinedown"),
        ]
        return rules
    }
}
