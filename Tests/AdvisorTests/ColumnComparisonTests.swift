@testable import Advisor
import Testing

/// Two columns of one row compared (`l_commitdate < l_receiptdate`): a condition with no parameter,
/// so a partial index's predicate; and the FROM-list reordering that lets HypoPG show the planner a
/// partial or expression index on a table that is not the first in FROM.
@Suite struct ColumnComparisonTests {
    static let lines = TableInfo.analyzed("lines", oid: 11, rows: 300_000, [
        ColumnInfo(name: "order_id", type: "integer", averageWidth: 4, distinct: 75_000),
        ColumnInfo(name: "shipped_on", type: "date", averageWidth: 4, distinct: 2500),
        ColumnInfo(name: "committed_on", type: "date", averageWidth: 4, distinct: 2500),
        ColumnInfo(name: "received_on", type: "date", averageWidth: 4, distinct: 2500),
        ColumnInfo(name: "mode", type: "text", averageWidth: 5, distinct: 7),
    ])
    static let orders = TableInfo.analyzed("orders", oid: 12, rows: 75_000, [
        ColumnInfo(name: "id", type: "integer", averageWidth: 4, distinct: -1),
        ColumnInfo(name: "priority", type: "text", averageWidth: 8, distinct: 5),
    ])

    func definitions(_ sql: String) -> [String] {
        let catalog = Catalog(tables: [Self.lines, Self.orders], indexes: [])
        return CandidateGenerator.accesses(StatementParser.parse(sql), catalog: catalog)
            .flatMap { CandidateGenerator.candidates(for: $0, catalog: catalog) }.map(\.definition)
    }

    @Test func aComparisonOfTwoColumnsOfTheRowIsAPartialPredicate() {
        let found = definitions("""
            SELECT o.priority, count(*) FROM orders o, lines l
            WHERE o.id = l.order_id AND l.committed_on < l.received_on AND l.shipped_on < l.committed_on
              AND l.received_on >= date '1994-01-01' AND l.received_on < date '1995-01-01'
            GROUP BY o.priority
            """)
        #expect(found.contains("CREATE INDEX ON lines (received_on) WHERE committed_on < received_on AND shipped_on < committed_on"), "\(found)")
        // The comparison is no join: neither column becomes a join key, and the plain candidates stay.
        #expect(found.contains("CREATE INDEX ON lines (received_on)"), "\(found)")
        #expect(!found.contains { $0.contains("(committed_on") || $0.contains("(shipped_on") }, "\(found)")
    }

    @Test func withAConstantTooBothPredicatesAreCandidates() {
        let found = definitions("SELECT count(*) FROM lines WHERE mode = 'MAIL' AND shipped_on <> committed_on AND order_id = $1")
        #expect(found.contains("CREATE INDEX ON lines (order_id) WHERE mode = 'MAIL' AND shipped_on <> committed_on"), "\(found)")
        #expect(found.contains("CREATE INDEX ON lines (order_id) WHERE mode = 'MAIL'"), "\(found)")
    }

    @Test func partialIndexesOnTheSameKeysHaveNamesOfTheirOwn() {
        let keys = [IndexKey("l_orderkey")]
        let flagged = IndexCandidate(table: "lineitem", tableName: "lineitem", keys: keys, predicate: "l_returnflag = 'R'")
        let late = IndexCandidate(table: "lineitem", tableName: "lineitem", keys: keys, predicate: "l_commitdate < l_receiptdate AND l_shipdate < l_commitdate")
        let sparse = IndexCandidate(table: "lineitem", tableName: "lineitem", keys: keys, predicate: "l_orderkey IS NOT NULL")
        #expect(flagged.name == "lineitem_l_orderkey_l_returnflag_partial_idx")
        #expect(sparse.name == "lineitem_l_orderkey_partial_idx")
        // Cut to 63 bytes, the name ends with a hash of the definition.
        #expect(late.name.count <= 63 && late.name.hasPrefix("lineitem_l_orderkey_l_commitdate_l_receiptdate") && late.name.hasSuffix("_idx"), "\(late.name)")
        var other = late
        other.predicate = "l_commitdate < l_receiptdate AND l_shipdate <= l_commitdate"
        #expect(other.name != late.name)
        // And a name already taken gets a number.
        #expect(flagged.name(avoiding: [flagged.name]) == "lineitem_l_orderkey_l_returnflag_partial_2_idx")
        #expect(flagged.name(avoiding: [flagged.name, "lineitem_l_orderkey_l_returnflag_partial_2_idx"]) == "lineitem_l_orderkey_l_returnflag_partial_3_idx")
        #expect(late.name(avoiding: [late.name]).count <= 63)
    }

