import Database
import Foundation
import Logging
import PostgresNIO
import Testing
import TestSupport
@testable import Doctor

/// The causes that need the server itself changed (the CPU busy, its WAL settings, its transaction
/// ids), injected live like the others: part of the solo, serialized `DoctorDatabaseTests`. The
/// checkpoint storm and the wraparound run on throwaway servers of their own, since they reconfigure
/// or restart the server.
extension DoctorDatabaseTests {
    static var quietLogger: Logger {
        var logger = Logger(label: "surge.tests.doctor.private-server")
        logger.logLevel = .error
        return logger
    }

    static let cpuBoundStatement: PostgresQuery = "SELECT sum(length(md5(i::text))) FROM generate_series(1, 50000) i"

    /// A statement that only computes (50,000 md5s: no lock, no I/O, its rows fit in work_mem) from
    /// four sessions per core keeps more backends on CPU than there are cores, even when this busy
    /// test process is slow to send each session's next statement.
    @Test func moreComputingBackendsThanCoresAreCPUSaturationNamingTheStatement() async throws {
        let cores = try #require(HostCores.cores(forHost: "127.0.0.1"))
        try await TestPostgres.withFreshDatabase { db, url in
            try await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            // No false alarm: the same statement from one session keeps one core busy, not all of them.
            let alone = try await Self.underLoad(db, loops: 1, { _ in Self.cpuBoundStatement }) { try await Self.diagnose(url) }
            #expect(!alone.findings.contains { $0.cause == .cpuSaturation }, "\(TextReport.render(alone))")

            let verdict = try await MachineTurn.take {
                try await Self.underLoad(db, loops: 4 * cores, { _ in Self.cpuBoundStatement }) { try await Self.diagnose(url) }
            }
            let finding = verdict.findings.first
            #expect(finding?.cause == .cpuSaturation, "\(TextReport.render(verdict))")
            // The statement as pg_stat_statements keeps it: normalized ($1, $2), or with its constants
            // when its entry was made again after a reset by another test on the shared server.
            #expect(finding?.object.contains("first \"SELECT sum(length(md5(i::text))) FROM generate_series(") == true, "\(TextReport.render(verdict))")
            #expect(finding?.keyEvidence.contains("backends on CPU on average for \(cores) cores") == true)
            #expect(finding?.fixes.last?.contains("pool size ≈ 2 × \(cores)") == true)
        }
    }

    /// Bulk inserts writing several times max_wal_size (32 MB) in the window force checkpoints by WAL
    /// volume. The table is emptied after each insert so the injection leaves no data behind.
    /// (Paced to ~25 MB/s, one run counted no requested checkpoint in the 2 s window, presumably
    /// because a checkpoint spreads its writes to the WAL's pace and is counted late.)
    @Test func walPastATinyMaxWalSizeIsACheckpointStormNamingTheSetting() async throws {
        try await TestPostgres.withPrivateServer(named: "doctor-checkpoints", extraSettings: ["max_wal_size = 32MB", "min_wal_size = 32MB"],
                                                 logger: Self.quietLogger) { server in
            let url = try DatabaseURL(server.url())
            try await TestPostgres.withDatabase(url, settings: .unbounded) { db in
                try await db.query("CREATE TABLE wal_load (id int NOT NULL, pad text NOT NULL)")
                // No false alarm: checkpoints requested by hand, with little WAL, are not a storm.
                let manual = try await Self.underLoad(db, loops: 1, { _ in "CHECKPOINT" }) { try await Self.diagnose(url) }
                #expect(!manual.findings.contains { $0.cause == .checkpointStorm }, "\(TextReport.render(manual))")

                let verdict = try await MachineTurn.take {
                    try await Self.underLoad(db, loops: 1, { i -> PostgresQuery in
                        i % 2 == 1 ? "INSERT INTO wal_load SELECT g, repeat('x', 300) FROM generate_series(1, 20000) g" : "TRUNCATE wal_load"
                    }) { try await Self.diagnose(url) }
                }
                let finding = verdict.findings.first
                #expect(finding?.cause == .checkpointStorm, "\(TextReport.render(verdict))")
                #expect(finding?.object == "max_wal_size = 32 MB")
                #expect(finding?.keyEvidence.contains("requested checkpoint") == true)
                #expect(finding?.fixes.first?.hasPrefix("ALTER SYSTEM SET max_wal_size = '1GB'; SELECT pg_reload_conf();") == true)
            }
        }
    }

