@testable import Advisor
import Testing

extension TableInfo {
    /// A vacuumed, analyzed table with `rows` live rows, for candidate tests without a database.
    static func analyzed(_ name: String, oid: Int64, rows: Double, _ columns: [ColumnInfo]) -> TableInfo {
        TableInfo(
            oid: oid, schema: "public", name: name, estimatedRows: rows, totalBytes: 0, liveTuples: Int64(rows), deadTuples: 0,
            modifiedSinceAnalyze: 0, writes: 0, seqScans: 0, everAnalyzed: true, columns: columns
        )
    }
}

/// Statements and candidates the store's own workload never had (issue #20): PREPARE texts,
/// expression keys, top-N listings, partial indexes for IS NULL, pattern searches.
@Suite struct UnseenWorkloadShapeTests {
    static let users = TableInfo.analyzed("users", oid: 7, rows: 200_000, [
        ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
        ColumnInfo(name: "account_id", type: "integer", averageWidth: 4, distinct: 2000),
        ColumnInfo(name: "email", type: "text", averageWidth: 20, distinct: -1),
        ColumnInfo(name: "name", type: "character varying(80)", averageWidth: 12, distinct: -0.5),
        ColumnInfo(name: "active", type: "boolean", averageWidth: 1, distinct: 2),
        ColumnInfo(name: "score", type: "integer", averageWidth: 4, distinct: 1000),
        ColumnInfo(name: "deleted_at", type: "timestamp with time zone", averageWidth: 8, distinct: -0.1),
        ColumnInfo(name: "created_at", type: "timestamp with time zone", averageWidth: 8, distinct: -1),
    ])

    func definitions(_ sql: String) -> [String] {
        let catalog = Catalog(tables: [Self.users], indexes: [])
        return CandidateGenerator.accesses(StatementParser.parse(sql), catalog: catalog)
            .flatMap { CandidateGenerator.candidates(for: $0, catalog: catalog) }.map(\.definition)
    }

    @Test(arguments: [
        ("PREPARE p(text) AS select id from users where lower(email) = $1", "select id from users where lower(email) = $1", ["text"]),
        ("prepare q as select id from users where account_id = $1 limit $2", "select id from users where account_id = $1 limit $2", []),
        ("PREPARE \"Odd\"\"Name\" (numeric(10, 2), int) AS\n  UPDATE users SET score = $2 WHERE id = $1", "UPDATE users SET score = $2 WHERE id = $1", ["numeric(10, 2)", "int"]),
        ("PREPARE w AS(SELECT 1 FROM users)", "(SELECT 1 FROM users)", []),
    ])
    func prepareTextsUnwrapToTheirStatementAndDeclaredTypes(text: String, statement: String, types: [String]) throws {
        let unwrapped = try #require(PreparedStatementText.unwrap(text))
        #expect(unwrapped.statement == statement)
        #expect(unwrapped.parameterTypes == types)
    }

    @Test(arguments: ["SELECT 1 FROM users", "preparex AS SELECT 1", "PREPARE p", "PREPARE p(int AS SELECT 1", "EXECUTE p(1)"])
    func nonPrepareTextsAreLeftAlone(text: String) {
        #expect(PreparedStatementText.unwrap(text) == nil)
    }

    @Test func aPrepareOnlyWorkloadIsAWorkloadAndMergesWithThePlainStatement() {
        let workload = Workload(source: .statStatements, statements: [
            WorkloadStatement(sql: "prepare p(text) as select id from users where lower(email) = $1", calls: 30, totalTimeMs: 90),
            WorkloadStatement(sql: "PREPARE other(text) AS SELECT id FROM users WHERE lower(email) = $1", calls: 10, totalTimeMs: 10),
            WorkloadStatement(sql: "EXECUTE p($1)", calls: 5),
            WorkloadStatement(sql: "DEALLOCATE p", calls: 5),
        ])
        #expect(workload.statements.count == 1)
        #expect(workload.statements.first?.sql == "select id from users where lower(email) = $1")
        #expect(workload.statements.first?.calls == 40)
        #expect(workload.statements.first?.parameterTypes == ["text"])
    }

