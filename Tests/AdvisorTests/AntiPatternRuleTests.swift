@testable import Advisor
import Testing

/// Each rule: one statement that must trigger it, one that must not (no database needed).
@Suite struct AntiPatternRuleTests {
    func codes(_ sql: String, _ rule: any LintRule, plan: Plan? = nil, calls: Double = 1, requests: Double? = nil) -> [String] {
        rule.check(LintInput(statement: WorkloadStatement(sql: sql, calls: calls, requests: requests), plan: plan)).map(\.code)
    }

    @Test func deepOffset() {
        #expect(codes("SELECT id FROM products ORDER BY id LIMIT 20 OFFSET 50000", DeepOffsetRule()) == ["deep_offset"])
        #expect(codes("SELECT id FROM products ORDER BY id LIMIT 20 OFFSET 20", DeepOffsetRule()).isEmpty)
    }

    @Test func deepOffsetSuggestsKeysetOnTheSortKeys() throws {
        let finding = try #require(DeepOffsetRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT id FROM p ORDER BY created_at, id LIMIT 20 OFFSET 9000"))).first)
        #expect(finding.fix.contains("WHERE (created_at, id) > ($last_created_at, $last_id)"))
        #expect(finding.statement?.contains("9000") == false)
    }

    @Test func leadingWildcardLike() {
        #expect(codes("SELECT id FROM products WHERE title ILIKE '%shirt%'", LeadingWildcardLikeRule()) == ["leading_wildcard_like"])
        #expect(codes("SELECT id FROM products WHERE title LIKE 'shirt%'", LeadingWildcardLikeRule()).isEmpty)
    }

    @Test func functionOnColumn() {
        #expect(codes("SELECT id FROM users WHERE lower(email) = $1", FunctionOnColumnRule()) == ["function_on_column"])
        #expect(codes("SELECT id FROM users WHERE email = lower($1)", FunctionOnColumnRule()).isEmpty)
    }

    @Test func functionOnColumnSuggestsARangeForDates() throws {
        let finding = try #require(FunctionOnColumnRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT id FROM orders WHERE date(created_at) = $1"))).first)
        #expect(finding.fix.contains("created_at >= $day AND created_at < $day + interval '1 day'"))
    }

    @Test func notInSubquery() {
        #expect(codes("SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans)", NotInSubqueryRule()) == ["not_in_subquery"])
        #expect(codes("SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM bans b WHERE b.user_id = u.id)", NotInSubqueryRule()).isEmpty)
        #expect(codes("SELECT id FROM users WHERE id NOT IN (1, 2)", NotInSubqueryRule()).isEmpty)
    }

    @Test func orAcrossColumns() {
        #expect(codes("SELECT id FROM users WHERE email = $1 OR phone = $2", OrAcrossColumnsRule()) == ["or_across_columns"])
        #expect(codes("SELECT id FROM users WHERE status = 'a' OR status = 'b'", OrAcrossColumnsRule()).isEmpty)
    }

    @Test func selectStarOnWideTables() {
        let wide = Catalog(tables: [table("events", columns: 14)], indexes: [])
        let narrow = Catalog(tables: [table("tags", columns: 2)], indexes: [])
        let rule = SelectStarRule()
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT * FROM events WHERE id = $1"), catalog: wide)).map(\.code) == ["select_star"])
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT * FROM tags WHERE id = $1"), catalog: narrow)).isEmpty)
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT id, c0 FROM events WHERE id = $1"), catalog: wide)).isEmpty)
    }

    @Test func exactCountOnBigTables() {
        let big = Catalog(tables: [table("orders", columns: 3, rows: 2_000_000)], indexes: [])
        let small = Catalog(tables: [table("orders", columns: 3, rows: 500)], indexes: [])
        let rule = ExactCountRule()
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT count(*) FROM orders"), catalog: big)).map(\.code) == ["exact_count"])
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT count(*) FROM orders"), catalog: small)).isEmpty)
        #expect(rule.check(LintInput(statement: WorkloadStatement(sql: "SELECT count(*) FROM orders WHERE customer_id = $1"), catalog: big)).isEmpty)
    }

