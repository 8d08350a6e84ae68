@testable import Advisor
import Database
import PostgresNIO
import Testing
import TestSupport

/// Issue #20's remaining candidate kinds, each on a schema and workload of its own, against the real
/// private PostgreSQL 15 with HypoPG.
extension AdvisorDatabaseTests {
    /// The planner costs an index-only scan by the share of pages VACUUM marked all-visible. Tests
    /// running in parallel hold snapshots that keep VACUUM from marking the rows just loaded, so
    /// the statistics say what a quiet VACUUM would have left (the rows are never updated).
    static func allVisible(_ table: String) -> String {
        "UPDATE pg_class SET relallvisible = relpages WHERE oid = '\(table)'::regclass"
    }

    /// `(doc ->> 'user') = …` gets a B-tree on the path expression; `doc @> '{…}'` gets a GIN
    /// index with jsonb_path_ops (by rule: HypoPG cannot simulate GIN). The keys must be literals:
    /// pg_stat_statements turns `'user'` into `$n`, and no index can be built on an unknown path.
    @Test func jsonPathLookupGetsAnExpressionIndexAndContainmentGetsPathOpsGIN() async throws {
        let lookup = StatementParser.parse("SELECT id FROM events e WHERE (e.doc ->> 'user') = $1 AND e.doc #>> '{meta,lang}' = 'de'")
        #expect(lookup.predicates.map(\.expression) == ["(doc ->> 'user')", "doc #>> '{meta,lang}'"])
        #expect(StatementParser.parse("SELECT id FROM events WHERE doc ->> $1 = $2").predicates.allSatisfy { $0.expression == nil })
        #expect(StatementParser.parse("SELECT id FROM events WHERE doc @> $1").predicates.map(\.op) == [.contains])
        try await TestPostgres.withFreshDatabase { database, url in
            try await seed(url, [
                "CREATE EXTENSION IF NOT EXISTS hypopg",
                "CREATE TABLE events (id bigint PRIMARY KEY, account_id integer NOT NULL, doc jsonb NOT NULL)",
                """
                INSERT INTO events SELECT g, g % 300,
                    jsonb_build_object('user', 'u' || g, 'kind', 'k' || (g % 50), 'meta', jsonb_build_object('lang', 'en'))
                FROM generate_series(1, 60000) g
                """,
                "ANALYZE events",
            ])
            let workload = WorkloadFile.parseSQL("""
                -- calls: 200
                SELECT id, account_id FROM events WHERE (doc ->> 'user') = 'u4711';
                -- calls: 50
                SELECT id FROM events WHERE doc @> '{"kind": "k7"}';
                """)
            let advice = try await advise(database, workload)
            let definitions = advice.indexes.map(\.candidate.definition)
            #expect(definitions.contains("CREATE INDEX ON events (((doc ->> 'user')))"), "\(definitions)")
            #expect(definitions.contains("CREATE INDEX ON events USING gin (doc jsonb_path_ops)"), "\(definitions)")
            let served = try #require(advice.indexes.flatMap(\.serves).first { $0.statement.contains("->>") })
            #expect(served.planAfter?.contains("Seq Scan") == false, "\(served.planAfter ?? "")")
            // Built for real, both statements leave the sequential scan.
            let migration = AdviceReport.migration(advice)
            #expect(migration.contains("events_doc_path_gin_idx"), "\(migration)")
            try await database.withConnection { connection in
                for recommendation in advice.indexes {
                    try await connection.query(PostgresQuery(unsafeSQL: recommendation.candidate.definition))
                }
                try await connection.query("ANALYZE events")
                try await PlanningSession.with(connection) { session in
                    for statement in workload.statements {
                        let plan = try await session.explain(statement.sql)
                        #expect(!plan.outline.contains("Seq Scan"), "\(statement.sql): \(plan.outline)")
                    }
                }
            }
        }
    }