    @Test func limitAndOffsetParametersArePlannedWithRepresentativeValuesAndTheRestRenumbered() {
        let planned = PlannableStatement.withRepresentativeRowCounts(
            "SELECT id FROM users WHERE account_id = $1 ORDER BY created_at LIMIT $2 OFFSET $3", parameterTypes: [], limit: 20)
        #expect(planned.sql == "select id from users where account_id = $1 order by created_at limit 20 offset 0")
        // pg_stat_statements numbers constants in order: the LIMIT can come before a real parameter.
        let middle = PlannableStatement.withRepresentativeRowCounts(
            "SELECT id FROM (SELECT id FROM users LIMIT $1) s WHERE id > $2", parameterTypes: ["int", "bigint"], limit: 5)
        #expect(middle.sql == "select id from (select id from users limit 5) s where id > $1")
        #expect(middle.parameterTypes == ["bigint"])
        // A parameter used elsewhere too stays a parameter.
        let reused = PlannableStatement.withRepresentativeRowCounts("SELECT id FROM users WHERE score > $1 LIMIT $1", parameterTypes: [], limit: 5)
        #expect(reused.sql == "SELECT id FROM users WHERE score > $1 LIMIT $1")
        // Rows per call say what a page returns.
        let statement = WorkloadStatement(sql: "SELECT id FROM users ORDER BY created_at DESC LIMIT $1", calls: 10, rows: 250)
        #expect(PlannableStatement(statement).sql.hasSuffix("limit 25"))
    }

    @Test func wrappedColumnsBecomeIndexableExpressions() {
        let shape = StatementParser.parse("SELECT u.id FROM users u WHERE lower(u.email) = $1 AND UPPER(u.name) LIKE UPPER($2) AND u.name ILIKE 'bo%' AND created_at::date = $3")
        #expect(shape.predicates.contains { $0.expression == "lower(email)" && $0.op == .equal })
        #expect(shape.predicates.contains { $0.expression == "upper(name)" && $0.op == .like && $0.pattern == nil })
        #expect(shape.predicates.contains { $0.column.name == "name" && $0.caseInsensitive && $0.pattern == "bo%" })
        #expect(shape.predicates.contains { $0.expression == "(created_at)::date" && $0.op == .equal })
        // pg_stat_statements turns `date_trunc('day', …)` into `date_trunc($1, …)`: not indexable.
        #expect(StatementParser.parse("SELECT 1 FROM users WHERE date_trunc($1, created_at) = $2").predicates.allSatisfy { $0.expression == nil })
    }

