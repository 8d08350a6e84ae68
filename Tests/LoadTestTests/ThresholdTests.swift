@testable import LoadTest
import Testing

@Suite struct ThresholdTests {
    @Test(arguments: [
        ("p99<300ms", 300_000.0, nil as Int?),
        ("p99 < 300ms every 10s", 300_000.0, 10),
        ("p99.9 <= 1.5s in every 5s window", 1_500_000.0, 5),
        ("errors<1%", 0.01, nil),
        ("goodput >= 50/s", 50.0, nil),
        ("step:buy/pay goodput>=5/s", 5.0, nil),
    ])
    func parsesExpressions(_ input: (String, Double, Int?)) throws {
        let threshold = try Threshold(parsing: input.0)
        #expect(abs(threshold.value - input.1) < 1e-9)
        #expect(threshold.windowSeconds == input.2)
    }

    @Test(arguments: ["p99 < 300", "latency < 3ms", "errors < 1", "p99 ~ 3ms", "p99 < 3ms every", "team:x p99 < 1s", "step:x p99 < 1s"])
    func rejectsBadExpressionsWithAnExample(_ text: String) {
        do {
            _ = try Threshold(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains("example:"))
        }
    }

    /// A 30 s phase, 100 requests a second at 10 ms, except seconds 10-14 at 900 ms.
    static func result(dropped: Int = 0, errorsPerSecond: Int = 0) -> RunResult {
        var phase = PhaseResult(name: "main", executor: "constant-arrival-rate", startOffsetSeconds: 0, durationSeconds: 30,
                                intendedArrivals: 3000, journeys: [])
        for second in 0..<30 {
            let index = phase.timeline.index(offsetNanos: Int64(second) * 1_000_000_000)
            for request in 0..<100 {
                let micros: UInt64 = (10..<15).contains(second) ? 900_000 : 10_000
                phase.latency.record(microseconds: micros)
                phase.timeline.buckets[index].latency.record(microseconds: micros)
                phase.counts.requests += 1
                phase.timeline.buckets[index].counts.requests += 1
                if request < errorsPerSecond {
                    phase.counts.errors[.status, default: 0] += 1
                    phase.timeline.buckets[index].counts.errors[.status, default: 0] += 1
                } else {
                    phase.counts.successes += 1
                    phase.timeline.buckets[index].counts.successes += 1
                }
            }
            phase.arrivals += 100
        }
        phase.dropped = dropped
        phase.arrivals += dropped
        return RunResult(target: "t", startedAt: "", segments: ["1/1"], generator: GeneratorStats(cpuSeconds: 1, wallSeconds: 30, eventLoops: 2),
                         phases: [phase], thresholds: [], maxScheduleLagMicroseconds: 20_000)
    }

    @Test func slidingWindowCatchesAStallTheWholeRunHides() throws {
        let result = Self.result()
        // Whole run: 5 of 30 seconds are slow (16.7%), so p99 is 900 ms but p80 is 10 ms.
        let whole = VerdictEvaluator.evaluate(result, thresholds: [try Threshold(parsing: "p80 < 300ms")])
        #expect(whole.exitCode == Verdict.passExitCode)
        let windowed = VerdictEvaluator.evaluate(result, thresholds: [try Threshold(parsing: "p80 < 300ms every 10s")])
        #expect(windowed.exitCode == Verdict.sloFailedExitCode)
        #expect(windowed.outcomes[0].detail.contains("starts at"))
    }

    @Test func errorRateAndGoodputThresholds() throws {
        let result = Self.result(errorsPerSecond: 2)
        let verdict = VerdictEvaluator.evaluate(result, thresholds: [
            try Threshold(parsing: "errors < 1%"), try Threshold(parsing: "errors < 3%"),
            try Threshold(parsing: "goodput >= 98/s"), try Threshold(parsing: "goodput >= 99/s"),
        ])
        #expect(verdict.outcomes.map(\.passed) == [false, true, true, false])
        #expect(verdict.exitCode == Verdict.sloFailedExitCode)
    }

    @Test func dropsMeanTheGeneratorWasTheBottleneck() throws {
        let verdict = VerdictEvaluator.evaluate(Self.result(dropped: 5), thresholds: [try Threshold(parsing: "p99 < 1ms")])
        #expect(verdict.exitCode == Verdict.generatorLimitedExitCode)
        #expect(verdict.generatorLimits.first?.contains("5 arrivals dropped") == true)
    }

    @Test func scheduleLagAboveTheBoundMeansTheGeneratorWasTheBottleneck() {
        var result = Self.result()
        for _ in 0..<100 { result.phases[0].scheduleLag.record(microseconds: 50_000) }
        #expect(VerdictEvaluator.evaluate(result, thresholds: []).exitCode == Verdict.generatorLimitedExitCode)
        result.maxScheduleLagMicroseconds = 100_000
        #expect(VerdictEvaluator.evaluate(result, thresholds: []).exitCode == Verdict.passExitCode)
    }

    @Test func lateScheduleOnAnIdleGeneratorBlamesTheOSNotTheServer() {
        var result = Self.result()
        for _ in 0..<100 { result.phases[0].scheduleLag.record(microseconds: 50_000) }
        result.generator = GeneratorStats(cpuSeconds: 15, wallSeconds: 30, eventLoops: 1)
        let idle = VerdictEvaluator.evaluate(result, thresholds: [])
        #expect(idle.exitCode == Verdict.generatorLimitedExitCode)
        #expect(idle.generatorLimits.first?.contains("50% busy: the OS ran them late") == true)
        result.generator = GeneratorStats(cpuSeconds: 27, wallSeconds: 30, eventLoops: 1)
        let busy = VerdictEvaluator.evaluate(result, thresholds: [])
        #expect(busy.exitCode == Verdict.generatorLimitedExitCode)
        #expect(busy.generatorLimits.first?.contains("the OS ran them late") == false)
    }

    @Test func saturatedGeneratorCPUIsReported() {
        var result = Self.result()
        result.generator = GeneratorStats(cpuSeconds: 59, wallSeconds: 30, eventLoops: 2)
        let verdict = VerdictEvaluator.evaluate(result, thresholds: [])
        #expect(verdict.exitCode == Verdict.generatorLimitedExitCode)
        #expect(verdict.summary.contains("CPU saturated"))
    }

    @Test func capacitySearchBracketsTheHighestPassingRate() {
        var search = CapacitySearch(startRate: 100, maxRate: 100_000)
        // A server that meets the SLO up to 1234/s.
        while let rate = search.next() {
            search.record(.init(ratePerSecond: rate, passed: rate <= 1234, p99Micros: rate <= 1000 ? 5000 : 400_000, errorRate: 0))
        }
        let best = search.highestPassing?.ratePerSecond ?? 0
        #expect(best <= 1234)
        #expect(best >= 1234 * 0.95)
        #expect(search.points.count <= 12)
        #expect(search.knee.map { $0.ratePerSecond > 1000 } == true)
    }
}
