/// Counts and latency of one step of a journey.
public struct StepResult: Codable, Sendable, Equatable {
    public var name: String
    public var method: String
    public var counts = Counts()
    /// From the intended start of the step (includes queueing in the generator and the pool).
    public var latency = LatencyHistogram()
    /// From the moment the request was written to the connection.
    public var serviceTime = LatencyHistogram()

    public mutating func merge(_ other: StepResult) {
        counts.merge(other.counts)
        latency.merge(other.latency)
        serviceTime.merge(other.serviceTime)
    }
}

/// Counts and duration of one journey.
public struct JourneyResult: Codable, Sendable, Equatable {
    public var name: String
    public var started = 0
    public var succeeded = 0
    public var failed = 0
    /// Journey duration from its intended start to its last response (successful journeys).
    public var duration = LatencyHistogram()
    public var steps: [StepResult]

    /// Journeys that finished every step, in percent of those started (100 when none started).
    public var completionPercent: Double { started == 0 ? 100 : Double(succeeded) * 100 / Double(started) }

    public mutating func merge(_ other: JourneyResult) {
        started += other.started
        succeeded += other.succeeded
        failed += other.failed
        duration.merge(other.duration)
        for index in steps.indices where index < other.steps.count { steps[index].merge(other.steps[index]) }
    }
}

/// Everything measured in one phase (one scenario of the file).
public struct PhaseResult: Codable, Sendable, Equatable {
    public var name: String
    public var executor: String
    public var startOffsetSeconds: Double
    public var durationSeconds: Double
    /// Arrivals the profile intends over the whole phase (all segments).
    public var intendedArrivals: Double
    public var arrivals = 0
    public var dropped = 0
    /// All requests of all steps.
    public var counts = Counts()
    /// Request latency from the intended start.
    public var latency = LatencyHistogram()
    /// Request latency from the actual send.
    public var serviceTime = LatencyHistogram()
    /// How late arrivals started compared with their intended start.
    public var scheduleLag = LatencyHistogram()
    public var journeys: [JourneyResult]
    public var timeline = Timeline()
    public var examples = ErrorExamples()

    /// Requests plus dropped arrivals: the denominator of the error rate.
    public var attempts: Int { counts.requests + dropped }

    /// Failed share of attempts (errors, shed and drops), 0...1.
    public var errorRate: Double {
        attempts == 0 ? 0 : Double(attempts - counts.successes) / Double(attempts)
    }

    public var achievedRatePerSecond: Double { durationSeconds > 0 ? Double(arrivals) / durationSeconds : 0 }
    public var goodputPerSecond: Double { durationSeconds > 0 ? Double(counts.successes) / durationSeconds : 0 }

    public mutating func merge(_ other: PhaseResult) {
        arrivals += other.arrivals
        dropped += other.dropped
        counts.merge(other.counts)
        latency.merge(other.latency)
        serviceTime.merge(other.serviceTime)
        scheduleLag.merge(other.scheduleLag)
        for index in journeys.indices where index < other.journeys.count { journeys[index].merge(other.journeys[index]) }
        timeline.merge(other.timeline)
        examples.merge(other.examples)
    }
}

/// What the generator itself used: the evidence for "the tool was the bottleneck".
public struct GeneratorStats: Codable, Sendable, Equatable {
    public var cpuSeconds: Double
    public var wallSeconds: Double
    public var eventLoops: Int
    /// The generator process's resident memory over the run (nil in results written before it existed).
    public var memory: MemoryTrace? = nil
    /// CPU seconds per wall second per event loop (1 = every loop's core fully busy).
    public var cpuSaturation: Double { wallSeconds > 0 && eventLoops > 0 ? cpuSeconds / wallSeconds / Double(eventLoops) : 0 }

    public mutating func merge(_ other: GeneratorStats) {
        cpuSeconds += other.cpuSeconds
        wallSeconds = max(wallSeconds, other.wallSeconds)
        eventLoops += other.eventLoops
        // Each machine has its own memory: keep the trace of the one that used the most.
        if let theirs = other.memory, (memory?.peakBytes ?? 0) < theirs.peakBytes { memory = theirs }
    }
}

/// The versioned JSON summary of a run (or of several merged segments).
public struct RunResult: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version = RunResult.currentVersion
    public var target: String
    /// ISO 8601 time the run started.
    public var startedAt: String
    /// `i/n` for one segment; the merged segment list for a merged result.
    public var segments: [String]
    public var generator: GeneratorStats
    public var phases: [PhaseResult]
    /// Threshold expressions, kept so a merge can evaluate them again.
    public var thresholds: [String]
    public var maxScheduleLagMicroseconds: UInt64
    public var verdict: Verdict?

    public init(target: String, startedAt: String, segments: [String], generator: GeneratorStats,
                phases: [PhaseResult], thresholds: [String], maxScheduleLagMicroseconds: UInt64) {
        self.target = target
        self.startedAt = startedAt
        self.segments = segments
        self.generator = generator
        self.phases = phases
        self.thresholds = thresholds
        self.maxScheduleLagMicroseconds = maxScheduleLagMicroseconds
    }

    public var totalArrivals: Int { phases.reduce(0) { $0 + $1.arrivals } }
    public var totalRequests: Int { phases.reduce(0) { $0 + $1.counts.requests } }
}
