import Foundation
import Reports

/// The end-of-run summary printed to the terminal.
public enum TextSummary {
    public static func render(_ result: RunResult) -> String {
        var lines: [String] = []
        var table = TextTable(headers: ["phase", "executor", "arrivals", "rate/s", "ok", "errors", "shed", "dropped",
                                        "p50", "p90", "p99", "p99.9", "max", "p99 send", "lag p99"])
        for phase in result.phases {
            table.append([
                phase.name, phase.executor, String(phase.arrivals), String(format: "%.1f", phase.achievedRatePerSecond),
                String(phase.counts.successes), String(phase.counts.errorCount), String(phase.counts.shed),
                String(phase.dropped),
                Format.micros(phase.latency.percentile(50)), Format.micros(phase.latency.percentile(90)),
                Format.micros(phase.latency.percentile(99)), Format.micros(phase.latency.percentile(99.9)),
                Format.micros(phase.latency.maxMicroseconds), Format.micros(phase.serviceTime.percentile(99)),
                Format.micros(phase.scheduleLag.percentile(99)),
            ])
        }
        lines.append(table.render())
        if let journeys = journeyTable(result) {
            lines.append("")
            lines.append(journeys)
        }
        let multiStep = result.phases.contains { $0.journeys.contains { $0.steps.count > 1 } || $0.journeys.count > 1 }
        if multiStep {
            var steps = TextTable(headers: ["phase", "journey", "step", "requests", "ok", "errors", "shed", "p50", "p99"])
            for phase in result.phases {
                for journey in phase.journeys {
                    for step in journey.steps {
                        steps.append([phase.name, journey.name, step.name, String(step.counts.requests), String(step.counts.successes),
                                      String(step.counts.errorCount), String(step.counts.shed),
                                      Format.micros(step.latency.percentile(50)), Format.micros(step.latency.percentile(99))])
                    }
                }
            }
            lines.append("")
            lines.append(steps.render())
        }
        let examples = result.phases.flatMap { phase in phase.examples.byClass.sorted { $0.key < $1.key }.map { "  \(phase.name) \($0.key): \($0.value)" } }
        if !examples.isEmpty {
            lines.append("")
            lines.append("first errors:")
            lines += examples
        }
        lines.append("")
        lines.append(String(format: "generator: %.2f CPU-s over %.1f s on %d event loop(s), %.0f requests per CPU-second",
                            result.generator.cpuSeconds, result.generator.wallSeconds, result.generator.eventLoops,
                            result.generator.cpuSeconds > 0 ? Double(result.totalRequests) / result.generator.cpuSeconds : 0))
        if let memory = result.generator.memory {
            lines.append(memoryLine(memory))
        }
        if let verdict = result.verdict {
            for outcome in verdict.outcomes {
                lines.append("\(outcome.passed ? "✓" : "✗") \(outcome.threshold): \(outcome.observed) (\(outcome.detail))")
            }
            lines.append(verdict.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// What users got: per journey kind (all phases together), the share of started journeys that
    /// finished every step, beside their duration. Server counters can read 100% ok while most buyers
    /// never reach the checkout, because the cart steps before it were refused.
    static func journeyTable(_ result: RunResult) -> String? {
        let rows = journeyCompletionRows(result)
        guard !rows.isEmpty else { return nil }
        var table = TextTable(headers: journeyCompletionHeaders)
        for row in rows { table.append(row) }
        return "journey completion (of the journeys started, how many finished every step):\n" + table.render()
    }

    static let journeyCompletionHeaders = ["journey", "started", "completed", "completion", "failed", "p50", "p99"]

    /// One row per journey kind that started at least once, in the order the plan declares them.
    static func journeyCompletionRows(_ result: RunResult) -> [[String]] {
        var byName: [String: JourneyResult] = [:]
        var order: [String] = []
        for phase in result.phases {
            for journey in phase.journeys {
                if byName[journey.name] == nil {
                    order.append(journey.name)
                    byName[journey.name] = journey
                } else {
                    byName[journey.name]?.merge(journey)
                }
            }
        }
        return order.compactMap { byName[$0] }.filter { $0.started > 0 }.map { journey in
            [journey.name, String(journey.started), String(journey.succeeded), String(format: "%.1f%%", journey.completionPercent),
             String(journey.failed), Format.micros(journey.duration.percentile(50)), Format.micros(journey.duration.percentile(99))]
        }
    }

    /// The generator's RSS: at the end, the peak, and the growth after the first minute (runs over a minute).
    public static func memoryLine(_ memory: MemoryTrace) -> String {
        func mib(_ bytes: UInt64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var line = "generator memory: RSS \(mib(memory.endBytes)) at the end, peak \(mib(memory.peakBytes))"
        if let growth = memory.growthPercent(afterSeconds: 60), let minute = memory.bytes(atSeconds: 60) {
            line += String(format: "; %@ at 1 min, growth after the first minute %+.1f%%", mib(minute), growth)
        }
        return line
    }

    /// One progress line.
    public static func progressLine(_ snapshot: LiveSnapshot, elapsedSeconds: Double, totalSeconds: Double) -> String {
        String(format: "%5.0fs/%.0fs %@ arrivals %d  ok %d  err %d  shed %d  dropped %d  in-flight %d  p99(1s) %@",
               elapsedSeconds, totalSeconds, snapshot.phase.isEmpty ? "" : "[\(snapshot.phase)]", snapshot.arrivals, snapshot.successes,
               snapshot.errors, snapshot.shed, snapshot.dropped, snapshot.inFlight, Format.micros(snapshot.recentP99Micros))
    }
}