    @Test func expressionEqualityGetsAnExpressionIndex() {
        #expect(definitions("SELECT id FROM users WHERE lower(email) = $1").contains("CREATE INDEX ON users ((lower(email)))"))
        #expect(definitions("SELECT id FROM users WHERE account_id = $1 AND date_trunc('day', created_at) = $2")
            .contains("CREATE INDEX ON users ((date_trunc('day', created_at)), account_id)"))
    }

    @Test func prefixPatternGetsPatternOpsAndContainsPatternGetsTrigramOnTheExpression() {
        let prefix = definitions("SELECT id FROM users WHERE upper(name) LIKE upper('ada%')")
        #expect(prefix.contains("CREATE INDEX ON users ((upper(name)) text_pattern_ops)"), "\(prefix)")
        let contains = definitions("SELECT id FROM users WHERE upper(name) LIKE upper($1)")
        #expect(contains.contains("CREATE INDEX ON users USING gin ((upper(name)) gin_trgm_ops)"), "\(contains)")
        let ilike = definitions("SELECT id FROM users WHERE name ILIKE 'ada%'")
        #expect(ilike == ["CREATE INDEX ON users USING gin (name gin_trgm_ops)"])
        let plainPrefix = definitions("SELECT id FROM users WHERE account_id = $1 AND email LIKE 'ada%'")
        #expect(plainPrefix.contains("CREATE INDEX ON users (account_id, email text_pattern_ops)"), "\(plainPrefix)")
    }

    @Test func equalityPlusIsNullWithSortGetsThePartialTopNIndex() {
        let found = definitions("SELECT id FROM users WHERE account_id = $1 AND deleted_at IS NULL ORDER BY created_at LIMIT 20")
        #expect(found.contains("CREATE INDEX ON users (account_id, created_at) WHERE deleted_at IS NULL"), "\(found)")
        #expect(found.contains("CREATE INDEX ON users (account_id, created_at) INCLUDE (id) WHERE deleted_at IS NULL"), "\(found)")
        // `IS NULL` is no equality for ordering: (account_id, deleted_at, created_at) would still sort.
        #expect(!found.contains { $0.contains("deleted_at, created_at") }, "\(found)")
    }

    @Test func topNListingsGetEqualityThenSortKeysInTheirDirections() {
        let flags = definitions("SELECT id FROM users WHERE active = $1 AND account_id = $2 ORDER BY score DESC, created_at DESC, id LIMIT $3 OFFSET $4")
        // Stored with the first key ascending: the scan runs backwards, `id` then descends.
        #expect(flags.contains("CREATE INDEX ON users (account_id, active, score, created_at, id DESC)"), "\(flags)")
        #expect(flags.contains("CREATE INDEX ON users (score, created_at, id DESC)"), "\(flags)")
        #expect(definitions("SELECT id FROM users ORDER BY created_at DESC LIMIT 10").first == "CREATE INDEX ON users (created_at)")
        let booleanPartial = definitions("SELECT id FROM users WHERE active = true ORDER BY created_at DESC LIMIT 10")
        #expect(booleanPartial.contains("CREATE INDEX ON users (created_at) WHERE active = true"), "\(booleanPartial)")
    }

    /// `status IN (1, 2)` matches several values, so an index on it yields rows in `created_at` order
    /// per value only: the top-N index is the single-valued equality, then the sort key.
    @Test func aMultiValuedFilterStaysOutOfTheTopNIndexButASingleValueInListIsAnEquality() {
        let listing = definitions("SELECT id FROM users WHERE account_id = $1 AND score IN ($2, $3, $4) ORDER BY created_at DESC LIMIT 25")
        #expect(listing.contains("CREATE INDEX ON users (account_id, created_at)"), "\(listing)")
        #expect(listing.contains("CREATE INDEX ON users (account_id, score, created_at)"), "the filter-first shape stays a candidate: \(listing)")
        let array = definitions("SELECT id FROM users WHERE account_id = $1 AND score = ANY($2) ORDER BY created_at LIMIT 5")
        #expect(array.contains("CREATE INDEX ON users (account_id, created_at)"), "\(array)")
        let single = StatementParser.parse("SELECT id FROM users WHERE account_id IN ($1) AND score IN ($2, $3)").predicates
        #expect(single.map(\.op) == [.equal, .inList])
        #expect(single.first?.parameterNumber == 1)
        // With one value the IN list is the equality prefix of the top-N index.
        #expect(definitions("SELECT id FROM users WHERE account_id IN ($1) ORDER BY created_at LIMIT 5").contains("CREATE INDEX ON users (account_id, created_at)"))
    }

    /// `max(col)` with equality filters is a LIMIT 1 in index order: the equality terms, then `col`.
    @Test func minAndMaxGetTheEqualityTermsThenTheAggregatedColumn() {
        #expect(StatementParser.parse("SELECT max(created_at), min(u.score) FROM users u WHERE account_id = $1").extremeAggregates.map(\.name) == ["created_at", "score"])
        let found = definitions("SELECT max(created_at) FROM users WHERE account_id = $1 AND score IN ($2, $3)")
        #expect(found.contains("CREATE INDEX ON users (account_id, created_at)"), "\(found)")
        #expect(definitions("SELECT min(created_at) FROM users").contains("CREATE INDEX ON users (created_at)"))
        #expect(StatementParser.parse("SELECT count(DISTINCT score) FROM users").extremeAggregates.isEmpty)
    }

    /// TPC-H Q19's shape: an OR of conjunctions, each with its own filters and the join key. Each
    /// side's comparisons are candidates of their own (BitmapOr arms), never keys combined with other
    /// terms nor partial-index predicates: they hold on one side only.
    @Test func eachSideOfAnOrOfConjunctionsGivesCandidates() {
        let found = definitions("""
            SELECT id FROM users WHERE (account_id = 7 AND score BETWEEN 1 AND 10 AND active)
               OR (email = $1 AND score BETWEEN 20 AND 30) OR (account_id = 9 AND name = 'x')
            """)
        #expect(found.contains("CREATE INDEX ON users (account_id)"), "\(found)")
        #expect(found.contains("CREATE INDEX ON users (email)"), "\(found)")
        #expect(!found.contains { $0.contains("WHERE account_id = 7") || $0.contains("WHERE active") }, "\(found)")
        #expect(!found.contains { $0.contains(", ") }, "a term of one side is an index alone: \(found)")
        #expect(StatementParser.parse("SELECT id FROM users WHERE a = $1 OR b = $2").disjunctions.count == 1, "the lint still sees the OR")
    }

    @Test func ctesSubqueriesAndSemiJoinsAreReadAtEveryDepth() {
        let orders = TableInfo.analyzed("orders", oid: 8, rows: 500_000, [
            ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
            ColumnInfo(name: "user_id", type: "bigint", averageWidth: 8, distinct: 150_000),
            ColumnInfo(name: "placed_at", type: "timestamp with time zone", averageWidth: 8, distinct: -1),
        ])
        let catalog = Catalog(tables: [Self.users, orders], indexes: [])
        func found(_ sql: String) -> [String] {
            CandidateGenerator.accesses(StatementParser.parse(sql), catalog: catalog)
                .flatMap { CandidateGenerator.candidates(for: $0, catalog: catalog) }.map(\.definition)
        }
        let cte = found("""
            WITH recent AS (SELECT id, user_id FROM orders WHERE placed_at > $1)
            SELECT count(*) FROM recent r WHERE r.user_id = $2
            """)
        #expect(cte.contains("CREATE INDEX ON orders (placed_at)"), "\(cte)")
        let semiJoin = found("SELECT id FROM orders WHERE user_id IN (SELECT id FROM users WHERE lower(email) = $1) ORDER BY placed_at DESC LIMIT $2")
        #expect(semiJoin.contains("CREATE INDEX ON orders (user_id, placed_at)"), "\(semiJoin)")
        #expect(semiJoin.contains("CREATE INDEX ON users ((lower(email)))"), "\(semiJoin)")
        let shape = StatementParser.parse("SELECT id FROM orders WHERE user_id = $1 ORDER BY placed_at DESC LIMIT $2 OFFSET $3")
        #expect(shape.limit == .parameter && shape.offset == .parameter)
    }

    @Test func aWiderExistingIndexDoesNotHideANarrowerCandidate() {
        // TPC-H Q4: the planner took a fresh (l_orderkey) for a semi-join, not the primary key (l_orderkey, l_linenumber).
        let primaryKey = IndexInfo(
            oid: 98, name: "users_account_created_pkey", schema: "public", tableOID: 7, method: "btree", isUnique: true, isPrimary: true,
            isValid: true, backsConstraint: true, keyColumns: ["account_id", "created_at"], includeColumns: [],
            definition: "CREATE UNIQUE INDEX users_account_created_pkey ON public.users USING btree (account_id, created_at)", predicate: nil,
            scans: 0, bytes: 0, keyOptions: ["1978/0", "3124/0"]
        )
        let narrow = IndexCandidate(table: "users", tableName: "users", keys: [IndexKey("account_id")])
        let same = IndexCandidate(table: "users", tableName: "users", keys: [IndexKey("account_id"), IndexKey("created_at")])
        #expect(!narrow.isCovered(by: primaryKey))
        #expect(same.isCovered(by: primaryKey))
    }

    @Test func anExistingExpressionIndexIsNotProposedAgain() {
        let existing = IndexInfo(
            oid: 99, name: "users_lower_email", schema: "public", tableOID: 7, method: "btree", isUnique: false, isPrimary: false,
            isValid: true, backsConstraint: false, keyColumns: ["lower(email)"], includeColumns: [],
            definition: "CREATE INDEX users_lower_email ON public.users USING btree (lower(email))", predicate: nil, scans: 0, bytes: 0,
            keyOptions: ["3126/0"]
        )
        let catalog = Catalog(tables: [Self.users], indexes: [existing])
        let access = CandidateGenerator.accesses(StatementParser.parse("SELECT * FROM users WHERE lower(email) = $1"), catalog: catalog)
        #expect(access.flatMap { CandidateGenerator.candidates(for: $0, catalog: catalog) }.isEmpty)
    }
}

