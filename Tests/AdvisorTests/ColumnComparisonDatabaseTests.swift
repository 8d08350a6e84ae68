@testable import Advisor
import Database
import PostgresNIO
import Testing
import TestSupport

extension AdvisorDatabaseTests {
    /// TPC-H Q12's shape on a schema of our own: the table second in FROM, a comparison of two of its
    /// columns that one row in ten passes, and a range. The advice is a partial index on the comparison,
    /// a tenth of the rows a plain index on the range holds; HypoPG lets the planner match its predicate only with
    /// the table first in FROM (`FromListOrder`), and once built the planner takes it for the statement
    /// as written.
    @Test func aComparisonOfTwoColumnsGetsAPartialIndexOnATableSecondInFrom() async throws {
        try await TestPostgres.withFreshDatabase { database, url in
            try await seed(url, [
                "CREATE EXTENSION IF NOT EXISTS hypopg",
                "CREATE TABLE consignments (id integer PRIMARY KEY, priority text NOT NULL)",
                "INSERT INTO consignments SELECT g, 'p' || (g % 5) FROM generate_series(1, 8000) g",
                """
                CREATE TABLE parcels (id bigint PRIMARY KEY, consignment_id integer NOT NULL, promised_on date NOT NULL,
                    delivered_on date NOT NULL, weight integer NOT NULL)
                """,
                """
                INSERT INTO parcels SELECT g, g % 8000 + 1, date '2024-01-01' + (g * 7 % 1000),
                    date '2024-01-01' + (g * 7 % 1000) + CASE WHEN g % 10 = 0 THEN 3 ELSE -1 END, g % 50
                FROM generate_series(1, 30000) g
                """,
                "VACUUM ANALYZE consignments", "VACUUM ANALYZE parcels",
            ])
            let sql = """
                SELECT c.priority, count(*) FROM consignments c, parcels p
                WHERE c.id = p.consignment_id AND p.promised_on < p.delivered_on
                  AND p.delivered_on >= date '2024-03-01' AND p.delivered_on < date '2024-09-01'
                GROUP BY c.priority
                """
            let advice = try await advise(database, Workload(source: .file, statements: [WorkloadStatement(sql: sql, calls: 100)]))
            let chosen = try #require(advice.indexes.first { $0.candidate.predicate == "promised_on < delivered_on" },
                                      "\(AdviceReport.migration(advice)) \(advice.rejected)")
            #expect(chosen.candidate.table == "parcels")
            #expect(chosen.candidate.keys.contains { $0.column == "delivered_on" }, "\(chosen.candidate.definition)")
            #expect(chosen.serves.first?.planAfter?.contains("parcels") == true, "\(chosen.serves)")
            let (plan, entries) = try await database.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: chosen.candidate.definition.replacingOccurrences(of: "CREATE INDEX ON", with: "CREATE INDEX late_parcels ON")))
                try await connection.query("ANALYZE parcels")
                let entries = try await connection.query("SELECT reltuples::float8 FROM pg_class WHERE relname = 'late_parcels'").first?.decode(Double.self) ?? 0
                return (try await PlanningSession.with(connection) { session in try await session.explain(sql) }, entries)
            }
            // The late tenth of the 30,000 parcels: a fraction of what the plain index would hold.
            #expect(entries > 0 && entries < 30_000 / 5, "\(entries) index entries")
            #expect(plan.root.allNodes.contains { $0.indexName == "late_parcels" }, "\(plan.outline)")
        }
    }
}