    @Test(arguments: [
        // Two references to one table are two rows: no predicate of either.
        "SELECT count(*) FROM lines a JOIN lines b ON b.order_id = a.order_id WHERE a.shipped_on < b.shipped_on AND a.order_id = $1",
        // Negated, the comparison keeps other rows than the one written.
        "SELECT count(*) FROM lines WHERE NOT (shipped_on < committed_on) AND order_id = $1",
        // On one side of an OR it holds for that side only.
        "SELECT count(*) FROM lines WHERE order_id = $1 AND (shipped_on < committed_on OR mode = 'AIR')",
    ])
    func comparisonsThatAreNotOneRowsConditionMakeNoPredicate(sql: String) {
        let found = definitions(sql)
        #expect(!found.contains { $0.contains("WHERE") && $0.contains("_on <") }, "\(found)")
        #expect(!found.contains { $0.contains("WHERE NOT") }, "\(found)")
    }

    /// A list of tables stays a list; a chain of joins is reordered where it starts with inner joins,
    /// every partner joined ON TRUE but the last, which takes their conditions.
    @Test(arguments: [
        ("SELECT count(*) FROM orders, lines WHERE id = order_id AND committed_on < received_on",
         "select count(*) from lines, orders where id = order_id and committed_on < received_on"),
        ("SELECT o.priority FROM orders AS o INNER JOIN lines l ON l.order_id = o.id WHERE l.mode = 'AIR' OR l.mode = 'SHIP' ORDER BY 1 LIMIT 5",
         "select o.priority from lines l join orders as o on (l.order_id = o.id) where l.mode = 'AIR' or l.mode = 'SHIP' order by 1 limit 5"),
        ("SELECT o.priority FROM orders o JOIN lines l ON l.order_id = o.id CROSS JOIN nations n GROUP BY 1",
         "select o.priority from lines l join orders o on true join nations n on (l.order_id = o.id) group by 1"),
        ("SELECT 1 FROM public.orders o, public.lines l WHERE l.order_id = o.id;",
         "select 1 from public.lines l, public.orders o where l.order_id = o.id"),
        ("SELECT o.priority FROM orders o INNER JOIN lines l ON l.order_id = o.id LEFT OUTER JOIN nations n ON n.id = o.nation_id WHERE l.mode = 'AIR'",
         "select o.priority from lines l join orders o on (l.order_id = o.id) left join nations n on n.id = o.nation_id where l.mode = 'AIR'"),
        ("SELECT 1 FROM a JOIN b ON b.a_id = a.id JOIN lines l ON l.b_id = b.id LEFT JOIN c ON c.id = l.c_id",
         "select 1 from lines l join a on true join b on (b.a_id = a.id) and (l.b_id = b.id) left join c on c.id = l.c_id"),
    ])
    func theTableMovesFirstAndItsInnerJoinsKeepTheirConditions(sql: String, expected: String) throws {
        let reordered = try #require(FromListOrder.withFirst(sql, table: "lines", schema: "public"))
        #expect(reordered == expected, "\(reordered)")
        // The same statement: the same predicates, read from the new text.
        let before = StatementParser.parse(sql), after = StatementParser.parse(reordered)
        #expect(Set(after.predicates.map(\.column)) == Set(before.predicates.map(\.column)))
        #expect(Set(after.tables.map(\.name)) == Set(before.tables.map(\.name)))
    }

    /// A FROM item led by the table, with an outer join hung on it, moves ahead of the others whole.
    @Test func anItemLedByTheTableMovesFirstWithItsOuterJoins() {
        let reordered = FromListOrder.withFirst("SELECT 1 FROM a, lines l LEFT JOIN b ON b.l_id = l.id WHERE l.a_id = a.id", table: "lines", schema: "public")
        #expect(reordered == "select 1 from lines l left join b on b.l_id = l.id, a where l.a_id = a.id")
    }

