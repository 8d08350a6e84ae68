import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Stops a statement on the server when its request's deadline passes. Cancelling a Swift task does
/// not (PostgresNIO sends no CancelRequest), so past the deadline `pg_cancel_backend` is issued for
/// the connection's backend from another pooled connection. The lease is held until the canceller
/// has finished, so the cancel can only ever hit this statement or an idle backend.
final class DeadlineCanceller: Sendable {
    let slot: ClientSlot
    let logger: Logger
    /// Backend process id per pooled connection, learnt once per connection.
    private let pids = Mutex<[PostgresConnection.ID: Int32]>([:])

    init(slot: ClientSlot, logger: Logger) {
        self.slot = slot
        self.logger = logger
    }

    static let backendPID: PostgresQuery = "SELECT pg_backend_pid()"
    static func cancel(_ pid: Int32) -> PostgresQuery { "SELECT pg_cancel_backend(\(pid))" }

    func run<Result: Sendable>(on connection: PostgresConnection, deadline: ContinuousClock.Instant,
                               _ body: () async throws -> Result) async throws -> Result {
        guard deadline > .now else { throw DeadlineExceeded() }
        let pid = try await pid(of: connection, bound: deadline - .now + DatabaseConnection.abandonAfterDeadline)
        let slot = slot
        let logger = logger
        // A timer on the connection's event loop (no task, no Dispatch timer per statement); a task
        // is started only when it fires. Not awaited: the request must not wait on the cancel's own
        // lease (after an outage the pool may be replaced, and a retired pool never answers a late lease).
        let timer = connection.eventLoop.scheduleTask(in: TimeAmount(deadline - .now)) {
            Task {
                _ = try? await ConnectionGate.lease(from: slot.current.client, timeout: .seconds(2)) { connection in
                    try await connection.query(Self.cancel(pid), logger: logger).collect()
                }
            }
        }
        defer { timer.cancel() }
        return try await body()
    }

    private func pid(of connection: PostgresConnection, bound: Duration) async throws -> Int32 {
        if let known = pids.withLock({ $0[connection.id] }) { return known }
        let logger = logger
        // Bounded like every statement (see `DatabaseConnection.bounded`): it may be lost in a restart.
        let rows = try await DatabaseConnection.awaitingAtMost(bound, on: connection, logger: logger) {
            try await connection.query(Self.backendPID, logger: logger).collect()
        }
        guard let pid = try rows.first?.decode(Int32.self) else { throw DeadlineExceeded() }
        pids.withLock { $0[connection.id] = pid }
        return pid
    }
}