    /// `count(DISTINCT visitor_id) … WHERE site_id = $1` gets (site_id, visitor_id), read by an
    /// index-only scan; `EXISTS (… v.site_id = s.id AND v.visitor_id = $1)` and
    /// `id IN (SELECT site_id FROM visits WHERE visitor_id = $1)` are semi-joins that a lookup on
    /// the subquery's filter answers without scanning visits.
    @Test func countDistinctAndSemiJoinsGetIndexesThatMakeThemCheap() async throws {
        let semi = StatementParser.parse("SELECT id FROM sites WHERE id IN (SELECT site_id FROM visits WHERE visitor_id = $1)")
        #expect(semi.predicates.contains { $0.column.name == "site_id" && $0.operand == .column(ColumnRef("id")) })
        #expect(StatementParser.parse("SELECT count(DISTINCT v.visitor_id) FROM visits v WHERE v.site_id = $1").distinctAggregates == [ColumnRef("visitor_id", qualifier: "v")])
        try await TestPostgres.withFreshDatabase { database, url in
            try await seed(url, [
                "CREATE EXTENSION IF NOT EXISTS hypopg",
                "CREATE TABLE sites (id integer PRIMARY KEY, owner_id integer NOT NULL, name text NOT NULL)",
                "INSERT INTO sites SELECT g, g % 50, 'site ' || g FROM generate_series(1, 2000) g",
                """
                CREATE TABLE visits (id bigint PRIMARY KEY, site_id integer NOT NULL, visitor_id integer NOT NULL,
                    at timestamptz NOT NULL, path text NOT NULL)
                """,
                """
                INSERT INTO visits SELECT g, (g * 7919) % 200, (g::bigint * 104729) % 20000, now() - g * interval '1 second', '/page/' || (g % 1000)
                FROM generate_series(1, 200000) g
                """,
                "VACUUM ANALYZE sites",
                "VACUUM ANALYZE visits",
                Self.allVisible("visits"),
            ])
            let workload = Workload(source: .appStats, statements: [
                WorkloadStatement(sql: "SELECT count(DISTINCT visitor_id) FROM visits WHERE site_id = $1", calls: 300, totalTimeMs: 9000, rows: 300),
                WorkloadStatement(sql: "SELECT s.id, s.name FROM sites s WHERE EXISTS (SELECT 1 FROM visits v WHERE v.site_id = s.id AND v.visitor_id = $1)",
                                  calls: 200, totalTimeMs: 6000, rows: 2000),
                WorkloadStatement(sql: "SELECT id, name FROM sites WHERE id IN (SELECT site_id FROM visits WHERE visitor_id = $1)",
                                  calls: 200, totalTimeMs: 6000, rows: 2000),
            ])
            let advice = try await advise(database, workload)
            let definitions = advice.indexes.map(\.candidate.definition)
            #expect(definitions.contains("CREATE INDEX ON visits (site_id, visitor_id)"), "\(definitions)\n\(AdviceReport.migration(advice))")
            let served = advice.indexes.flatMap(\.serves)
            let counting = try #require(served.first { $0.statement.contains("distinct") })
            #expect(counting.planAfter?.contains("Index Only Scan") == true, "\(counting.planAfter ?? "")")
            for text in ["exists", "in (select"] {
                let statement = try #require(served.first { $0.statement.contains(text) }, "\(text) not served: \(definitions)")
                #expect(statement.planAfter?.contains("Seq Scan on visits") == false, "\(statement.planAfter ?? "")")
                #expect(statement.costAfter < statement.costBefore / 10)
            }
        }
    }

