import LoadTest
import Testing

@Suite struct SelfTestTests {
    @Test func expectedP99OfTheStallServer() {
        #expect(SelfTest.expectedP99Micros(period: .seconds(10), freeze: .seconds(1)) == 900_000)
        #expect(SelfTest.expectedP99Micros(period: .seconds(5), freeze: .milliseconds(500)) == 450_000)
    }

    /// The self-test shortened to one 10 s cycle (one 1 s freeze); the true p99 is 900 ms.
    @Test func measuredP99MatchesTheStallServersTrueP99() async throws {
        let outcome = try await SelfTest.run(period: .seconds(10), freeze: .seconds(1), cycles: 1, ratePerSecond: 200)
        #expect(outcome.passed, "measured \(outcome.measuredP99Micros) µs, expected \(outcome.expectedP99Micros) µs")
        #expect(outcome.result.phases.first?.arrivals == 2000)
    }
}
