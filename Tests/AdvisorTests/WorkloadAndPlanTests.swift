@testable import Advisor
import Database
import Foundation
import Testing

@Suite struct WorkloadAndPlanTests {
    @Test func sqlFileWeightsStatementsWithCallsComments() {
        let workload = WorkloadFile.parseSQL("""
            -- calls: 250
            SELECT id FROM products WHERE category_id = 3;
            SELECT id FROM products WHERE category_id = 9;
            SET work_mem = '1GB';
            SELECT now();
            """)
        // Same fingerprint: merged; SET and table-less statements dropped.
        #expect(workload.statements.count == 1)
        #expect(workload.statements.first?.calls == 251)
    }

    @Test func appStatsJSONIsAcceptedAsArrayOrWrapped() throws {
        let array = #"[{"query": "SELECT * FROM variants WHERE product_id = $1", "calls": 40, "total_time_ms": 12.5, "requests": 4}]"#
        let workload = try WorkloadFile.parseAppStats(Data(array.utf8))
        #expect(workload.statements.first?.requests == 4)
        #expect(workload.statements.first?.meanTimeMs == 12.5 / 40)
        let wrapped = #"{"queries": [{"query": "SELECT 1 FROM t", "calls": 1, "total_time_ms": 1}]}"#
        #expect(try WorkloadFile.parseAppStats(Data(wrapped.utf8)).statements.count == 1)
        #expect(throws: AdvisorError.self) { try WorkloadFile.parseAppStats(Data("{\"nope\": 1}".utf8)) }
    }

    /// `/admin/queries` publishes one row per store fingerprint; the advisor must keep exactly those
    /// rows apart (and merge a statement's other spellings into them), so it groups by the same one.
    @Test func appStatsGroupByTheFingerprintThatMadeThem() throws {
        let statements = [
            "SELECT id FROM orders WHERE buyer_id = $1 AND seller_id = $1",
            "SELECT id FROM orders WHERE buyer_id = $1 AND seller_id = $2",
            "SELECT id FROM orders WHERE buyer_id IN (1, 2, 3) AND status = 'open'",
        ]
        let rows = statements.map { sql in
            let fingerprint = QueryFingerprint(sql: sql)
            return #"{"fingerprint_id": "\#(fingerprint.hexID)", "query": "\#(fingerprint.normalized)", "calls": 10, "total_time_ms": 5}"#
        }
        let workload = try WorkloadFile.parseAppStats(Data("[\(rows.joined(separator: ","))]".utf8))
        #expect(workload.statements.count == statements.count)
        #expect(Set(workload.statements.map { QueryFingerprint(sql: $0.sql).id }) == Set(statements.map { QueryFingerprint(sql: $0).id }))
        // The same statement as pg_stat_statements spells it joins the store's row.
        let mixed = Workload(source: .appStats, statements: workload.statements + [
            WorkloadStatement(sql: "SELECT id FROM orders WHERE buyer_id = $1 AND seller_id = $2", calls: 5, totalTimeMs: 1),
        ])
        #expect(mixed.statements.count == statements.count)
        #expect(mixed.statements.map(\.calls).sorted() == [10, 10, 15])
    }

    @Test func systemAndAdvisorStatementsAreNotPartOfTheWorkload() {
        let workload = Workload(source: .statStatements, statements: [
            WorkloadStatement(sql: "SELECT * FROM pg_stat_statements"),
            WorkloadStatement(sql: "SELECT extract($1 from now() - stats_reset) FROM pg_stat_statements_info"),
            WorkloadStatement(sql: "SELECT indexrelid FROM hypopg_create_index($1)"),
            WorkloadStatement(sql: "BEGIN"),
            WorkloadStatement(sql: "SELECT id FROM orders WHERE id = $1"),
        ])
        #expect(workload.statements.map(\.sql) == ["SELECT id FROM orders WHERE id = $1"])
    }

    @Test func planModelReadsExplainJSON() throws {
        let json = """
            [{"Plan": {"Node Type": "Limit", "Startup Cost": 0.29, "Total Cost": 8.3, "Plan Rows": 1, "Plan Width": 8,
              "Plans": [{"Node Type": "Index Scan", "Relation Name": "products", "Alias": "p", "Index Name": "products_pkey",
                         "Startup Cost": 0.29, "Total Cost": 8.3, "Plan Rows": 1, "Plan Width": 8, "Index Cond": "(id = $1)"},
                        {"Node Type": "Sort", "Startup Cost": 1, "Total Cost": 2, "Plan Rows": 5, "Plan Width": 8,
                         "Sort Key": ["p.price_minor", "p.id"], "Sort Space Type": "Disk", "Actual Rows": 5, "Actual Loops": 2}]}}]
            """
        let plan = try Plan.parse(json: json)
        #expect(plan.totalCost == 8.3)
        #expect(plan.root.allNodes.count == 3)
        #expect(plan.root.allNodes[1].indexCond == "(id = $1)")
        #expect(plan.root.allNodes[2].sortKey == ["p.price_minor", "p.id"])
        #expect(plan.root.allNodes[2].actualTotalRows == 10)
    }

