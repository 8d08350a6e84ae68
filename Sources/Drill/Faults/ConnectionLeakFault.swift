import Database
import PostgresNIO

/// A worker that opens connections and never gives them back, until PostgreSQL has almost no
/// slot left for the store.
final class ConnectionLeakFault: Fault {
    private let sessions = HeldSessions()

    func inject(_ context: FaultContext) async throws -> String {
        let row = try await context.admin.query("""
            SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                   - (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend')
            """).first
        let free = try row?.decode(Int.self) ?? 0
        // Leave two slots: the doctor's own session, and one for whoever comes to fix it.
        let leaked = max(0, free - 2)
        let url = context.url(application: "drill-leaky-worker")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<leaked {
                group.addTask { [sessions] in try await sessions.hold(url, logger: context.logger) { _ in } }
            }
            try await group.waitForAll()
        }
        return "\(leaked) idle connections opened by app \"drill-leaky-worker\" and kept"
    }

    func remove(_ context: FaultContext) async throws -> String {
        await sessions.release()
        return "the leaky worker's connections closed"
    }
}
