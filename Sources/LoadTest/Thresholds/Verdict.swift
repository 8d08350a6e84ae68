import Foundation

/// The outcome of one threshold.
public struct ThresholdOutcome: Codable, Sendable, Equatable {
    public var threshold: String
    public var passed: Bool
    /// The measured value (worst window for windowed thresholds), in the threshold's unit.
    public var observed: String
    public var detail: String
}

/// The run's verdict and its exit code: 0 pass, 1 an SLO failed, 3 the generator was the bottleneck.
public struct Verdict: Codable, Sendable, Equatable {
    public static let passExitCode: Int32 = 0
    public static let sloFailedExitCode: Int32 = 1
    public static let badInputExitCode: Int32 = 2
    public static let generatorLimitedExitCode: Int32 = 3

    public var exitCode: Int32
    public var outcomes: [ThresholdOutcome]
    /// Why the generator, not the server, limited the run (empty when it did not).
    public var generatorLimits: [String]
    public var summary: String
}

/// Evaluates thresholds and generator health against a result.
public enum VerdictEvaluator {
    /// CPU seconds per wall second per event loop at or above which the generator counts as saturated.
    public static let saturatedCPU = 0.95
    /// Below this CPU share a late schedule is the OS's doing (preemption), not the generator's own work.
    public static let mostlyIdleCPU = 0.75

    public static func evaluate(_ result: RunResult, thresholds: [Threshold]) -> Verdict {
        let outcomes = thresholds.map { evaluate($0, on: result) }
        var limits: [String] = []
        let lag = result.phases.reduce(into: LatencyHistogram()) { $0.merge($1.scheduleLag) }
        let lagP99 = lag.percentile(99)
        if lagP99 > result.maxScheduleLagMicroseconds {
            var limit = "schedule lag p99 \(Format.micros(lagP99)) > bound \(Format.micros(result.maxScheduleLagMicroseconds))"
            let busy = result.generator.cpuSaturation
            if busy < mostlyIdleCPU {
                // Arrivals are timed on each loop's own timer (timerfd, nanoseconds); a loop this idle that still
                // starts late was not given the CPU in time: the machine, not the generator's work, made it late.
                limit += String(format: " with its event loops %.0f%% busy: the OS ran them late (a shared core); "
                                + "give the generator an idle core (taskset) or real-time priority (chrt -f 10)", busy * 100)
            }
            limits.append(limit)
        }
        let dropped = result.phases.reduce(0) { $0 + $1.dropped }
        if dropped > 0 { limits.append("\(dropped) arrivals dropped at the in-flight cap") }
        if result.generator.cpuSaturation >= saturatedCPU {
            limits.append(String(format: "generator CPU saturated (%.0f%% of %d event loops)", result.generator.cpuSaturation * 100, result.generator.eventLoops))
        }
        let failed = outcomes.filter { !$0.passed }
        let exitCode: Int32
        let summary: String
        if !limits.isEmpty {
            exitCode = Verdict.generatorLimitedExitCode
            summary = "GENERATOR LIMITED: " + limits.joined(separator: "; ")
        } else if !failed.isEmpty {
            exitCode = Verdict.sloFailedExitCode
            summary = "FAIL: " + failed.map { "\($0.threshold) (observed \($0.observed))" }.joined(separator: "; ")
        } else {
            exitCode = Verdict.passExitCode
            summary = thresholds.isEmpty ? "PASS (no thresholds)" : "PASS: \(thresholds.count) threshold(s) met"
        }
        return Verdict(exitCode: exitCode, outcomes: outcomes, generatorLimits: limits, summary: summary)
    }

    /// What a scope selects: a latency histogram, success and attempt counts, per timeline if any.
    struct Selection {
        var latency = LatencyHistogram()
        var successes = 0
        var attempts = 0
        var seconds = 0.0
        var timelines: [Timeline] = []
        var matched = false
    }

    static func select(_ scope: Threshold.Scope, in result: RunResult) -> Selection {
        var selection = Selection()
        for phase in result.phases {
            switch scope {
            case .run, .phase:
                if case .phase(let name) = scope, name != phase.name { continue }
                selection.matched = true
                selection.latency.merge(phase.latency)
                selection.successes += phase.counts.successes
                selection.attempts += phase.attempts
                selection.seconds += phase.durationSeconds
                selection.timelines.append(phase.timeline)
            case .journey(let name):
                for journey in phase.journeys where journey.name == name {
                    selection.matched = true
                    selection.latency.merge(journey.duration)
                    selection.successes += journey.succeeded
                    selection.attempts += journey.started
                    selection.seconds += phase.durationSeconds
                }
            case .step(let journeyName, let stepName):
                for journey in phase.journeys where journey.name == journeyName {
                    for step in journey.steps where step.name == stepName {
                        selection.matched = true
                        selection.latency.merge(step.latency)
                        selection.successes += step.counts.successes
                        selection.attempts += step.counts.requests
                        selection.seconds += phase.durationSeconds
                    }
                }
            }
        }
        return selection
    }

