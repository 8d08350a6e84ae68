/// What the alerts are evaluated over: request windows and the latest gauges.
struct AlertInputs: Sendable {
    var requests: RequestWindows
    var gauges: [AlertRule.Gauge: Double]
}

/// An alert that is firing.
public struct ActiveAlert: Codable, Sendable, Equatable {
    public var name: String
    public var severity: String
    /// `route_class` for SLO alerts; empty for the others.
    public var routeClass: String
    public var summary: String
    public var runbookURL: String
    /// The observed value that crossed the line (burn rate, or the gauge).
    public var value: Double
    /// Seconds since the telemetry started, when it began to fire.
    public var firingSinceSeconds: Double

    enum CodingKeys: String, CodingKey {
        case name, severity, routeClass = "route_class", summary, runbookURL = "runbook_url", value
        case firingSinceSeconds = "firing_since_seconds"
    }
}

/// A change of an alert's state.
public enum AlertTransition: Sendable, Equatable {
    case firing(ActiveAlert)
    case resolved(ActiveAlert)
}

/// Evaluates alert rules like Prometheus does (condition, then `for`), as a value: no clock, no I/O.
/// The caller passes the time and gets back the transitions to log and post.
public struct AlertEvaluator: Sendable {
    public let rules: [AlertRule]
    private var pendingSince: [String: Duration] = [:]
    private var firing: [String: ActiveAlert] = [:]

    public init(rules: [AlertRule]) {
        self.rules = rules
    }

    /// The alerts firing after the last evaluation, sorted by name.
    public var active: [ActiveAlert] {
        firing.values.sorted { ($0.name, $0.routeClass) < ($1.name, $1.routeClass) }
    }

    mutating func evaluate(_ inputs: AlertInputs, at time: Duration) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for rule in rules {
            let (routeClass, value) = Self.observe(rule.condition, inputs, at: time)
            let key = rule.name + "/" + routeClass
            if let value {
                let since = pendingSince[key] ?? time
                pendingSince[key] = since
                if firing[key] == nil, time - since >= rule.holdFor {
                    let alert = ActiveAlert(
                        name: rule.name, severity: rule.severity, routeClass: routeClass, summary: rule.summary,
                        runbookURL: rule.runbookURL, value: value, firingSinceSeconds: Double(time.nanoseconds) / 1e9)
                    firing[key] = alert
                    transitions.append(.firing(alert))
                } else if var alert = firing[key] {
                    alert.value = value
                    firing[key] = alert
                }
            } else {
                pendingSince[key] = nil
                if let alert = firing.removeValue(forKey: key) { transitions.append(.resolved(alert)) }
            }
        }
        return transitions
    }

    /// The condition's route class and its value when it holds, nil when it does not.
    static func observe(_ condition: AlertRule.Condition, _ inputs: AlertInputs, at time: Duration) -> (String, Double?) {
        switch condition {
        case .above(let gauge, let threshold):
            guard let value = inputs.gauges[gauge], value > threshold else { return ("", nil) }
            return ("", value)
        case .burnRate(let objective, let windows):
            var worst: Double?
            for window in windows {
                let long = burnRate(objective, inputs.requests, window: window.long, at: time)
                let short = burnRate(objective, inputs.requests, window: window.short, at: time)
                if long > window.factor, short > window.factor {
                    worst = max(worst ?? 0, min(long, short))
                }
            }
            return (objective.routeClass, worst)
        }
    }

    /// The bad share over `window`, in units of the error budget (1 = burning exactly on budget).
    static func burnRate(_ objective: ServiceLevelObjective, _ requests: RequestWindows, window: Duration, at time: Duration) -> Double {
        let counts = requests.counts(routeClass: objective.routeClass, window: window, at: time)
        guard counts.total > 0, objective.errorBudget > 0 else { return 0 }
        let bad = objective.indicator == .availability ? counts.errors : counts.slow
        return Double(bad) / Double(counts.total) / objective.errorBudget
    }
}