    /// A real cluster near wraparound: its next transaction id moved to 2 billion (93% of 2^31) with
    /// pg_resetwal, everything frozen again except `orders`, which a forgotten prepared transaction
    /// keeps locked, so the anti-wraparound autovacuum waits on it for ever (it does not skip a
    /// locked table) and database `shop` stays 2 billion transactions old.
    @Test func tableAnAntiWraparoundVacuumCannotLockIsXIDWraparoundNamingDatabaseAndTable() async throws {
        try await TestPostgres.withPrivateServer(named: "doctor-wraparound", databaseName: "shop", extraSettings: [
            "max_prepared_transactions = 2",
            // Until the lock is in place: pg_resetwal leaves the cluster's oldest xid 2 billion back,
            // so with the default (200M) autovacuum would freeze `orders` at once after the move.
            "autovacuum_freeze_max_age = 2000000000",
        ], logger: Self.quietLogger) { server in
            let shop = try DatabaseURL(server.url())
            try await Self.write(shop, [
                "CREATE TABLE orders (id int PRIMARY KEY, total int NOT NULL)",
                "INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g",
            ])
            // No false alarm: the same cluster before the move.
            let young = try await Self.diagnose(shop, DoctorOptions(window: .seconds(1)))
            #expect(!young.findings.contains { $0.cause == .xidWraparound }, "\(TextReport.render(young))")

            try await WraparoundInjector.setNextTransactionID(server, to: 2_000_000_000)
            try await TestPostgres.withDatabase(shop, settings: .unbounded) { db in
                try await db.withConnection { session in
                    try await session.query("BEGIN")
                    try await session.query("LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE")
                    try await session.query("PREPARE TRANSACTION 'forgotten_lock'")
                }
                try await db.query("VACUUM (FREEZE, SKIP_LOCKED)")
                try await db.query("ALTER DATABASE template0 ALLOW_CONNECTIONS true")
            }
            for database in ["postgres", "template1", "template0"] { try await Self.write(shop.with(database: database), ["VACUUM FREEZE"]) }
            try await Self.write(shop, [
                "ALTER DATABASE template0 ALLOW_CONNECTIONS false",
                "ALTER SYSTEM SET autovacuum_freeze_max_age = 200000000",
            ])
            // autovacuum_freeze_max_age takes a restart; the prepared transaction and its lock survive it.
            try await WraparoundInjector.restart(server)

            let verdict = try await Self.diagnose(shop, DoctorOptions(window: .seconds(1)))
            let elsewhere = try await Self.diagnose(shop.with(database: "postgres"), DoctorOptions(window: .seconds(1)))
            try await Self.write(shop, ["ROLLBACK PREPARED 'forgotten_lock'"])

            let finding = verdict.findings.first
            #expect(finding?.cause == .xidWraparound, "\(TextReport.render(verdict))")
            #expect(finding?.object == "database shop, oldest table orders")
            #expect(finding?.keyEvidence.hasPrefix("age(datfrozenxid) = 1999999") == true)
            #expect(finding?.keyEvidence.contains("93% of the way to the 2^31 stop; autovacuum_freeze_max_age = 200000000") == true)
            #expect(finding?.fixes.first == "VACUUM (FREEZE, VERBOSE) orders;  -- in database shop")
            #expect(finding?.fixes.contains { $0.contains("pg_prepared_xacts") } == true)
            // Examined from another database, the doctor names `shop` and no table of its own.
            let other = elsewhere.findings.first
            #expect(other?.cause == .xidWraparound, "\(TextReport.render(elsewhere))")
            #expect(other?.object == "database shop")
            #expect(other?.fixes.first?.hasPrefix("VACUUM (FREEZE, VERBOSE);  -- in database shop") == true)
        }
    }
}
