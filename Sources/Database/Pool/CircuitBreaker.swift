import PostgresNIO
import Synchronization

/// The database cannot be reached right now: answered at once, without waiting for a connection.
public struct DatabaseUnavailable: Error, Sendable, CustomStringConvertible {
    /// How long the breaker has been open.
    public var downFor: Duration
    public init(downFor: Duration) { self.downFor = downFor }
    public var description: String { "the database is unreachable (for \(downFor.milliseconds) ms): failing fast until it answers again" }
}

/// Fails requests fast while PostgreSQL is down, instead of letting each one wait for a connection
/// that cannot come.
///
/// The first connection-level failure (the server closed the connection, refused a new one, is
/// shutting down, or a leased permit got no connection in time) opens the breaker. While it is open,
/// `admit()` throws `DatabaseUnavailable` at once (a 503 with `Retry-After`), and `DatabaseService`
/// probes the server with `SELECT 1` every few hundred milliseconds; the first probe that succeeds
/// closes it. There is no half-open trickle of real requests: the probe is the trial request, so no
/// customer's checkout is spent finding out whether the database is back.
public final class CircuitBreaker: Sendable {
    /// The breaker as a value: no clock, no I/O.
    struct State: Sendable, Equatable {
        enum Phase: Sendable, Equatable {
            case closed
            case open(since: ContinuousClock.Instant)
        }

        var phase: Phase = .closed
        var trips = 0

        /// A connection-level failure; `true` if it opened the breaker.
        mutating func failed(at now: ContinuousClock.Instant) -> Bool {
            guard case .closed = phase else { return false }
            phase = .open(since: now)
            trips += 1
            return true
        }

        /// A probe succeeded; returns how long the breaker was open, if it was.
        mutating func recovered(at now: ContinuousClock.Instant) -> Duration? {
            guard case .open(let since) = phase else { return nil }
            phase = .closed
            return since.duration(to: now)
        }
    }

    private let state = Mutex(State())
    private let openings: AsyncStream<Void>.Continuation
    /// One element each time the breaker opens (consumed by `DatabaseService`).
    let opened: AsyncStream<Void>

    public init() {
        (opened, openings) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether requests are being refused now.
    public var isOpen: Bool { state.withLock { $0.phase != .closed } }
    /// How many times the breaker has opened since start.
    public var trips: Int { state.withLock { $0.trips } }

    /// Throws `DatabaseUnavailable` when the breaker is open.
    public func admit() throws {
        let since: ContinuousClock.Instant? = state.withLock {
            if case .open(let since) = $0.phase { return since }
            return nil
        }
        if let since { throw DatabaseUnavailable(downFor: since.duration(to: .now)) }
    }

    /// Looks at a failed database call and opens the breaker if it says the server is gone.
    public func observe(_ error: any Error) {
        guard Self.isConnectionFailure(error) else { return }
        trip()
    }

    /// Opens the breaker (idempotent).
    public func trip() {
        if state.withLock({ $0.failed(at: .now) }) { openings.yield() }
    }

    /// Closes the breaker; returns how long it was open, if it was.
    @discardableResult
    func recovered() -> Duration? {
        state.withLock { $0.recovered(at: .now) }
    }

    /// Failures that mean "the server is unreachable", as opposed to a failed statement.
    public static func isConnectionFailure(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .uncleanShutdown {
                return true
            }
            // PostgresNIO closes a connection the server ended (FATAL 57P01 on a stopping server) and fails
            // what was queued on it as "client closed", the server's error underneath.
            if error.code == .clientClosedConnection, let underlying = error.underlying {
                return isConnectionFailure(underlying)
            }
            guard let state = error.sqlState else { return false }
            // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08: connection exceptions.
            return ["57P01", "57P02", "57P03"].contains(state) || state.hasPrefix("08")
        case is ConnectionLost:
            return true
        case let error as PoolOverloaded:
            // A permit was free but the pool produced no connection in time: it cannot connect.
            return error.reason == .noConnection
        default:
            return false
        }
    }
}
