import LoadTest

/// What users saw during one surge: the postmortem's impact numbers.
public struct SurgeFigures: Codable, Sendable, Equatable {
    /// One second (or coarser) of the surge.
    public struct Point: Codable, Sendable, Equatable {
        public var second: Double
        public var arrivals: Int
        /// Successful responses per second.
        public var goodputPerSecond: Double
        /// Failed (error or shed) responses per second.
        public var failedPerSecond: Double
        /// p99 of the requests that started in this interval, milliseconds.
        public var p99Milliseconds: Double
    }

    public var profile: String
    public var seconds: Double
    public var requests: Int
    public var successes: Int
    public var goodputPerSecond: Double
    /// Requests that failed or were shed, percent of attempts.
    public var errorPercent: Double
    /// Buy journeys started.
    public var buyJourneys: Int
    /// Buy journeys whose add-to-cart step succeeded, percent.
    public var addToCartCompletionPercent: Double
    /// Buy journeys that completed checkout, percent.
    public var checkoutCompletionPercent: Double
    /// Browse journeys that completed, percent.
    public var browseCompletionPercent: Double
    public var p99Milliseconds: Double
    public var checkoutP99Milliseconds: Double
    public var addToCartP99Milliseconds: Double
    public var productPageP99Milliseconds: Double
    /// Checkout requests sent (0: no buyer got as far, and its p99 means nothing).
    public var checkoutRequests: Int
    /// Failed requests by kind (shed counts 503 overloaded), with the first example of each.
    public var failures: [String: Int]
    public var failureExamples: [String: String]
    public var timeline: [Point]

    /// The figures of a load run against the store.
    init(_ result: RunResult, profile: String) {
        var journeys: [String: JourneyResult] = [:]
        var all = LatencyHistogram()
        var requests = 0, successes = 0, attempts = 0
        var timeline = Timeline()
        var seconds = 0.0
        var failures: [String: Int] = [:]
        var examples = ErrorExamples()
        for phase in result.phases {
            for (kind, count) in phase.counts.errors { failures[kind.rawValue, default: 0] += count }
            if phase.counts.shed > 0 { failures["shed", default: 0] += phase.counts.shed }
            if phase.dropped > 0 { failures["dropped", default: 0] += phase.dropped }
            examples.merge(phase.examples)
            for journey in phase.journeys {
                if journeys[journey.name] == nil { journeys[journey.name] = journey } else { journeys[journey.name]?.merge(journey) }
            }
            all.merge(phase.latency)
            requests += phase.counts.requests
            successes += phase.counts.successes
            attempts += phase.attempts
            var shifted = Timeline()
            shifted.bucketSeconds = phase.timeline.bucketSeconds
            let offset = Int(phase.startOffsetSeconds) / max(1, phase.timeline.bucketSeconds)
            shifted.buckets = Array(repeating: Timeline.Bucket(), count: max(0, offset)) + phase.timeline.buckets
            timeline.merge(shifted)
            seconds = max(seconds, phase.startOffsetSeconds + phase.durationSeconds)
        }
        func step(_ journey: String, _ name: String) -> StepResult? { journeys[journey]?.steps.first { $0.name == name } }
        func ms(_ histogram: LatencyHistogram?) -> Double { Double(histogram?.percentile(99) ?? 0) / 1000 }
        let buy = journeys["buy"]
        let started = buy?.started ?? 0
        self.profile = profile
        self.seconds = seconds
        self.requests = requests
        self.successes = successes
        goodputPerSecond = seconds > 0 ? Double(successes) / seconds : 0
        errorPercent = attempts == 0 ? 0 : Double(attempts - successes) * 100 / Double(attempts)
        buyJourneys = started
        addToCartCompletionPercent = started == 0 ? 100 : Double(step("buy", "add-item")?.counts.successes ?? 0) * 100 / Double(started)
        checkoutCompletionPercent = buy?.completionPercent ?? 100
        browseCompletionPercent = journeys["browse"]?.completionPercent ?? 100
        p99Milliseconds = ms(all)
        checkoutP99Milliseconds = ms(step("buy", "checkout")?.latency)
        addToCartP99Milliseconds = ms(step("buy", "add-item")?.latency)
        var pages = step("browse", "product")?.latency ?? LatencyHistogram()
        if let buyPage = step("buy", "product")?.latency { pages.merge(buyPage) }
        productPageP99Milliseconds = ms(pages)
        checkoutRequests = step("buy", "checkout")?.counts.requests ?? 0
        self.failures = failures
        failureExamples = examples.byClass
        let width = Double(timeline.bucketSeconds)
        self.timeline = timeline.buckets.enumerated().map { index, bucket in
            Point(second: Double(index) * width, arrivals: bucket.arrivals,
                  goodputPerSecond: Double(bucket.counts.successes) / width,
                  failedPerSecond: Double(bucket.counts.requests - bucket.counts.successes + bucket.dropped) / width,
                  p99Milliseconds: Double(bucket.latency.percentile(99)) / 1000)
        }
    }
}

extension SurgeFigures {
    /// The impact table's rows (name, value), for the HTML report and, `brief`, the terminal summary.
    static func rows(brief: Bool) -> [(name: String, value: @Sendable (SurgeFigures) -> String)] {
        let failures: @Sendable (SurgeFigures) -> String = { figures in
            figures.failures.isEmpty ? "none" : figures.failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let all: [(name: String, brief: Bool, value: @Sendable (SurgeFigures) -> String)] = [
            ("store profile", true, { $0.profile }),
            ("checkout completion", true, { String(format: "%.1f%%", $0.checkoutCompletionPercent) }),
            ("add-to-cart completion", true, { String(format: "%.1f%%", $0.addToCartCompletionPercent) }),
            ("browse journey completion", false, { String(format: "%.1f%%", $0.browseCompletionPercent) }),
            ("checkout p99", true, { String(format: "%.0f ms", $0.checkoutP99Milliseconds) }),
            ("add-to-cart p99", false, { String(format: "%.0f ms", $0.addToCartP99Milliseconds) }),
            ("product page p99", true, { String(format: "%.0f ms", $0.productPageP99Milliseconds) }),
            ("all requests p99", false, { String(format: "%.0f ms", $0.p99Milliseconds) }),
            ("goodput", true, { String(format: "%.0f/s", $0.goodputPerSecond) }),
            ("failed or shed", true, { String(format: "%.1f%%", $0.errorPercent) }),
            ("requests", false, { "\($0.requests)" }),
            ("checkout requests", false, { "\($0.checkoutRequests)" }),
            ("failures by kind", true, failures),
        ]
        return all.filter { !brief || $0.brief }.map { ($0.name, $0.value) }
    }
}
