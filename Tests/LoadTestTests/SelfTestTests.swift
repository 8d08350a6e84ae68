import LoadTest
import Testing

@Suite struct SelfTestTests {
    @Test func expectedP99OfTheStallServer() {
        #expect(SelfTest.expectedP99Micros(period: .seconds(10), freeze: .seconds(1)) == 900_000)
        #expect(SelfTest.expectedP99Micros(period: .seconds(5), freeze: .milliseconds(500)) == 450_000)
    }

    /// The shortened self-test: a 0.5 s freeze every 5 s for 10 s; the true p99 is 450 ms.
    @Test func measuredP99MatchesTheStallServersTrueP99() async throws {
        let outcome = try await SelfTest.run(period: .seconds(5), freeze: .milliseconds(500), cycles: 2, ratePerSecond: 200)
        #expect(outcome.passed, "measured \(outcome.measuredP99Micros) µs, expected \(outcome.expectedP99Micros) µs")
        #expect(outcome.result.phases.first?.arrivals == 2000)
    }
}
