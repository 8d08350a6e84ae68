import Database

/// A lock chain from a migration: a report job reads `variants` in a transaction it leaves open, a
/// migration's `ALTER TABLE variants` waits for its ACCESS EXCLUSIVE lock behind it, and every
/// statement on `variants` (product pages, listings, add-to-cart) queues behind the migration.
final class LockChainFault: Fault {
    static let migration = "ALTER TABLE variants ADD COLUMN drill_note text"
    private let sessions = HeldSessions()

    func inject(_ context: FaultContext) async throws -> String {
        let holder = try await sessions.hold(context.url(application: "drill-report-job"), logger: context.logger) { connection in
            try await connection.query("BEGIN")
            try await connection.query("SELECT count(*) FROM variants WHERE id < 10")
        }
        let migration = try await sessions.hold(context.url(application: "drill-migration"), logger: context.logger, setup: { connection in
            try await connection.query("ALTER TABLE variants ADD COLUMN drill_note text")
        }, waitForSetup: false)
        return "pid \(holder) (drill-report-job): BEGIN; SELECT count(*) FROM variants …; left open — pid \(migration) (drill-migration): \(Self.migration), waiting behind it"
    }

    func remove(_ context: FaultContext) async throws -> String {
        // The holder first (or the migration never finishes), then the migration's column.
        try await context.admin.query("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'drill-report-job'
            """)
        await sessions.release()
        try await context.admin.query("ALTER TABLE variants DROP COLUMN IF EXISTS drill_note")
        return "ended the report job's session; the migration ran; ALTER TABLE variants DROP COLUMN IF EXISTS drill_note"
    }
}