    /// A covering index is recommended only when an index-only scan saves clearly more than the same
    /// keys without the INCLUDE columns: a one-row lookup by order number gets the plain key; a sum
    /// over a thousand rows per customer gets (customer_id) INCLUDE (total).
    @Test func includeColumnsOnlyWhenAnIndexOnlyScanPays() async throws {
        try await TestPostgres.withFreshDatabase { database, url in
            try await seed(url, [
                "CREATE EXTENSION IF NOT EXISTS hypopg",
                """
                CREATE TABLE purchases (id bigint PRIMARY KEY, order_no text NOT NULL, customer_id integer NOT NULL,
                    total integer NOT NULL, note text NOT NULL)
                """,
                "INSERT INTO purchases SELECT g, 'N' || g, (g * 31) % 200, g % 997, repeat('n', 120) FROM generate_series(1, 200000) g",
                "VACUUM ANALYZE purchases",
                Self.allVisible("purchases"),
            ])
            let workload = Workload(source: .appStats, statements: [
                WorkloadStatement(sql: "SELECT total FROM purchases WHERE order_no = $1", calls: 1000, totalTimeMs: 20000, rows: 1000),
                WorkloadStatement(sql: "SELECT sum(total) FROM purchases WHERE customer_id = $1", calls: 100, totalTimeMs: 5000, rows: 100),
            ])
            let advice = try await advise(database, workload)
            let definitions = advice.indexes.map(\.candidate.definition)
            #expect(definitions.contains("CREATE INDEX ON purchases (order_no)"), "\(definitions)")
            #expect(!definitions.contains { $0.contains("(order_no) INCLUDE") }, "\(definitions)")
            #expect(definitions.contains("CREATE INDEX ON purchases (customer_id) INCLUDE (total)"), "\(definitions)\n\(AdviceReport.migration(advice))")
            let rejected = advice.rejected.first { $0.definition == "CREATE INDEX ON purchases (order_no) INCLUDE (total)" }
            #expect(rejected?.reason.contains("INCLUDE columns do not pay") == true, "\(advice.rejected)")
        }
    }

    /// On a skewed column the generic plan of `status = $1` expects a third of the table and no index
    /// looks worth it; pg_stat_statements' rows per call (1,000) match the rare 'open' among pg_stats'
    /// most-common values, and planned with it the index is found. When the rows per call match the
    /// generic guess, the statement keeps its generic plan and gets no index.
    @Test func mostCommonValuesStandInForParametersWhenTheGenericPlanHidesTheGain() async throws {
        try await TestPostgres.withFreshDatabase { database, url in
            try await seed(url, [
                "CREATE EXTENSION IF NOT EXISTS hypopg",
                "CREATE TABLE tickets (id bigint PRIMARY KEY, status text NOT NULL, title text NOT NULL)",
                """
                INSERT INTO tickets SELECT g, CASE WHEN g % 200 = 0 THEN 'open' WHEN g % 10 = 1 THEN 'resolved' ELSE 'closed' END,
                    'ticket ' || g
                FROM generate_series(1, 200000) g
                """,
                "VACUUM ANALYZE tickets",
            ])
            let sql = "SELECT id, title FROM tickets WHERE status = $1"
            let shape = StatementParser.parse(sql)
            #expect(shape.predicates.first?.parameterNumber == 1)
            let rare = try await advise(database, Workload(source: .statStatements, statements: [
                WorkloadStatement(sql: sql, calls: 100, totalTimeMs: 3000, rows: 100 * 1000),
            ]))
            let definitions = rare.indexes.map(\.candidate.definition)
            #expect(definitions.contains { $0.hasPrefix("CREATE INDEX ON tickets (status") }, "\(definitions)\n\(AdviceReport.migration(rare))")
            let served = try #require(rare.indexes.first?.serves.first)
            #expect(served.costAfter < served.costBefore / 3, "\(served)")
            #expect(served.statement == sql.lowercased() || served.statement.contains("$1"), "the report keeps the parameter: \(served.statement)")

            let common = try await advise(database, Workload(source: .statStatements, statements: [
                WorkloadStatement(sql: sql, calls: 100, totalTimeMs: 3000, rows: 100 * 66000),
            ]))
            #expect(common.indexes.isEmpty, "\(common.indexes.map(\.candidate.definition))")
        }
    }
}