    @Test func candidatesPutEqualityFirstThenRangeOrSortKeysAndGoPartialForConstants() {
        let table = TableInfo.analyzed("tickets", oid: 1, rows: 100_000, [
            ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
            ColumnInfo(name: "project_id", type: "integer", averageWidth: 4, distinct: 500),
            ColumnInfo(name: "state", type: "text", averageWidth: 6, distinct: 4),
            ColumnInfo(name: "opened_at", type: "timestamp with time zone", averageWidth: 8, distinct: -1),
        ])
        let catalog = Catalog(tables: [table], indexes: [])
        let shape = StatementParser.parse("SELECT id FROM tickets WHERE project_id = $1 AND state = 'open' ORDER BY opened_at DESC LIMIT 20")
        let access = CandidateGenerator.accesses(shape, catalog: catalog)
        #expect(access.count == 1)
        let candidates = CandidateGenerator.candidates(for: access[0], catalog: catalog)
        let definitions = candidates.map(\.definition)
        #expect(definitions.contains("CREATE INDEX ON tickets (project_id, state, opened_at)"))
        #expect(definitions.contains("CREATE INDEX ON tickets (project_id, opened_at) WHERE state = 'open'"))
        #expect(definitions.contains { $0.contains("INCLUDE (id)") })
        #expect(candidates.allSatisfy { $0.migrationDDL.hasPrefix("CREATE INDEX CONCURRENTLY tickets_") })
    }

    /// Filters no key can search become trailing keys (an index-only scan applies them), and the
    /// partial variant for `IS NULL` keeps them: `(owner_id, status)`, `(status) WHERE owner_id IS NULL`.
    @Test func filtersNoKeyCanSearchBecomeTrailingKeys() {
        let table = TableInfo.analyzed("tickets", oid: 1, rows: 100_000, [
            ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
            ColumnInfo(name: "owner_id", type: "integer", averageWidth: 4, distinct: 60, nullFraction: 0.2),
            ColumnInfo(name: "status", type: "integer", averageWidth: 4, distinct: 5),
        ])
        let catalog = Catalog(tables: [table], indexes: [])
        let shape = StatementParser.parse("SELECT count(*) FROM tickets WHERE NOT (status IN ($1, $2)) AND owner_id IS NULL")
        let access = CandidateGenerator.accesses(shape, catalog: catalog)
        #expect(access.first?.filters == ["status"])
        let definitions = CandidateGenerator.candidates(for: access[0], catalog: catalog).map(\.definition)
        #expect(definitions.contains("CREATE INDEX ON tickets (owner_id, status)"), "\(definitions)")
        #expect(definitions.contains("CREATE INDEX ON tickets (status) WHERE owner_id IS NULL"), "\(definitions)")
        // 20 % NULL but tested with IS NULL: no `IS NOT NULL` variant.
        #expect(!definitions.contains { $0.contains("IS NOT NULL") }, "\(definitions)")
    }

    /// A mostly-NULL column compared with a value gets the `IS NOT NULL` variant; a column with few
    /// NULLs does not.
    @Test func mostlyNullColumnsComparedWithValuesGetIsNotNullVariants() {
        let table = TableInfo.analyzed("invoices", oid: 1, rows: 100_000, [
            ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
            ColumnInfo(name: "ref_id", type: "integer", averageWidth: 4, distinct: -0.1, nullFraction: 0.9),
            ColumnInfo(name: "total", type: "integer", averageWidth: 4, distinct: 1000, nullFraction: 0.01),
        ])
        let catalog = Catalog(tables: [table], indexes: [])
        let shape = StatementParser.parse("SELECT id FROM invoices WHERE ref_id = $1 AND total > $2")
        let access = CandidateGenerator.accesses(shape, catalog: catalog)
        let definitions = CandidateGenerator.candidates(for: access[0], catalog: catalog).map(\.definition)
        #expect(definitions.contains("CREATE INDEX ON invoices (ref_id) WHERE ref_id IS NOT NULL"), "\(definitions)")
        #expect(definitions.contains("CREATE INDEX ON invoices (ref_id, total) WHERE ref_id IS NOT NULL"), "\(definitions)")
        #expect(!definitions.contains { $0.contains("total IS NOT NULL") }, "\(definitions)")
    }
}