/// B-tree deduplication (PostgreSQL 13+) in the advisor's size estimates.
@Suite struct IndexSizeEstimateTests {
    static let tickets = TableInfo.analyzed("tickets", oid: 9, rows: 100_000, [
        ColumnInfo(name: "id", type: "bigint", averageWidth: 8, distinct: -1),
        ColumnInfo(name: "status", type: "integer", averageWidth: 4, distinct: 5),
        ColumnInfo(name: "queue_id", type: "integer", averageWidth: 4, distinct: 20),
        ColumnInfo(name: "amount", type: "numeric(10,2)", averageWidth: 6, distinct: 40),
        ColumnInfo(name: "note", type: "text", averageWidth: 30, distinct: 0),
    ])

    func estimate(_ keys: [String], include: [String] = [], major: Int = 15) -> Int64 {
        let candidate = IndexCandidate(table: "tickets", tableName: "tickets", keys: keys.map { IndexKey($0) }, include: include)
        return IndexSizeEstimate.bytes(hypoPG: 2_000_000, candidate: candidate, table: Self.tickets, serverMajor: major)
    }

    @Test func repeatedKeysShrinkWhereDeduplicationAppliesAndUnknownsKeepHypoPGsFigure() {
        #expect(estimate(["status"]) < estimate(["id"]) / 2, "5 statuses: a 6-byte heap pointer a row instead of a 20-byte tuple")
        #expect(estimate(["status", "queue_id"]) < estimate(["status", "queue_id", "id"]))
        #expect(estimate(["status"], major: 12) > estimate(["status"]) * 3, "no deduplication before PostgreSQL 13")
        #expect(estimate(["amount"]) > estimate(["status"]) * 2, "numeric cannot deduplicate")
        #expect(estimate(["status"], include: ["id"]) == 2_000_000, "INCLUDE: HypoPG's figure")
        #expect(estimate(["note"]) == 2_000_000, "unknown statistics: HypoPG's figure")
    }
}

