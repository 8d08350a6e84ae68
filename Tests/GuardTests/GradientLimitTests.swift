@testable import Guard
import Testing

@Suite struct GradientLimitTests {
    let t0 = ContinuousClock.now

    func config() -> GradientLimit.Configuration {
        var c = GradientLimit.Configuration()
        c.initialLimit = 20
        c.minimumLimit = 2
        c.maximumLimit = 200
        c.minimumWindow = .milliseconds(100)
        c.minimumSamples = 10
        return c
    }

    /// Feeds `windows` windows of `samples` samples each with the given RTT and in-flight count.
    func feed(_ limit: inout GradientLimit, from start: Int, windows: Int, rtt: Duration, inFlight: Int,
              samples: Int = 10, dropped: Bool = false) -> Int {
        var ms = start
        for _ in 0..<windows {
            for i in 0..<samples {
                ms += i == samples - 1 ? 100 : 0
                limit.record(rtt: rtt, dropped: dropped, inFlight: inFlight, now: t0 + .milliseconds(ms))
            }
            ms += 1
        }
        return ms
    }

    @Test func oneLuckyFastSampleDoesNotMoveTheBaseline() {
        var limit = GradientLimit(config())
        limit.record(rtt: .microseconds(10), dropped: false, inFlight: 20, now: t0)
        limit.record(rtt: .milliseconds(20), dropped: false, inFlight: 20, now: t0 + .milliseconds(200))
        #expect(limit.baselineSeconds == nil, "a window needs the minimum sample count, not just time")
        var ms = 300
        for _ in 0..<8 {
            ms += 10
            limit.record(rtt: .milliseconds(20), dropped: false, inFlight: 20, now: t0 + .milliseconds(ms))
        }
        let baseline = limit.baselineSeconds ?? 0
        #expect(baseline > 0.015, "the window mean (≈18 ms), not the lucky 10 µs sample")
        _ = feed(&limit, from: ms, windows: 20, rtt: .milliseconds(20), inFlight: 20)
        #expect(limit.limit >= 20, "steady latency at the baseline must not shrink the limit")
    }

    /// Windows alternate between only fast requests and a few slow ones of another kind (checkouts
    /// waiting on the payment provider): nothing is slowing down, so the limit must not be cut.
    @Test func aFewSlowRequestsOfAnotherKindDoNotCutTheLimit() {
        var limit = GradientLimit(config())
        var ms = 0
        for window in 0..<60 {
            for i in 0..<10 {
                ms += i == 9 ? 100 : 0
                let slow = window % 2 == 1 && i < 3
                limit.record(rtt: slow ? .milliseconds(100) : .milliseconds(5), dropped: false, inFlight: 10, now: t0 + .milliseconds(ms))
            }
            ms += 1
        }
        #expect(limit.limit >= 20, "limit \(limit.limit)")
    }

    @Test func limitGrowsWhileLatencyStaysAtBaselineAndTheLimitIsUsed() {
        var limit = GradientLimit(config())
        _ = feed(&limit, from: 0, windows: 30, rtt: .milliseconds(10), inFlight: 40)
        #expect(limit.limit > 20)
    }

    @Test func limitDoesNotGrowWhenTheLimitIsNotUsed() {
        var limit = GradientLimit(config())
        _ = feed(&limit, from: 0, windows: 30, rtt: .milliseconds(10), inFlight: 3)
        #expect(limit.limit == 20)
    }

    @Test func limitShrinksWhenLatencyRisesBeyondTolerance() {
        var limit = GradientLimit(config())
        var ms = feed(&limit, from: 0, windows: 10, rtt: .milliseconds(10), inFlight: 20)
        let before = limit.limit
        ms = feed(&limit, from: ms, windows: 10, rtt: .milliseconds(50), inFlight: 20)
        #expect(limit.limit < before)
        _ = ms
    }

    @Test func modestSustainedQueueingDoesNotCreepTheLimitUp() {
        var limit = GradientLimit(config())
        var ms = feed(&limit, from: 0, windows: 10, rtt: .milliseconds(10), inFlight: 20)
        let before = limit.limit
        // 30% slower for a long time: inside the tolerance band, with a full limit.
        ms = feed(&limit, from: ms, windows: 300, rtt: .milliseconds(13), inFlight: 40)
        #expect(limit.limit <= before, "queueing inside the tolerance must hold, never grow, the limit")
        #expect((limit.baselineSeconds ?? 1) < 0.0125, "the baseline follows latency up only slowly")
    }

