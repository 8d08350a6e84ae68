/// One measured load level: concurrency, throughput and, when known, latency.
public struct LoadPoint: Sendable, Equatable, Codable {
    /// Requests in flight (closed-loop users, or offered rate × mean latency by Little's law).
    public var concurrency: Double
    /// Completed requests per second.
    public var throughput: Double
    /// Mean latency in seconds, when measured.
    public var meanLatencySeconds: Double?
    /// 99th percentile latency in seconds, when measured.
    public var p99Seconds: Double?

    public init(concurrency: Double, throughput: Double, meanLatencySeconds: Double? = nil, p99Seconds: Double? = nil) {
        self.concurrency = concurrency
        self.throughput = throughput
        self.meanLatencySeconds = meanLatencySeconds
        self.p99Seconds = p99Seconds
    }

    /// An open-model step: the offered rate completes at `throughput` with mean latency R, so the
    /// concurrency it produced is N = X × R (Little's law).
    public static func openModel(throughput: Double, meanLatencySeconds: Double, p99Seconds: Double? = nil) -> LoadPoint {
        LoadPoint(concurrency: throughput * meanLatencySeconds, throughput: throughput,
                  meanLatencySeconds: meanLatencySeconds, p99Seconds: p99Seconds)
    }
}
