import LoadTest
import Testing

@Suite struct ScheduleTests {
    static func all(_ schedule: ArrivalSchedule) -> [Arrival] {
        var schedule = schedule
        var out: [Arrival] = []
        while let arrival = schedule.next() { out.append(arrival) }
        return out
    }

    @Test func constantRateIntendedTimesAreEvenlySpaced() {
        let arrivals = Self.all(ArrivalSchedule(profile: .constant(ratePerSecond: 100, durationNanos: 2_000_000_000)))
        #expect(arrivals.count == 200)
        for (index, arrival) in arrivals.enumerated() {
            #expect(arrival.index == index)
            #expect(abs(arrival.offsetNanos - Int64(index) * 10_000_000) <= 1)
        }
    }

    @Test func linearRampFollowsTheIntegralOfTheRate() {
        // 0 -> 100/s over 10 s: 500 arrivals; arrival k at t = sqrt(2k / 10).
        let profile = RateProfile(startRate: 0, stages: [.init(durationNanos: 10_000_000_000, targetRate: 100)])
        let arrivals = Self.all(ArrivalSchedule(profile: profile))
        #expect(arrivals.count == 500)
        for k in [1, 10, 100, 250, 499] {
            let expected = (2.0 * Double(k) / 10).squareRoot()
            #expect(abs(Double(arrivals[k].offsetNanos) / 1e9 - expected) < 1e-6)
        }
        // Half the arrivals come in the last 30% of the time: the rate grows.
        #expect(arrivals.filter { $0.offsetNanos >= 7_071_067_000 }.count == 250)
    }

    @Test func spikeRampsToTenTimesTheBaseRate() {
        let profile = RateProfile.spike(baseRate: 10, multiplier: 10, beforeNanos: 10_000_000_000, rampNanos: 10_000_000_000,
                                        holdNanos: 10_000_000_000, afterNanos: 10_000_000_000)
        let arrivals = Self.all(ArrivalSchedule(profile: profile))
        let before = arrivals.filter { $0.offsetNanos < 10_000_000_000 }.count
        let hold = arrivals.filter { $0.offsetNanos >= 20_000_000_000 && $0.offsetNanos < 30_000_000_000 }.count
        #expect(before == 100)
        #expect(hold == 1000)
        #expect(Double(arrivals.count) == profile.expectedArrivals.rounded(.up))
    }

    @Test func burstsAddTheirArrivalsWithinTheirWindowOnTheBackgroundRate() {
        // 10/s in the background; three bursts of 1,000 within 1 s, 10 s apart; 5 s before, 10 s after.
        let profile = RateProfile.bursts(baseRate: 10, size: 1_000, withinNanos: 1_000_000_000, everyNanos: 10_000_000_000,
                                         count: 3, beforeNanos: 5_000_000_000, afterNanos: 10_000_000_000)
        let arrivals = Self.all(ArrivalSchedule(profile: profile))
        func count(_ from: Double, _ to: Double) -> Int {
            arrivals.filter { Double($0.offsetNanos) >= from * 1e9 && Double($0.offsetNanos) < to * 1e9 }.count
        }
        #expect(profile.durationNanos == 5_000_000_000 + 21_000_000_000 + 10_000_000_000)
        #expect(count(0, 5) == 50)
        for start in [5.0, 15, 25] {
            #expect(abs(count(start, start + 1) - 1_010) <= 1, "burst at \(start) s: \(count(start, start + 1))")
            #expect(abs(count(start + 1, start + 10) - 90) <= 1)
        }
        #expect(abs(arrivals.count - 3_360) <= 2)   // 50 + 3 × 1,010 + 2 × 90 + 100
    }

    @Test func aBurstWithinZeroArrivesInOneMillisecond() {
        let profile = RateProfile.bursts(baseRate: 0, size: 500, withinNanos: 0, everyNanos: 0, count: 1, beforeNanos: 0, afterNanos: 0)
        let arrivals = Self.all(ArrivalSchedule(profile: profile))
        #expect(arrivals.count == 500)
        #expect(arrivals.allSatisfy { $0.offsetNanos < 1_000_000 })
    }

    @Test func poissonArrivalsHaveTheMeanRateAndReplayFromTheSeed() {
        let profile = RateProfile.constant(ratePerSecond: 1000, durationNanos: 60_000_000_000)
        let first = Self.all(ArrivalSchedule(profile: profile, poissonSeed: 42))
        let again = Self.all(ArrivalSchedule(profile: profile, poissonSeed: 42))
        #expect(first == again)
        // 60 000 expected; the standard deviation of a Poisson count is sqrt(60 000) ≈ 245.
        #expect(abs(first.count - 60_000) < 1000)
        let gaps = zip(first.dropFirst(), first).map { Double($0.offsetNanos - $1.offsetNanos) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean - 1_000_000) / 1_000_000 < 0.02)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        // Exponential gaps: standard deviation equals the mean (evenly spaced gaps would give 0).
        #expect(abs(variance.squareRoot() / mean - 1) < 0.05)
    }

    @Test func segmentSlicesPartitionTheWholeSchedule() {
        let profile = RateProfile.constant(ratePerSecond: 333, durationNanos: 3_000_000_000)
        let whole = Self.all(ArrivalSchedule(profile: profile, poissonSeed: 9))
        var union: [Arrival] = []
        for segment in 0..<2 {
            for worker in 0..<3 {
                union += Self.all(ArrivalSchedule(profile: profile, poissonSeed: 9,
                                                  slice: ArrivalSlice(segmentIndex: segment, segmentCount: 2, worker: worker, workers: 3)))
            }
        }
        #expect(union.sorted { $0.index < $1.index } == whole)
    }

    @Test func dispatcherStartsWaitsAndDropsAtTheCap() {
        var dispatcher = ArrivalDispatcher(schedule: ArrivalSchedule(profile: .constant(ratePerSecond: 10, durationNanos: 1_000_000_000)),
                                           maxInFlight: 2)
        #expect(dispatcher.next(nowNanos: 0, inFlight: 0) == .start(Arrival(index: 0, offsetNanos: 0), lagNanos: 0))
        #expect(dispatcher.next(nowNanos: 50_000_000, inFlight: 1) == .wait(untilNanos: 100_000_000))
        // The clock jumps 150 ms: arrival 1 starts late, and its lag says by how much.
        #expect(dispatcher.next(nowNanos: 250_000_000, inFlight: 1) == .start(Arrival(index: 1, offsetNanos: 100_000_000), lagNanos: 150_000_000))
        #expect(dispatcher.next(nowNanos: 250_000_000, inFlight: 2) == .drop(Arrival(index: 2, offsetNanos: 200_000_000), lagNanos: 50_000_000))
        #expect(dispatcher.next(nowNanos: 250_000_000, inFlight: 2) == .wait(untilNanos: 300_000_000))
        var remaining = 0
        while case .start = dispatcher.next(nowNanos: 2_000_000_000, inFlight: 0) { remaining += 1 }
        #expect(remaining == 7)
        #expect(dispatcher.next(nowNanos: 2_000_000_000, inFlight: 0) == .finished)
    }

    @Test func dispatcherStopsAtTheRequestBound() {
        var dispatcher = ArrivalDispatcher(schedule: ArrivalSchedule(profile: .constant(ratePerSecond: 1000, durationNanos: 10_000_000_000)),
                                           maxInFlight: 100, maxArrivals: 5)
        var started = 0
        while case .start = dispatcher.next(nowNanos: 20_000_000_000, inFlight: 0) { started += 1 }
        #expect(started == 5)
    }
}
