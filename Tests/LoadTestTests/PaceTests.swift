import LoadTest
import Testing

/// Duty-cycled closed-loop users (`PhasePlan.Pace`): when a user whose journey just ended starts the next.
@Suite struct PaceTests {
    @Test func insideTheWorkingShareTheNextJourneyStartsAtOnce() {
        let pace = PhasePlan.Pace(onShare: 0.3, periodNanos: 100_000_000)
        #expect(pace.nextStart(offsetNanos: 0) == 0)
        #expect(pace.nextStart(offsetNanos: 29_000_000) == 29_000_000)
        #expect(pace.nextStart(offsetNanos: 1_210_000_000) == 1_210_000_000)
    }

    @Test func pastTheWorkingShareItWaitsForTheNextPeriod() {
        let pace = PhasePlan.Pace(onShare: 0.3, periodNanos: 100_000_000)
        #expect(pace.nextStart(offsetNanos: 30_000_000) == 100_000_000)
        #expect(pace.nextStart(offsetNanos: 99_999_999) == 100_000_000)
        #expect(pace.nextStart(offsetNanos: 1_250_000_000) == 1_300_000_000)
    }

    @Test func sharesAndPeriodsAreKeptInRange() {
        #expect(PhasePlan.Pace(onShare: 1.5, periodNanos: 100_000_000).onShare == 1)
        #expect(PhasePlan.Pace(onShare: -1, periodNanos: 100_000_000).onShare == 0)
        #expect(PhasePlan.Pace(onShare: 0.5, periodNanos: 0).periodNanos == 1_000_000)
        // Working all the time never waits.
        #expect(PhasePlan.Pace(onShare: 1, periodNanos: 100_000_000).nextStart(offsetNanos: 99_999_999) == 99_999_999)
    }
}