/// Planner cost turned into shares of measured DB time.
@Suite struct TimeWeightTests {
    @Test func aStatementSlowerPerCostUnitThanTheWorkloadWeighsMoreAndUnknownTimesWeighOne() {
        // Two statements: 8 calls × 19 ms at cost 6,181 and 360 calls × 2.3 ms at cost 3,120.
        let weights = IndexAdvisor.timeWeights(calls: [8, 360, 5], timesMs: [8 * 19, 360 * 2.3, nil], costs: [6181, 3120, 100])
        #expect(weights[0] > 3 && weights[0] < 5, "\(weights)")
        #expect(weights[1] > 0.8 && weights[1] < 1, "\(weights)")
        #expect(weights[2] == 1)
        // A saving weighted so is in proportion to the time saved: the listing's index (cost 6,181 → 6)
        // against the count's (3,120 → 10) reads about 152 ms against 828 ms.
        let listing = 8 * weights[0] * (6181 - 6), count = 360 * weights[1] * (3120 - 10)
        #expect(abs(listing / count - 152.0 / 828) < 0.02, "\(listing / count)")
        #expect(IndexAdvisor.timeWeights(calls: [1, 1], timesMs: [nil, nil], costs: [5, 7]) == [1, 1])
        #expect(IndexAdvisor.timeWeights(calls: [1, 1000], timesMs: [10_000, 1], costs: [1, 1000])[0] == 10, "clamped")
    }
}