    @Test func droppedRequestsCutTheLimitMultiplicatively() {
        var limit = GradientLimit(config())
        limit.record(rtt: .seconds(2), dropped: true, inFlight: 20, now: t0)
        #expect(limit.limit == 20, "the window is still open")
        limit.record(rtt: .seconds(2), dropped: true, inFlight: 20, now: t0 + .milliseconds(100))
        #expect(limit.limit == 18)
    }

    @Test func limitStaysWithinItsBounds() {
        var limit = GradientLimit(config())
        var ms = feed(&limit, from: 0, windows: 2, rtt: .milliseconds(10), inFlight: 20)
        ms = feed(&limit, from: ms, windows: 200, rtt: .seconds(5), inFlight: 20)
        #expect(limit.limit == 2)
        var fast = GradientLimit(config())
        _ = feed(&fast, from: 0, windows: 2000, rtt: .milliseconds(10), inFlight: 1000)
        #expect(fast.limit == 200)
    }
}

/// A database outage must not leave the limit at its floor once the database is back (issue 17: the
/// limit stayed at 4 for minutes after a 5 s restart, and 60–75% of pages were refused).
@Suite struct GradientLimitOutageTests {
    let t0 = ContinuousClock.now

    func steady(_ limit: inout GradientLimit, from start: Int, windows: Int, rtt: Duration, inFlight: Int) -> Int {
        var ms = start
        for _ in 0..<windows {
            for i in 0..<10 {
                ms += i == 9 ? 100 : 0
                limit.record(rtt: rtt, dropped: false, inFlight: inFlight, now: t0 + .milliseconds(ms))
            }
            ms += 1
        }
        return ms
    }

    /// What happened before the fix: fast failures while the database is down read as the store's
    /// new normal latency, and real pages afterwards look slow enough to pin the limit to its floor.
    @Test func fastFailuresFedAsSamplesPinTheLimitToItsFloor() {
        var limit = GradientLimit()
        var ms = steady(&limit, from: 0, windows: 100, rtt: .milliseconds(4), inFlight: 40)
        let before = limit.limit
        #expect(before > 30)
        ms = steady(&limit, from: ms, windows: 50, rtt: .microseconds(50), inFlight: 40)   // 5 s of fast 503s
        _ = steady(&limit, from: ms, windows: 200, rtt: .milliseconds(4), inFlight: 40)    // 20 s back to normal
        #expect(limit.limit <= limit.configuration.minimumLimit + 1, "limit \(limit.limit): the failure mode this guards against")
    }

    @Test func anOutageRestoresTheLimitFromBeforeItAndIgnoresSamplesUntilTheGraceEnds() {
        var limit = GradientLimit()
        var ms = steady(&limit, from: 0, windows: 100, rtt: .milliseconds(4), inFlight: 40)
        let before = limit.limit
        let baseline = limit.baselineSeconds ?? 0
        #expect(before > 30)
        // The outage: statements time out first (dropped windows cut the limit), then it is noticed.
        for _ in 0..<8 {
            ms += 101
            limit.record(rtt: .seconds(2), dropped: true, inFlight: 40, now: t0 + .milliseconds(ms))
        }
        #expect(limit.limit < before)
        limit.databaseUnavailable(now: t0 + .milliseconds(ms))
        #expect(limit.limit >= before, "back to the state from before the timeouts: \(limit.limit) vs \(before)")
        // While down and reconnecting, nothing is learnt, however fast or slow.
        for i in 0..<5_000 {
            limit.record(rtt: i % 2 == 0 ? .microseconds(20) : .seconds(1), dropped: i % 7 == 0, inFlight: 40,
                         now: t0 + .milliseconds(ms + i % 2_900))
        }
        #expect(limit.limit >= before)
        #expect(limit.baselineSeconds == baseline)
        // Back to normal after the grace: the limit holds and learning resumes.
        ms += 3_000
        _ = steady(&limit, from: ms, windows: 50, rtt: .milliseconds(4), inFlight: 40)
        #expect(limit.limit >= before)
        #expect(limit.pausedUntil == nil)
    }

    @Test func everyOutageSignalExtendsThePause() {
        var limit = GradientLimit()
        let ms = steady(&limit, from: 0, windows: 30, rtt: .milliseconds(4), inFlight: 40)
        limit.databaseUnavailable(now: t0 + .milliseconds(ms))
        limit.databaseUnavailable(now: t0 + .milliseconds(ms + 2_500))
        #expect(limit.pausedUntil == t0 + .milliseconds(ms + 5_500))
    }
}
