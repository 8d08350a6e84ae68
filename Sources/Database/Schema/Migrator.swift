import Foundation
import Logging
import PostgresNIO

/// Applies the versioned SQL files in `Migrations/` in order, in one transaction, under an advisory
/// lock so several store instances starting together apply each file exactly once.
public struct Migrator: Sendable {
    /// One migration file: `0001_catalog.sql` has version 1.
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// `pg_advisory_lock` key: "surge" in ASCII.
    static let lockKey: Int64 = 0x7375_7267_65

    public let migrations: [Migration]

    public init(migrations: [Migration]? = nil) throws {
        self.migrations = try migrations ?? Self.bundled()
    }

    /// The migrations shipped in this module's resources, sorted by version.
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        return try files.compactMap { file -> Migration? in
            guard let version = Int(file.prefix { $0.isNumber }) else { return nil }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(file.dropLast(4)), sql: sql)
        }.sorted { $0.version < $1.version }
    }

    /// The highest bundled version: the store is "migrated" when the database has reached it.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every pending migration, all in one transaction (PostgreSQL DDL is transactional: a
    /// failure leaves the schema as it was), and returns the versions applied. A transaction-scoped
    /// advisory lock makes concurrent callers wait and then find nothing left to do.
    @discardableResult
    public func migrate(_ database: Database) async throws -> [Int] {
        try await database.withConnection { connection in
            try await connection.query("BEGIN")
            do {
                // Waiting for another instance's migration, or building an index, may take long.
                try await connection.query("SELECT set_config('statement_timeout', '15min', true), set_config('lock_timeout', '15min', true)")
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer PRIMARY KEY,
                        name       text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                let done = Set(try await connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self) })
                var applied: [Int] = []
                for migration in migrations where !done.contains(migration.version) {
                    // The extended protocol runs one statement at a time.
                    for statement in SQLScript.statements(in: migration.sql).map(\.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement))
                    }
                    try await connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                    database.logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    applied.append(migration.version)
                }
                try await connection.query("COMMIT")
                return applied
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    /// The highest applied version, or 0 for an empty database.
    public func currentVersion(_ database: Database) async throws -> Int {
        let exists = try await database.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        let rows = try await database.query("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return try rows.first?.decode(Int.self) ?? 0
    }
}
