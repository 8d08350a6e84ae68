@testable import Database
import PostgresNIO
import Testing
import TestSupport

@Suite struct MigratorTests {
    @Test func freshDatabaseIsAtTheLatestVersion() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            let migrator = try Migrator()
            #expect(migrator.latestVersion >= 1)
            #expect(try await migrator.currentVersion(database) == migrator.latestVersion)
            // The template was migrated once; migrating again applies nothing.
            #expect(try await migrator.migrate(database).isEmpty)
        }
    }

    @Test func concurrentMigrationsApplyEachFileOnce() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            try await database.query("DROP SCHEMA public CASCADE")
            try await database.query("CREATE SCHEMA public")
            let migrator = try Migrator()
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await migrator.migrate(database) } }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(applied.sorted() == migrator.migrations.map(\.version))
            let rows = try await database.query("SELECT count(*) FROM schema_migrations")
            #expect(try rows.first?.decode(Int.self) == migrator.migrations.count)
        }
    }

    @Test func privateServerHasPgStatStatementsPreloaded() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            let rows = try await database.query("SELECT current_setting('shared_preload_libraries')")
            #expect(try rows.first?.decode(String.self).contains("pg_stat_statements") == true)
        }
    }
}

@Suite struct MigrationSplitTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'semi;colon');
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            SELECT "odd;name" FROM a
            """
        let statements = SQLScript.statements(in: sql).map(\.sql)
        #expect(statements.count == 3)
        #expect(statements[0] == "CREATE TABLE a (x text DEFAULT 'semi;colon')")
        #expect(statements[1].contains("$$ SELECT 1; $$"))
    }
}
