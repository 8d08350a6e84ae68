/// What one closed-loop load step measured: throughput, latency percentiles, errors and evidence.
public struct StepMeasurement: Sendable, Equatable, Codable {
    /// 1-based step number.
    public var step: Int
    /// Closed-loop users (requests in flight); 0 for an open-model rate step.
    public var concurrency: Int
    /// The arrival rate an open-model step offered (journeys per second); nil for a closed-loop step.
    public var offeredRate: Double?
    /// The share of each period a paced step's users worked; nil for other steps.
    public var pacedShare: Double?
    /// A paced step's users.
    public var pacedUsers: Int?
    public var durationSeconds: Double
    public var requests: Int
    public var successes: Int
    /// Failed share of requests (errors and shed), 0...1.
    public var errorRate: Double
    /// Successful requests per second.
    public var throughput: Double
    public var meanSeconds: Double
    public var p50Seconds: Double
    public var p95Seconds: Double
    public var p99Seconds: Double
    /// The first error class seen and its example, for the "target failing" line.
    public var firstError: String?
    /// True when the generator itself was the bottleneck (its CPU saturated).
    public var generatorLimited: Bool
    public var evidence: StepEvidence

    public init(step: Int, concurrency: Int, durationSeconds: Double, requests: Int, successes: Int, errorRate: Double,
                throughput: Double, meanSeconds: Double, p50Seconds: Double, p95Seconds: Double, p99Seconds: Double,
                firstError: String? = nil, generatorLimited: Bool = false, evidence: StepEvidence = StepEvidence(), offeredRate: Double? = nil) {
        self.offeredRate = offeredRate
        self.step = step
        self.concurrency = concurrency
        self.durationSeconds = durationSeconds
        self.requests = requests
        self.successes = successes
        self.errorRate = errorRate
        self.throughput = throughput
        self.meanSeconds = meanSeconds
        self.p50Seconds = p50Seconds
        self.p95Seconds = p95Seconds
        self.p99Seconds = p99Seconds
        self.firstError = firstError
        self.generatorLimited = generatorLimited
        self.evidence = evidence
    }

    /// The step as a point for the USL fit.
    public var point: LoadPoint {
        // An open-model step's concurrency is what the rate produced: N = X·R (Little's law).
        if offeredRate != nil || pacedShare != nil, meanSeconds > 0 {
            return .openModel(throughput: throughput, meanLatencySeconds: meanSeconds, p99Seconds: p99Seconds > 0 ? p99Seconds : nil)
        }
        return LoadPoint(concurrency: Double(concurrency), throughput: throughput,
                  meanLatencySeconds: meanSeconds > 0 ? meanSeconds : nil, p99Seconds: p99Seconds > 0 ? p99Seconds : nil)
    }
}