    static func evaluate(_ threshold: Threshold, on result: RunResult) -> ThresholdOutcome {
        let selection = select(threshold.scope, in: result)
        guard selection.matched else {
            return ThresholdOutcome(threshold: threshold.description, passed: false, observed: "n/a", detail: "nothing in the run matches this scope")
        }
        if let window = threshold.windowSeconds, !selection.timelines.isEmpty {
            var worst: Double?
            var worstAt = 0
            for timeline in selection.timelines {
                for (start, value) in windowValues(timeline, windowSeconds: window, metric: threshold.metric) {
                    if let current = worst, !isWorse(value, than: current, for: threshold.comparison) { continue }
                    worst = value
                    worstAt = start
                }
            }
            guard let worst else {
                return ThresholdOutcome(threshold: threshold.description, passed: true, observed: "n/a", detail: "no complete window")
            }
            return ThresholdOutcome(threshold: threshold.description, passed: threshold.comparison.holds(worst, threshold.value),
                                    observed: format(worst, threshold.metric), detail: "worst \(window)s window starts at \(worstAt)s")
        }
        let value: Double
        switch threshold.metric {
        case .percentile(let percentile): value = Double(selection.latency.percentile(percentile))
        case .errorRate: value = selection.attempts == 0 ? 0 : Double(selection.attempts - selection.successes) / Double(selection.attempts)
        case .goodput: value = selection.seconds > 0 ? Double(selection.successes) / selection.seconds : 0
        }
        return ThresholdOutcome(threshold: threshold.description, passed: threshold.comparison.holds(value, threshold.value),
                                observed: format(value, threshold.metric), detail: "whole run")
    }

    /// For `<` thresholds a larger value is worse; for `>` a smaller one.
    static func isWorse(_ value: Double, than current: Double, for comparison: Threshold.Comparison) -> Bool {
        switch comparison {
        case .less, .lessOrEqual: value > current
        case .greater, .greaterOrEqual: value < current
        }
    }

    /// The metric over each window of `windowSeconds` (sliding by one bucket), with its start second.
    static func windowValues(_ timeline: Timeline, windowSeconds: Int, metric: Threshold.Metric) -> [(Int, Double)] {
        let width = max(1, Int((Double(windowSeconds) / Double(timeline.bucketSeconds)).rounded(.up)))
        guard timeline.buckets.count >= width else {
            return timeline.buckets.isEmpty ? [] : [(0, value(of: timeline.buckets[...], metric: metric, seconds: Double(timeline.buckets.count * timeline.bucketSeconds)))]
        }
        var out: [(Int, Double)] = []
        for start in 0...(timeline.buckets.count - width) {
            let window = timeline.buckets[start..<(start + width)]
            out.append((start * timeline.bucketSeconds, value(of: window, metric: metric, seconds: Double(width * timeline.bucketSeconds))))
        }
        return out
    }

    static func value(of buckets: ArraySlice<Timeline.Bucket>, metric: Threshold.Metric, seconds: Double) -> Double {
        var merged = Timeline.Bucket()
        for bucket in buckets { merged.merge(bucket) }
        switch metric {
        case .percentile(let percentile): return Double(merged.latency.percentile(percentile))
        case .errorRate:
            let attempts = merged.counts.requests + merged.dropped
            return attempts == 0 ? 0 : Double(attempts - merged.counts.successes) / Double(attempts)
        case .goodput: return Double(merged.counts.successes) / seconds
        }
    }

    static func format(_ value: Double, _ metric: Threshold.Metric) -> String {
        switch metric {
        case .percentile: Format.micros(UInt64(value))
        case .errorRate: String(format: "%.2f%%", value * 100)
        case .goodput: String(format: "%.1f/s", value)
        }
    }
}

/// Human formatting of measured values.
public enum Format {
    public static func micros(_ micros: UInt64) -> String {
        if micros >= 10_000_000 { return String(format: "%.1fs", Double(micros) / 1e6) }
        if micros >= 1000 { return String(format: "%.1fms", Double(micros) / 1000) }
        return "\(micros)µs"
    }
}
