import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import Doctor

/// Faults injected on the private PostgreSQL, each under its own database, and the doctor must
/// name the cause and the object. Serialized: pg_stat_activity and the CPU are the server's, so a
/// fault injected by one test must not be in another's window.
/// They read the server's CPU and activity, which the parallel suite's other tests disturb (a healthy
/// database read as CPU-saturated while 300 tests shared the two cores), so they run in the process of
/// their own that README's test command starts second: `SURGE_SOLO_TESTS=1 swift test --filter DoctorDatabaseTests`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["SURGE_SOLO_TESTS"] != nil,
                             "runs in its own process: SURGE_SOLO_TESTS=1 swift test --filter DoctorDatabaseTests"))
struct DoctorDatabaseTests {
    static let window = DoctorOptions(window: .seconds(2), sampleInterval: .milliseconds(200))

    /// A table of `rows` rows with an unindexed text column `sku`, analyzed.
    static func makeItems(_ db: Database, rows: Int = 200_000) async throws {
        try await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        try await db.query("CREATE TABLE items (id bigint PRIMARY KEY, sku text NOT NULL, qty int NOT NULL)")
        try await db.query(PostgresQuery(unsafeSQL: "INSERT INTO items SELECT i, 'sku-' || i, i % 100 FROM generate_series(1, \(rows)) i"))
        try await db.query("ANALYZE items")
    }