    @Test func implicitCastReadFromThePlan() {
        let cast = Plan(root: PlanNode(nodeType: "Seq Scan", relationName: "products", filter: "((id)::numeric = 1.5)"))
        let clean = Plan(root: PlanNode(nodeType: "Index Scan", relationName: "products", filter: "(id = 15)"))
        #expect(codes("SELECT title FROM products WHERE id = 1.5", ImplicitCastRule(), plan: cast) == ["implicit_cast"])
        #expect(codes("SELECT title FROM products WHERE id = 15", ImplicitCastRule(), plan: clean).isEmpty)
        // A cast the SQL asks for is the function rule's business, not an implicit one.
        #expect(codes("SELECT title FROM products WHERE id::numeric = 1.5", ImplicitCastRule(), plan: cast).isEmpty)
    }

    @Test func nPlusOneFromTheAppStatistics() {
        #expect(codes("SELECT * FROM variants WHERE product_id = $1", NPlusOneRule(), calls: 5000, requests: 100) == ["n_plus_one"])
        #expect(codes("SELECT * FROM variants WHERE product_id = $1", NPlusOneRule(), calls: 100, requests: 100).isEmpty)
        #expect(codes("SELECT * FROM variants WHERE product_id = $1", NPlusOneRule(), calls: 5000, requests: nil).isEmpty)
    }

    @Test func planProblems() {
        let catalog = Catalog(tables: [table("orders", columns: 3, rows: 1_000_000)], indexes: [])
        let scan = Plan(root: PlanNode(nodeType: "Seq Scan", relationName: "orders", totalCost: 20000, planRows: 10, filter: "(customer_id = 42)"))
        let input = LintInput(statement: WorkloadStatement(sql: "SELECT id FROM orders WHERE customer_id = 42"), plan: scan, catalog: catalog)
        #expect(PlanProblemRule().check(input).map(\.code) == ["seq_scan_selective"])
        let broad = Plan(root: PlanNode(nodeType: "Seq Scan", relationName: "orders", totalCost: 20000, planRows: 900_000, filter: "(status <> 'x')"))
        #expect(PlanProblemRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT id FROM orders WHERE status <> 'x'"), plan: broad, catalog: catalog)).isEmpty)
        var sort = PlanNode(nodeType: "Sort", totalCost: 10, planRows: 10)
        sort.sortSpaceType = "Disk"
        #expect(PlanProblemRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT 1 FROM t ORDER BY a"), plan: Plan(root: sort))).map(\.code) == ["sort_spills_to_disk"])
        var loop = PlanNode(nodeType: "Nested Loop", plans: [PlanNode(nodeType: "Seq Scan", relationName: "a", planRows: 50_000), PlanNode(nodeType: "Index Scan", relationName: "b", planRows: 1)])
        #expect(PlanProblemRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT 1 FROM a JOIN b ON a.x = b.x"), plan: Plan(root: loop))).map(\.code) == ["nested_loop_many_rows"])
        loop.plans?[0].planRows = 10
        #expect(PlanProblemRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT 1 FROM a JOIN b ON a.x = b.x"), plan: Plan(root: loop))).isEmpty)
        var estimate = PlanNode(nodeType: "Seq Scan", relationName: "a", planRows: 10)
        estimate.actualRows = 50_000
        estimate.actualLoops = 1
        #expect(PlanProblemRule().check(LintInput(statement: WorkloadStatement(sql: "SELECT 1 FROM a"), plan: Plan(root: estimate))).map(\.code) == ["misestimate"])
    }

    @Test func tableHealth() {
        var bloated = table("carts", columns: 3, rows: 100_000)
        bloated.liveTuples = 100_000
        bloated.deadTuples = 60_000
        var healthy = table("brands", columns: 2, rows: 100_000)
        healthy.liveTuples = 100_000
        healthy.deadTuples = 100
        var stale = table("orders", columns: 2, rows: 100_000)
        stale.liveTuples = 100_000
        stale.modifiedSinceAnalyze = 50_000
        let findings = TableHealth.check(Catalog(tables: [bloated, healthy, stale], indexes: []))
        #expect(findings.filter { $0.code == "dead_tuples" }.map(\.table) == ["carts"])
        #expect(findings.filter { $0.code == "stale_statistics" }.map(\.table) == ["orders"])
    }

    func table(_ name: String, columns: Int, rows: Double = 1000) -> TableInfo {
        TableInfo(
            oid: Int64(name.count), schema: "public", name: name, estimatedRows: rows, totalBytes: 0, liveTuples: 0, deadTuples: 0,
            modifiedSinceAnalyze: 0, writes: 0, seqScans: 0, everAnalyzed: true,
            columns: (0..<columns).map { ColumnInfo(name: "c\($0)", type: "text", averageWidth: 20, distinct: -1) }
        )
    }
}
