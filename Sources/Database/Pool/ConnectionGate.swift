import Synchronization

/// The pool had no connection in time for this request, or too many requests were already waiting.
public struct PoolOverloaded: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The gate's waiting line was full.
        case tooManyWaiters = "too_many_waiters"
        /// No permit came free in time.
        case acquireTimeout = "acquire_timeout"
        /// A permit was free, but the pool produced no connection in time (it cannot connect).
        case noConnection = "no_connection"
    }
    public var reason: Reason
    public init(_ reason: Reason) { self.reason = reason }
    public var description: String { "no database connection available (\(reason.rawValue))" }
}

/// Bounds PostgresNIO's pool, whose leases wait forever in an unbounded FIFO: at most `permits`
/// leases run at once, at most `maximumWaiters` wait, and a waiter gives up at its request's
/// deadline (`QueryContext.current`) or after `maximumWait`, whichever comes first. Critical work
/// (`QueryContext.critical`: the store's checkouts) is never refused for a full line, waits at its
/// head, and waits until its deadline.
public final class ConnectionGate: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Leases at once; keep it below the pool's maximum so a connection stays free for cancels.
        public var permits: Int
        public var maximumWaiters: Int
        public var maximumWait: Duration

        public init(permits: Int, maximumWaiters: Int? = nil, maximumWait: Duration = .seconds(1)) {
            self.permits = max(1, permits)
            self.maximumWaiters = maximumWaiters ?? max(4, permits * 2)
            self.maximumWait = maximumWait
        }
    }

    /// The gate as a value: counts and a FIFO of waiter ids; no I/O, no clock.
    struct State: Sendable {
        var available: Int
        let maximumWaiters: Int
        var waiters: [UInt64] = []
        /// How many of `waiters`, at its front, are critical.
        var criticalWaiting = 0
        var nextID: UInt64 = 0

        enum Decision: Equatable { case enter, wait(UInt64), reject }

        /// A `critical` arrival is never refused for a full line and waits at its head (behind
        /// earlier critical ones).
        mutating func arrive(critical: Bool = false) -> Decision {
            if available > 0 && waiters.isEmpty {
                available -= 1
                return .enter
            }
            guard critical || waiters.count < maximumWaiters else { return .reject }
            nextID += 1
            if critical {
                waiters.insert(nextID, at: criticalWaiting)
                criticalWaiting += 1
            } else {
                waiters.append(nextID)
            }
            return .wait(nextID)
        }

        /// A lease ended: the permit passes to the oldest waiter (returned), or back to the pool.
        mutating func leave() -> UInt64? {
            if waiters.isEmpty {
                available += 1
                return nil
            }
            if criticalWaiting > 0 { criticalWaiting -= 1 }
            return waiters.removeFirst()
        }

        /// A waiter timed out or was cancelled; `true` if it was still waiting.
        mutating func abandon(_ id: UInt64) -> Bool {
            guard let index = waiters.firstIndex(of: id) else { return false }
            if index < criticalWaiting { criticalWaiting -= 1 }
            waiters.remove(at: index)
            return true
        }
    }

    private enum Parked { case waiting(CheckedContinuation<Void, any Error>), entered, failed }

    private struct Box {
        var state: State
        var parked: [UInt64: Parked] = [:]
    }

    public let configuration: Configuration
    private let box: Mutex<Box>

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.box = Mutex(Box(state: State(available: configuration.permits, maximumWaiters: configuration.maximumWaiters)))
    }

    /// Requests waiting for a connection now.
    public var waiters: Int { box.withLock { $0.state.waiters.count } }
    /// Whether a lease would start at once.
    public var hasFreePermit: Bool { box.withLock { $0.state.available > 0 } }

    /// Runs `body` holding a permit; throws `PoolOverloaded` when none comes in time.
    public func withPermit<Result>(_ body: () async throws -> Result) async throws -> Result {
        let critical = QueryContext.current?.critical ?? false
        let decision = box.withLock { $0.state.arrive(critical: critical) }
        switch decision {
        case .enter: break
        case .reject: throw PoolOverloaded(.tooManyWaiters)
        case .wait(let id): try await wait(id)
        }
        defer { leave() }
        return try await body()
    }

    private func leave() {
        box.withLock { box in
            guard let next = box.state.leave() else { return }
            Self.resolve(next, entered: true, in: &box)
        }
    }

    /// Waits until the request's deadline or `maximumWait`, whichever is first; critical work waits
    /// until its deadline.
    private func wait(_ id: UInt64) async throws {
        let timeout = QueryContext.current?.leaseTimeout(maximumWait: configuration.maximumWait) ?? configuration.maximumWait
        let deadline = ContinuousClock.now + timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                try? await Task.sleep(until: deadline)
                if !Task.isCancelled { abandon(id) }
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let early = box.withLock { box -> Parked? in
                        if let outcome = box.parked.removeValue(forKey: id) { return outcome }
                        box.parked[id] = .waiting(continuation)
                        return nil
                    }
                    switch early {
                    case .entered: continuation.resume()
                    case .failed: continuation.resume(throwing: PoolOverloaded(.acquireTimeout))
                    case .waiting, nil: break
                    }
                }
            } onCancel: { [self] in
                abandon(id)
            }
        }
    }

    private func abandon(_ id: UInt64) {
        box.withLock { box in
            if box.state.abandon(id) { Self.resolve(id, entered: false, in: &box) }
        }
    }

    private static func resolve(_ id: UInt64, entered: Bool, in box: inout Box) {
        if case .waiting(let continuation) = box.parked.removeValue(forKey: id) {
            if entered { continuation.resume() } else { continuation.resume(throwing: PoolOverloaded(.acquireTimeout)) }
        } else {
            box.parked[id] = entered ? .entered : .failed
        }
    }
}
