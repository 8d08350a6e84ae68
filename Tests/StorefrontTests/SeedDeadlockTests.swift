import Database
import Foundation
import PostgresNIO
@testable import Storefront
import Testing
import TestSupport

/// Why `surge serve` on a new data directory exited once in a few starts with PSQLError's generic
/// description, and that it cannot any more.
@Suite struct SeedDeadlockTests {
    /// A reader of the catalog (a product page's statement, or a pipelined connection preparing it)
    /// holding `products` while the seed takes its locks table by table, then reading a table the seed
    /// already holds: a lock cycle, which PostgreSQL breaks after `deadlock_timeout` by aborting the side
    /// that waited first, here the seed (40P01). The seed rolled everything back, so it runs again.
    @Test func aSeedThatLosesADeadlockToAReaderRunsAgain() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            try await database.withConnection { reader in
                try await reader.query("BEGIN")
                _ = try await reader.query("SELECT count(*) FROM products")   // ACCESS SHARE on products until the end
                let seeding = Task { try await CatalogSeeder(database: database).seed(.init(products: 50, quiet: true)) }
                // Wait until the seed waits (for products) while holding ACCESS EXCLUSIVE on another catalog table.
                var held: String?
                for _ in 0..<1000 where held == nil {
                    try await Task.sleep(for: .milliseconds(10))
                    let waiting = try await database.query("SELECT count(*)::int FROM pg_locks WHERE NOT granted").first?.decode(Int.self) ?? 0
                    guard waiting > 0 else { continue }
                    held = try await database.query("""
                        SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                        WHERE l.granted AND l.mode = 'AccessExclusiveLock' AND c.relname IN ('categories', 'brands', 'variants', 'stock')
                        ORDER BY c.relname LIMIT 1
                        """).first?.decode(String.self)
                }
                let table = try #require(held, "the seed never waited for the reader while holding a catalog table")
                // Closes the cycle; one side is aborted (the seed, which waited first) and this read goes on.
                _ = try? await reader.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"))
                _ = try? await reader.query("ROLLBACK")
                let summary = try await seeding.value
                #expect(summary.products == 50)
                #expect(try await database.query("SELECT count(*)::int FROM products").first?.decode(Int.self) == 50)
            }
        }
    }

    /// The CLI's one line for a database error carries PostgreSQL's message and SQLSTATE and what to
    /// do, never PSQLError's "Generic description to prevent accidental leakage of sensitive data".
    @Test func aDatabaseErrorSaysWhatPostgreSQLSaidAndWhatToDo() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            do {
                _ = try await database.query("SELECT * FROM no_such_table")
                Issue.record("the statement should have failed")
            } catch {
                let message = try #require(DatabaseErrorMessage.describe(error))
                #expect(message.contains(#"relation "no_such_table" does not exist"#), "\(message)")
                #expect(message.contains("SQLSTATE 42P01"), "\(message)")
                #expect(message.contains("surge migrate"), "\(message)")
                #expect(!message.contains("Generic description"), "\(message)")
                #expect(String(describing: error).contains("Generic description"), "PSQLError still hides it: this is why")
            }
        }
    }
}
