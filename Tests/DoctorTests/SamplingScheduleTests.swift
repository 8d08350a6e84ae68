import Testing
@testable import Doctor

/// The sampler's schedule, driven by elapsed time without sleeping.
@Suite struct SamplingScheduleTests {
    @Test func samplesEveryIntervalOverTheWindowThenFinishes() {
        var schedule = SamplingSchedule(window: .seconds(1), interval: .milliseconds(250))
        var now = Duration.zero
        var samples: [Duration] = []
        for _ in 0..<100 {
            switch schedule.next(elapsed: now) {
            case .sample: samples.append(now); now += .milliseconds(3)
            case .wait(let duration): #expect(duration > .zero); now += duration
            case .finish:
                #expect(samples.count == 5)
                #expect(now >= .seconds(1))
                return
            }
        }
        Issue.record("never finished")
    }

    @Test func takesTwoSamplesEvenWhenSamplingIsSlowerThanTheWindow() {
        var schedule = SamplingSchedule(window: .milliseconds(100), interval: .milliseconds(50))
        #expect(schedule.next(elapsed: .zero) == .sample)
        #expect(schedule.next(elapsed: .seconds(2)) == .sample)
        #expect(schedule.next(elapsed: .seconds(3)) == .finish)
    }
}

extension SamplingScheduleTests {
    @Test func aSlowSampleSkipsMissedSlotsInsteadOfCatchingUp() {
        var schedule = SamplingSchedule(window: .seconds(1), interval: .milliseconds(100))
        #expect(schedule.next(elapsed: .zero) == .sample)
        // The first sample took 450 ms: slots 100…400 are gone; the next is at 500.
        #expect(schedule.next(elapsed: .milliseconds(450)) == .sample)
        #expect(schedule.next(elapsed: .milliseconds(460)) == .wait(.milliseconds(40)))
    }
}
