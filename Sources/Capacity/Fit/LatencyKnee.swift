/// Where a p99 latency objective would break, predicted from the fit.
///
/// The fit gives the mean response time R(N) = N / X(N) (Little's law, closed loop). Measured p99
/// is a multiple of the mean that changes little across load levels below saturation, so p99(N) is
/// taken as R(N) times the median measured p99/R ratio (or R(N) alone when no latency was measured).
public struct LatencyKnee: Sendable, Equatable, Codable {
    /// The p99 objective, seconds.
    public var objectiveSeconds: Double
    /// Measured p99 over the model's mean response time (median across points); 1 without measurements.
    public var p99ToMeanRatio: Double
    /// The concurrency where predicted p99 crosses the objective, nil when it never does below `searchLimit`.
    public var load: Double?
    /// Throughput at that concurrency.
    public var throughput: Double?

    public static func find(model: USLModel, points: [LoadPoint], objectiveSeconds: Double,
                            searchLimit: Double = 100_000) -> LatencyKnee {
        let ratios = points.compactMap { point -> Double? in
            guard let p99 = point.p99Seconds, p99 > 0 else { return nil }
            return p99 / model.responseTime(at: point.concurrency)
        }.sorted()
        let ratio = ratios.isEmpty ? 1 : max(1, ratios[ratios.count / 2])
        func p99(_ load: Double) -> Double { model.responseTime(at: load) * ratio }
        guard p99(1) < objectiveSeconds else {
            return LatencyKnee(objectiveSeconds: objectiveSeconds, p99ToMeanRatio: ratio, load: 1, throughput: model.throughput(at: 1))
        }
        // R(N) grows monotonically in N (σ, κ ≥ 0): bisect on it.
        var low = 1.0, high = 2.0
        while p99(high) < objectiveSeconds {
            high *= 2
            if high > searchLimit {
                return LatencyKnee(objectiveSeconds: objectiveSeconds, p99ToMeanRatio: ratio, load: nil, throughput: nil)
            }
        }
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if p99(middle) < objectiveSeconds { low = middle } else { high = middle }
        }
        return LatencyKnee(objectiveSeconds: objectiveSeconds, p99ToMeanRatio: ratio, load: low, throughput: model.throughput(at: low))
    }
}
