import Database
import PostgresNIO

/// A session updates a tenth of the stock rows, then sits idle in its transaction: their row locks
/// stay held, and every add-to-cart or checkout of those variants waits on them.
final class IdleInTransactionFault: Fault {
    private let sessions = HeldSessions()

    func inject(_ context: FaultContext) async throws -> String {
        let last = max(1, context.products * 2 / 10)
        let pid = try await sessions.hold(context.url(application: "drill-stock-sync"), logger: context.logger) { connection in
            try await connection.query("BEGIN")
            try await connection.query("UPDATE stock SET on_hand = on_hand WHERE variant_id <= \(last)")
        }
        return "pid \(pid) (drill-stock-sync): BEGIN; UPDATE stock SET on_hand = on_hand WHERE variant_id <= \(last); then idle in transaction"
    }

    func remove(_ context: FaultContext) async throws -> String {
        await sessions.release()
        return "the stock-sync session ended (its transaction rolled back)"
    }
}
