import Database
import Foundation
import Logging

/// A primary of its own, with a streaming replica and a PgBouncer in front when asked, for the
/// scale-out tests: real parts (PostgreSQL's `pg_basebackup`, Debian's pgbouncer) on loopback
/// ports, stopped when the test process exits. Separate from `TestPostgres`'s shared server, since
/// these tests stop and restart parts of it.
public struct TestCluster: Sendable {
    public let directory: String
    public let primary: LocalPostgres
    public let replica: LocalPostgres?
    public let pgbouncer: LocalPgBouncer?

    /// The primary's application URL (direct).
    public func primaryURL() throws -> DatabaseURL { try DatabaseURL(primary.url()) }
    /// The replica's URL, if there is one.
    public func replicaURL() throws -> DatabaseURL? { try replica.map { try DatabaseURL($0.url()) } }
    /// PgBouncer's transaction-pooled URL, if there is one.
    public func pooledURL() throws -> DatabaseURL? { try pgbouncer.map { try DatabaseURL($0.url()) } }

    public static func start(replica withReplica: Bool = false, pgbouncer withPgBouncer: Bool = false,
                             name: String = "cluster") async throws -> TestCluster {
        var logger = Logger(label: "surge.tests.cluster")
        logger.logLevel = .warning
        let directory = NSTemporaryDirectory() + "surge-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = chmod(directory, 0o755)
        let primary = try LocalPostgres(
            configuration: .init(dataDirectory: directory + "/primary", port: try LocalPostgres.pickPort(), databaseName: "surge",
                                 extraSettings: ["fsync = off", "full_page_writes = off", "max_connections = 300",
                                                 "wal_level = replica", "max_wal_senders = 5", "max_replication_slots = 5"]),
            logger: logger)
        try await primary.start()
        try primary.stopWhenProcessExits(removing: directory)
        var replica: LocalPostgres? = nil
        if withReplica {
            let made = try await primary.makeReplica(dataDirectory: directory + "/replica", port: try LocalPostgres.pickPort(), slot: "replica1")
            try await made.start()
            try made.stopWhenProcessExits()
            replica = made
        }
        var pgbouncer: LocalPgBouncer? = nil
        if withPgBouncer {
            let bouncer = LocalPgBouncer(directory: directory + "/pgbouncer", port: try LocalPostgres.pickPort(), server: primary)
            try await bouncer.start()
            try bouncer.stopWhenProcessExits()
            pgbouncer = bouncer
        }
        return TestCluster(directory: directory, primary: primary, replica: replica, pgbouncer: pgbouncer)
    }

    /// Stops every part and removes the directory.
    public func stop() async {
        try? await pgbouncer?.stop()
        try? await replica?.stop()
        try? await primary.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
