@testable import Database
import Synchronization
import Testing

@Suite struct ConnectionGateTests {
    final class Entries: Sendable {
        private let list = Mutex<[String]>([])
        func append(_ entry: String) { list.withLock { $0.append(entry) } }
        var all: [String] { list.withLock { $0 } }
    }

    /// A paid checkout's order (critical work) is never refused for a full line and is served first.
    @Test func criticalWorkSkipsAFullLine() async throws {
        let gate = ConnectionGate(.init(permits: 1, maximumWaiters: 1, maximumWait: .seconds(30)))
        let order = Entries()
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await gate.withPermit { for await _ in release.stream { break } }
        }
        for _ in 0..<100_000 where gate.hasFreePermit { await Task.yield() }
        #expect(!gate.hasFreePermit)

        let context = QueryContext(route: "t", requestID: "normal", deadline: .now + .seconds(30))
        let normal = Task {
            try await QueryContext.$current.withValue(context) { try await gate.withPermit { order.append("normal") } }
        }
        for _ in 0..<100_000 where gate.waiters < 1 { await Task.yield() }
        #expect(gate.waiters == 1)
        // The line is full: a normal request is refused at once...
        await #expect(throws: PoolOverloaded.self) {
            try await QueryContext.$current.withValue(context) { try await gate.withPermit {} }
        }
        // ...a critical one waits, at the head of the line.
        var criticalContext = context
        criticalContext.critical = true
        let critical = Task {
            try await QueryContext.$current.withValue(criticalContext) { try await gate.withPermit { order.append("critical") } }
        }
        for _ in 0..<100_000 where gate.waiters < 2 { await Task.yield() }
        #expect(gate.waiters == 2)

        release.continuation.yield()
        try await holder.value
        try await critical.value
        try await normal.value
        #expect(order.all == ["critical", "normal"])
        #expect(gate.hasFreePermit)
    }
}

/// How long one lease may wait: the pool's own bound, the time the request has left, and a lease
/// budget a replica read sets so the primary keeps time to serve it.
@Suite struct LeaseTimeoutTests {
    @Test func theLeastOfThePoolsBoundTheTimeLeftAndTheLeaseBudget() {
        var context = QueryContext(route: "t", requestID: "r", deadline: .now + .seconds(10))
        #expect(context.leaseTimeout(maximumWait: .seconds(2)) == .seconds(2))
        let nearDeadline = context.leaseTimeout(maximumWait: .seconds(60))
        #expect(nearDeadline <= .seconds(10) && nearDeadline > .seconds(9))
        context.leaseWait = .milliseconds(300)
        #expect(context.leaseTimeout(maximumWait: .seconds(2)) == .milliseconds(300))
        // Critical work waits until its deadline, unless a lease budget says otherwise.
        context.critical = true
        #expect(context.leaseTimeout(maximumWait: .seconds(2)) == .milliseconds(300))
        context.leaseWait = nil
        #expect(context.leaseTimeout(maximumWait: .seconds(2)) > .seconds(9))
        // Past the deadline nothing waits.
        let late = QueryContext(route: "t", requestID: "r", deadline: .now - .seconds(1))
        #expect(late.leaseTimeout(maximumWait: .seconds(2)) == .zero)
    }
}
