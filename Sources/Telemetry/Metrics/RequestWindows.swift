/// In-process request counts per route class over the SLO windows, and per-second latency
/// histograms over the last 10 s for the dashboard.
///
/// Two rings per class keep memory fixed however long the process runs: 10 s buckets over 6 h for
/// the page-level windows (5m, 30m, 1h, 6h) and 5 min buckets over 3 days for the ticket-level ones
/// (2h, 1d, 3d): 2,161 + 865 buckets of three integers each.
struct RequestWindows: Sendable {
    static let span: Duration = .seconds(6 * 3600)
    static let longSpan: Duration = .seconds(3 * 86_400)
    static let longBucket: Duration = .seconds(300)
    static let recentSeconds = 10

    private(set) var classes: [String: CountRing] = [:]
    private(set) var longClasses: [String: CountRing] = [:]
    private var recentEpochs = Array(repeating: Int64(-1), count: recentSeconds)
    private var recentCounts = Array(repeating: CountRing.Counts(), count: recentSeconds)
    private var recentLatency = Array(repeating: LatencyHistogram(), count: recentSeconds)

    mutating func record(routeClass: String, isError: Bool, isSlow: Bool, duration: Duration, at time: Duration) {
        classes[routeClass, default: CountRing(bucketWidth: .seconds(10), span: Self.span)]
            .add(at: time, errors: isError ? 1 : 0, slow: isSlow ? 1 : 0)
        longClasses[routeClass, default: CountRing(bucketWidth: Self.longBucket, span: Self.longSpan)]
            .add(at: time, errors: isError ? 1 : 0, slow: isSlow ? 1 : 0)
        let second = time.nanoseconds / 1_000_000_000
        let slot = Int(second % Int64(Self.recentSeconds))
        if recentEpochs[slot] != second {
            recentEpochs[slot] = second
            recentCounts[slot] = CountRing.Counts()
            recentLatency[slot].reset()
        }
        recentCounts[slot].total += 1
        recentCounts[slot].errors += isError ? 1 : 0
        recentLatency[slot].record(duration)
    }

    /// Requests, 5xx and slow answers of one route class in `window` ending at `time` (windows up to
    /// 6 h at 10 s resolution, longer ones up to 3 days at 5 min resolution).
    func counts(routeClass: String, window: Duration, at time: Duration) -> CountRing.Counts {
        let rings = window <= Self.span ? classes : longClasses
        return rings[routeClass]?.sum(window: window, at: time) ?? CountRing.Counts()
    }

    /// Rate, error ratio and latency percentiles over the last complete seconds (all classes).
    func recent(at time: Duration) -> RecentRequests {
        let current = time.nanoseconds / 1_000_000_000
        var merged = LatencyHistogram()
        var total = 0
        var errors = 0
        // The current second is still filling: leave it out so the rate does not dip.
        for slot in 0..<Self.recentSeconds where recentEpochs[slot] < current && recentEpochs[slot] >= current - Int64(Self.recentSeconds - 1) {
            total += recentCounts[slot].total
            errors += recentCounts[slot].errors
            merged.add(recentLatency[slot])
        }
        let seconds = Double(Self.recentSeconds - 1)
        return RecentRequests(
            ratePerSecond: Double(total) / seconds,
            errorRatio: total == 0 ? 0 : Double(errors) / Double(total),
            p50Milliseconds: merged.milliseconds(atPercentile: 50),
            p95Milliseconds: merged.milliseconds(atPercentile: 95),
            p99Milliseconds: merged.milliseconds(atPercentile: 99)
        )
    }
}

/// Requests over the last few seconds, for the dashboard.
public struct RecentRequests: Codable, Sendable, Equatable {
    public var ratePerSecond: Double
    public var errorRatio: Double
    public var p50Milliseconds: Double
    public var p95Milliseconds: Double
    public var p99Milliseconds: Double

    enum CodingKeys: String, CodingKey {
        case ratePerSecond = "rate_per_second", errorRatio = "error_ratio"
        case p50Milliseconds = "p50_ms", p95Milliseconds = "p95_ms", p99Milliseconds = "p99_ms"
    }
}