    /// Runs `statement` in `loops` concurrent loops until `body` returns.
    static func underLoad<T: Sendable>(_ db: Database, loops: Int, setup: String? = nil, _ statement: @escaping @Sendable (Int) -> PostgresQuery, _ body: () async throws -> T) async throws -> T {
        let running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<loops {
                    group.addTask {
                        try await db.withConnection { connection in
                            if let setup { try await connection.query(PostgresQuery(unsafeSQL: setup)) }
                            var i = 0
                            while !Task.isCancelled {
                                i += 1
                                try await connection.query(statement(i))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Let the workload reach pg_stat_statements before the window opens.
        try await Task.sleep(for: .milliseconds(500))
        do {
            let result = try await body()
            running.cancel()
            _ = try? await running.value
            return result
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
    }

    /// Runs `statements` on a pool of its own, closed afterwards: an idle backend flushes its table
    /// counters to the shared statistics only every 10 s (PostgreSQL 15), an exiting one at once.
    static func write(_ url: DatabaseURL, _ statements: [String]) async throws {
        try await TestPostgres.withDatabase(url) { writer in
            for statement in statements { try await writer.query(PostgresQuery(unsafeSQL: statement)) }
        }
    }

    static func diagnose(_ url: DatabaseURL, _ options: DoctorOptions = window) async throws -> Verdict {
        try await DoctorSession.with(url) { try await $0.diagnose(options) }
    }

    @Test func healthyDatabaseUnderPointLookupsHasNoFault() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            try await Self.makeItems(db, rows: 20_000)
            let verdict = try await Self.underLoad(db, loops: 2, { i in "SELECT * FROM items WHERE id = \(i % 20_000 + 1)" }) {
                try await Self.diagnose(url)
            }
            #expect(verdict.healthy, "\(TextReport.render(verdict))")
            #expect(TextReport.render(verdict).hasPrefix("DIAGNOSIS: no database fault\n"))
            #expect(verdict.samples >= 5)
            #expect(verdict.seen.contains { $0.hasPrefix("top statement:") && $0.contains("items") })
        }
    }

    /// Injects a blocking chain on a fresh database: a session holds a row lock in an open transaction
    /// and another waits for it; `body` runs meanwhile with the database, its URL and the holder's pid.
    static func withBlockingChain<T: Sendable>(_ body: (Database, DatabaseURL, Int64) async throws -> T) async throws -> T {
        try await TestPostgres.withFreshDatabase { _, url in
            try await TestPostgres.withDatabase(url, settings: .unbounded) { db in
                try await Self.makeItems(db, rows: 100)
                return try await db.withConnection { holder in
                    let pid = try await holder.query("SELECT pg_backend_pid()::int8").first?.decode(Int64.self) ?? 0
                    try await holder.query("BEGIN")
                    try await holder.query("UPDATE items SET qty = qty + 1 WHERE id = 1")
                    let blocked = Task { try await db.query("UPDATE items SET qty = qty - 1 WHERE id = 1") }
                    let result: T
                    do {
                        result = try await body(db, url, pid)
                    } catch {
                        try await holder.query("ROLLBACK")
                        _ = try? await blocked.value
                        throw error
                    }
                    try await holder.query("ROLLBACK")
                    _ = try await blocked.value
                    return result
                }
            }
        }
    }

    @Test func blockingChainIsNamedWithItsRootPid() async throws {
        let (verdict, pid) = try await Self.withBlockingChain { db, url, pid in
            try await Task.sleep(for: .milliseconds(1000))
            // Under a background workload of point lookups on other rows.
            let verdict = try await Self.underLoad(db, loops: 1, { i in "SELECT * FROM items WHERE id = \(i % 99 + 2)" }) {
                try await Self.diagnose(url)
            }
            return (verdict, pid)
        }
        let first = verdict.findings.first
        #expect(first?.cause == .blockingChain, "\(TextReport.render(verdict))")
        #expect(first?.object.hasPrefix("pid \(pid) (idle in transaction") == true)
        #expect(first?.object.contains("UPDATE items SET qty = qty + $1 WHERE id = $2") == true || first?.object.contains("UPDATE items SET qty = qty + 1") == true)
        #expect(first?.fixes.first?.hasPrefix("SELECT pg_terminate_backend(\(pid));") == true)
    }

    @Test func idleInTransactionIsNamedWithItsPid() async throws {
        var options = Self.window
        options.thresholds.idleInTransactionSeconds = 2
        try await TestPostgres.withFreshDatabase { _, url in
            try await TestPostgres.withDatabase(url, settings: .unbounded) { db in
                try await Self.makeItems(db, rows: 100)
                try await db.withConnection { holder in
                    let pid = try await holder.query("SELECT pg_backend_pid()::int8").first?.decode(Int64.self) ?? 0
                    try await holder.query("BEGIN")
                    try await holder.query("UPDATE items SET qty = 0 WHERE id = 7")
                    try await Task.sleep(for: .milliseconds(2200))
                    let verdict = try await Self.diagnose(url, options)
                    try await holder.query("ROLLBACK")
                    let finding = verdict.findings.first
                    #expect(finding?.cause == .idleInTransaction, "\(TextReport.render(verdict))")
                    #expect(finding?.object.hasPrefix("pid \(pid) (idle in transaction") == true)
                    #expect(finding?.keyEvidence.contains("holds the row locks of its writes") == true)
                }
            }
        }
    }

    @Test func hotSeqScanIsAMissingIndexWithTheIndexToBuild() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            try await Self.makeItems(db)
            let verdict = try await Self.underLoad(db, loops: 1, { i in "SELECT * FROM items WHERE sku = \("sku-\(i % 200_000 + 1)")" }) {
                try await Self.diagnose(url)
            }
            let finding = verdict.findings.first { $0.cause == .missingIndex }
            #expect(finding != nil, "\(TextReport.render(verdict))")
            #expect(finding?.object.hasPrefix("items for \"SELECT * FROM items WHERE sku = $1") == true)
            #expect(finding?.fixes.first?.hasPrefix("CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);") == true)
            #expect(verdict.findings.first?.cause == .missingIndex)
        }
    }

    @Test func sortSpillingToDiskIsATempSpillNamingWorkMem() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            try await Self.makeItems(db)
            let verdict = try await Self.underLoad(db, loops: 1, setup: "SET work_mem = '64kB'", { _ in "SELECT id FROM items ORDER BY md5(sku) OFFSET 199990" }) {
                try await Self.diagnose(url)
            }
            let finding = verdict.findings.first { $0.cause == .tempSpill }
            #expect(finding != nil, "\(TextReport.render(verdict))")
            #expect(finding?.object.contains("ORDER BY md5(sku)") == true)
            #expect(finding?.object.hasSuffix("with work_mem = 4 MB") == true)
        }
    }

    @Test func deadTuplesAutovacuumCannotReachAreAutovacuumLag() async throws {
        try await TestPostgres.withFreshDatabase { _, url in
            try await Self.write(url, [
                "CREATE TABLE ledger (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                "INSERT INTO ledger SELECT g, 0 FROM generate_series(1, 20000) g",
                "UPDATE ledger SET v = 1",
                "UPDATE ledger SET v = 2",
            ])
            try await Task.sleep(for: .milliseconds(300))
            let verdict = try await Self.diagnose(url, DoctorOptions(window: .seconds(1)))
            let finding = verdict.findings.first
            #expect(finding?.cause == .autovacuumLag, "\(TextReport.render(verdict))")
            #expect(finding?.object == "ledger")
            #expect(finding?.fixes.contains("ALTER TABLE ledger RESET (autovacuum_enabled);  -- autovacuum is off for this table") == true)
        }
    }

    @Test func tableGrownSinceAnalyzeIsAStaleStatisticsMisestimate() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            try await Self.write(url, [
                "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
                "CREATE TABLE events (id serial PRIMARY KEY, kind int NOT NULL) WITH (autovacuum_enabled = false)",
                "INSERT INTO events (kind) SELECT g FROM generate_series(1, 1000) g",
                "ANALYZE events",
                "CREATE INDEX ON events (kind)",
                "INSERT INTO events (kind) SELECT 1 FROM generate_series(1, 200000)",
            ])
            let verdict = try await Self.underLoad(db, loops: 1, { _ in "SELECT count(*) FROM events WHERE kind = \(1)" }) {
                try await Self.diagnose(url)
            }
            let finding = verdict.findings.first { $0.cause == .staleStatistics }
            #expect(finding != nil, "\(TextReport.render(verdict))")
            #expect(finding?.object.hasPrefix("events for \"SELECT count(*) FROM events WHERE kind = $1") == true)
            #expect(finding?.fixes.first == "ANALYZE events;")
        }
    }

    @Test func longRunningStatementIsNamedWithItsPid() async throws {
        var options = DoctorOptions(window: .seconds(1))
        options.thresholds.longQuerySeconds = 2
        try await TestPostgres.withFreshDatabase { _, url in
            try await TestPostgres.withDatabase(url, settings: .unbounded) { db in
                let sleeper = Task { try await db.query("SELECT pg_sleep(6)") }
                try await Task.sleep(for: .milliseconds(2500))
                let verdict = try await Self.diagnose(url, options)
                let finding = verdict.findings.first
                try await db.query("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(6)' AND pid <> pg_backend_pid()")
                _ = try? await sleeper.value
                #expect(finding?.cause == .longRunningQuery, "\(TextReport.render(verdict))")
                #expect(finding?.object.contains("running \"SELECT pg_sleep(6)\"") == true)
                #expect(finding?.fixes.first?.hasPrefix("SELECT pg_cancel_backend(") == true)
            }
        }
    }

    @Test func connectionsHeldByOneApplicationAreNamedAsTheirHolder() async throws {
        // The test server allows 1,000 connections; a low share makes 8 idle connections the exhaustion.
        var options = DoctorOptions(window: .seconds(1))
        options.thresholds.connectionsShare = 0.005
        try await TestPostgres.withFreshDatabase { _, url in
            var hog = url
            hog.applicationName = "report-exporter"
            try await TestPostgres.withDatabase(hog, settings: .unbounded) { db in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 { group.addTask { _ = try await db.withConnection { connection in try await connection.query("SELECT pg_sleep(0.3)").count } } }
                    try await group.waitForAll()
                }
                let verdict = try await Self.diagnose(url, options)
                let finding = verdict.findings.first { $0.cause == .connectionExhaustion }
                #expect(finding?.object.hasPrefix("app \"report-exporter\" as ") == true, "\(TextReport.render(verdict))")
                #expect(finding?.keyEvidence.contains("it holds 8 (0 active, 8 idle") == true)
            }
        }
    }

    @Test func unreachableServerIsOneLine() async throws {
        let url = try DatabaseURL("postgres://surge:x@127.0.0.1:1/none")
        await #expect(throws: DoctorError.unreachable(host: "127.0.0.1", port: 1, reason: "connection refused")) {
            try await Self.diagnose(url)
        }
    }

    @Test func wrongPasswordSaysSoWithItsSQLState() async throws {
        var url = try await TestPostgres.serverURL()
        url.password = "wrong"
        do {
            _ = try await Self.diagnose(url)
            Issue.record("connected with a wrong password")
        } catch let error as DoctorError {
            guard case .refused(let message, let state) = error else { Issue.record("\(error)"); return }
            #expect(state == "28P01")
            #expect(message.contains("password authentication failed"))
            #expect(error.description.contains("check the user and password"))
        }
    }

    @Test func missingPgStatStatementsStillGivesAVerdictAndSaysWhatItSkipped() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            try await db.query("DROP EXTENSION IF EXISTS pg_stat_statements")
            let verdict = try await Self.diagnose(url, DoctorOptions(window: .seconds(1)))
            #expect(verdict.healthy)
            #expect(verdict.skipped.contains { $0.reason.contains("CREATE EXTENSION pg_stat_statements") })
        }
    }

    /// A 1 s examination as a new login role made with `membership` (e.g. `IN ROLE pg_monitor`), dropped afterwards.
    static func diagnose(asNewRole membership: String, _ db: Database, _ url: DatabaseURL) async throws -> Verdict {
        let role = "doctor_\(UInt32.random(in: 0..<UInt32.max))"
        try await db.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN PASSWORD 'doctor' \(membership)"))
        var login = url
        login.user = role
        login.password = "doctor"
        let verdict = try await Self.diagnose(login, DoctorOptions(window: .seconds(1)))
        try await db.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(role)"))
        _ = try? await db.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"))
        return verdict
    }

    @Test func monitorRoleWithoutSuperuserCanExamine() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            let verdict = try await Self.diagnose(asNewRole: "IN ROLE pg_monitor", db, url)
            #expect(verdict.skipped.filter { !$0.reason.contains("pg_stat_statements") }.isEmpty, "\(verdict.skipped)")
            #expect(verdict.samples >= 2)
        }
    }

    /// A role with no monitoring privilege at all (no pg_monitor, no pg_read_all_settings) still gets
    /// a verdict from what it can see, and the verdict says what it could not check and the GRANT that fixes it.
    @Test func roleWithoutAnyMonitoringPrivilegeGetsAPartialVerdictNamingTheGrant() async throws {
        try await TestPostgres.withFreshDatabase { db, url in
            let verdict = try await Self.diagnose(asNewRole: "", db, url)
            #expect(verdict.samples >= 2)
            #expect(verdict.skipped.contains { $0.reason.contains("GRANT pg_monitor TO <user>;") }, "\(verdict.skipped)")
        }
    }
}
