@testable import Database
import Logging
import PostgresNIO
import Testing

@Suite struct CircuitBreakerTests {
    @Test func opensOnceAndReportsHowLongItWasOpen() {
        var state = CircuitBreaker.State()
        let start = ContinuousClock.now
        let opened = state.failed(at: start)
        let openedAgain = state.failed(at: start + .milliseconds(10))
        let downFor = state.recovered(at: start + .seconds(3))
        let notDown = state.recovered(at: start + .seconds(4))
        #expect(opened)
        #expect(!openedAgain, "already open: the first failure keeps its start")
        #expect(downFor == .seconds(3))
        #expect(notDown == nil)
        #expect(state.trips == 1)
        let reopened = state.failed(at: start + .seconds(5))
        #expect(reopened)
        #expect(state.trips == 2)
    }

    @Test func openBreakerRefusesAtOnce() throws {
        let breaker = CircuitBreaker()
        try breaker.admit()
        breaker.observe(PoolOverloaded(.acquireTimeout))
        try breaker.admit()
        #expect(!breaker.isOpen, "a full pool is overload, not an outage")
        breaker.observe(PoolOverloaded(.noConnection))
        #expect(breaker.isOpen)
        #expect(throws: DatabaseUnavailable.self) { try breaker.admit() }
        #expect(breaker.recovered() != nil)
        try breaker.admit()
    }

    @Test func aRefusedConnectionIsAConnectionFailure() async throws {
        let port = try LocalPostgres.pickPort() // free: nothing listens there
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: "nobody", password: nil,
                                                             database: nil, tls: .disable)
        do {
            _ = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "surge.tests.breaker"))
            Issue.record("connected to a port nobody listens on")
        } catch {
            #expect(CircuitBreaker.isConnectionFailure(error))
        }
        #expect(!CircuitBreaker.isConnectionFailure(CancellationError()))
        #expect(!CircuitBreaker.isConnectionFailure(PoolOverloaded(.tooManyWaiters)))
    }
}