    @Test(arguments: [
        "SELECT 1 FROM lines, orders WHERE id = order_id",  // already first
        "SELECT 1 FROM orders o LEFT JOIN lines l ON l.order_id = o.id",  // the nullable side of an outer join
        "SELECT 1 FROM orders o LEFT JOIN nations n ON n.id = o.nation_id JOIN lines l ON l.order_id = o.id",  // after one
        "SELECT 1 FROM orders o NATURAL JOIN lines l",
        "SELECT 1 FROM orders o JOIN lines l USING (id)",
        "SELECT 1 FROM orders o, (SELECT order_id FROM lines) l WHERE l.order_id = o.id",
        "SELECT 1 FROM orders o, lines a, lines b WHERE a.order_id = o.id AND b.order_id = o.id",  // which one?
        "SELECT 1 FROM orders WHERE EXISTS (SELECT 1 FROM lines WHERE order_id = id)",
        "WITH x AS (SELECT 1) SELECT 1 FROM orders, lines",
        "UPDATE lines SET mode = 'AIR' FROM orders WHERE order_id = id",
        "SELECT 1 FROM orders, ONLY lines",
        "SELECT 1 FROM orders o, generate_series(1, 3) g, lines l",
        "SELECT 1 FROM orders o, other.lines l",  // another schema's table
    ])
    func otherwiseTheTextStays(sql: String) {
        #expect(FromListOrder.withFirst(sql, table: "lines", schema: "public") == nil)
    }
}

/// Plans that read a hypothetical partial index whole, row by row from the table: PostgreSQL's cost for
/// them assumes the index's rows are packed into its share of the table's pages.
@Suite struct PartialIndexReadWholeTests {
    func scan(_ type: String, index: String, cond: String? = nil) -> PlanNode {
        var node = PlanNode(nodeType: type, relationName: "lineitem")
        node.indexName = index
        node.indexCond = cond
        return node
    }

    @Test func anIndexScanWithoutIndexCondBelowAHashReadsItWhole() {
        let plan = Plan(root: PlanNode(nodeType: "Aggregate", plans: [
            PlanNode(nodeType: "Hash Join", plans: [
                PlanNode(nodeType: "Seq Scan", relationName: "orders"),
                PlanNode(nodeType: "Hash", plans: [scan("Index Scan", index: "<13556>btree_lineitem_l_orderkey")]),
            ]),
        ]))
        #expect(IndexAdvisor.readsPartialIndexWhole(plan, indexOID: 13556))
        // Another hypothetical index's scan is not this candidate's.
        #expect(!IndexAdvisor.readsPartialIndexWhole(plan, indexOID: 1355))
    }

    @Test(arguments: [
        // A lookup: the index condition bounds what it reads.
        ("Index Scan", "(l_receiptdate >= '1994-01-01'::date)", "Aggregate"),
        // No table pages: its cost is the index's own.
        ("Index Only Scan", nil, "Aggregate"),
        // Costed by the pages it visits.
        ("Bitmap Index Scan", nil, "Aggregate"),
        // A LIMIT stops it (a top-N listing in the index's order).
        ("Index Scan", nil, "Limit"),
    ] as [(String, String?, String)])
    func lookupsIndexOnlyBitmapAndLimitedScansAreTakenAtTheirCost(type: String, cond: String?, top: String) {
        let plan = Plan(root: PlanNode(nodeType: top, plans: [scan(type, index: "<42>btree_t_a", cond: cond)]))
        #expect(!IndexAdvisor.readsPartialIndexWhole(plan, indexOID: 42))
    }

    @Test func aLimitAboveASortDoesNotStopTheScanBelowIt() {
        let plan = Plan(root: PlanNode(nodeType: "Limit", plans: [
            PlanNode(nodeType: "Sort", plans: [scan("Index Scan", index: "<42>btree_t_a")]),
        ]))
        #expect(IndexAdvisor.readsPartialIndexWhole(plan, indexOID: 42))
    }
}