/// TPC-H Q19: an OR whose every side repeats the join and two filters. PostgreSQL factors what every
/// side repeats out of the OR before planning, so those are conjuncts an index can key on; what differs
/// between the sides stays a BitmapOr arm.
@Suite struct RepeatedOrConditionTests {
    static let lineitem = TableInfo.analyzed("lineitem", oid: 11, rows: 300_000, [
        ColumnInfo(name: "l_partkey", type: "integer", averageWidth: 4, distinct: 10_000),
        ColumnInfo(name: "l_quantity", type: "numeric", averageWidth: 5, distinct: 50),
        ColumnInfo(name: "l_shipmode", type: "character(10)", averageWidth: 11, distinct: 7),
        ColumnInfo(name: "l_shipinstruct", type: "character(25)", averageWidth: 26, distinct: 4),
        ColumnInfo(name: "l_extendedprice", type: "numeric", averageWidth: 7, distinct: -0.5),
    ])
    static let part = TableInfo.analyzed("part", oid: 12, rows: 10_000, [
        ColumnInfo(name: "p_partkey", type: "integer", averageWidth: 4, distinct: -1),
        ColumnInfo(name: "p_brand", type: "character(10)", averageWidth: 11, distinct: 25),
        ColumnInfo(name: "p_container", type: "character(10)", averageWidth: 8, distinct: 40),
        ColumnInfo(name: "p_size", type: "integer", averageWidth: 4, distinct: 50),
    ])

    static let literal = """
        SELECT sum(l_extendedprice) FROM lineitem, part
        WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX') AND l_quantity >= 1
               AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
           OR (p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX') AND l_quantity >= 10
               AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
        """
    /// The same as pg_stat_statements records it: every constant its own parameter.
    static let normalized = """
        select sum(l_extendedprice) from lineitem, part
        where (p_partkey = l_partkey and p_brand = $1 and p_container in ($2, $3) and l_quantity >= $4
               and l_shipmode in ($5, $6) and l_shipinstruct = $7)
           or (p_partkey = l_partkey and p_brand = $8 and p_container in ($9, $10) and l_quantity >= $11
               and l_shipmode in ($12, $13) and l_shipinstruct = $14)
        """

    @Test(arguments: [literal, normalized])
    func conditionsEverySideRepeatsAreConjuncts(sql: String) throws {
        let shape = StatementParser.parse(sql)
        let shipmode = try #require(shape.predicates.first { $0.column.name == "l_shipmode" })
        let instruct = try #require(shape.predicates.first { $0.column.name == "l_shipinstruct" })
        #expect(!shipmode.onOneSideOfOr && !instruct.onOneSideOfOr)
        // What differs stays on its side: the brands (and, with literals, the containers and quantities);
        // with parameters, whose values are unknown, a repeated shape is a conjunct and an arm too.
        #expect(shape.predicates.contains { $0.column.name == "p_brand" && $0.onOneSideOfOr })
        if sql == Self.literal {
            #expect(shape.predicates.filter { $0.column.name == "l_shipmode" }.count == 1)
            #expect(shape.predicates.filter { $0.column.name == "p_brand" }.allSatisfy { $0.onOneSideOfOr })
        }
        #expect(shape.predicates.contains { $0.isJoin && $0.column.name.hasSuffix("partkey") })

        let catalog = Catalog(tables: [Self.lineitem, Self.part], indexes: [])
        let definitions = CandidateGenerator.accesses(shape, catalog: catalog)
            .flatMap { CandidateGenerator.candidates(for: $0, catalog: catalog) }.map(\.definition)
        // The join key with the repeated filters: the nested loop's inner scan reads only matching lines.
        #expect(definitions.contains { $0.hasPrefix("CREATE INDEX ON lineitem (") && !$0.contains("WHERE") && !$0.contains("INCLUDE")
            && ["l_partkey", "l_shipinstruct", "l_shipmode"].allSatisfy($0.contains) }, "\(definitions)")
        #expect(definitions.contains("CREATE INDEX ON part (p_brand)"), "\(definitions)")
        // The join key first too, alone with the most selective repeated filter: the narrow index a lookup per part needs.
        #expect(definitions.contains("CREATE INDEX ON lineitem (l_partkey, l_shipmode)"), "\(definitions)")
        #expect(definitions.contains("CREATE INDEX ON lineitem (l_partkey, l_shipmode, l_shipinstruct)"), "\(definitions)")
    }

    /// Sides that share nothing keep every condition an arm of its own, as before.
    @Test func sidesThatShareNothingStayArms() {
        let shape = StatementParser.parse("SELECT * FROM part WHERE p_brand = 'Brand#12' OR p_size = 3")
        #expect(shape.predicates.count == 2 && shape.predicates.allSatisfy { $0.onOneSideOfOr })
    }
}
