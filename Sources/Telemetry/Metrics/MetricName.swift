import Prometheus

extension MetricNameDescriptor {
    /// A `surge_`-prefixed metric name with its base unit (`seconds`, `total`, or none) and help text.
    static func surge(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "surge", metricName: name, unitName: unit, helpText: help)
    }
}

/// The Prometheus histogram buckets for request and statement durations. 0.3 s and 1 s are the
/// browse and checkout latency objectives, so the SLO rules can read them off exact buckets.
enum DurationBuckets {
    static let requests: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(300), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    static let statements: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1), .seconds(5),
    ]
    static let acquireWait: [Duration] = [
        .microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
    ]
}
