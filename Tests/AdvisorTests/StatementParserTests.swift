@testable import Advisor
import Testing

@Suite struct StatementParserTests {
    @Test func readsPredicatesOrderAndLimitOfAKeysetListing() {
        let shape = StatementParser.parse("""
            SELECT p.id, p.title FROM products p
            WHERE p.category_id = $1 AND (p.price_minor, p.id) > ($2, $3) AND p.status = 'active'
            ORDER BY p.price_minor, p.id LIMIT 24
            """)
        #expect(shape.kind == .select)
        #expect(shape.tables == [TableRef(name: "products", alias: "p")])
        #expect(shape.predicates.contains(Predicate(column: ColumnRef("category_id", qualifier: "p"), op: .equal, operand: .parameter, parameterNumber: 1)))
        #expect(shape.predicates.contains(Predicate(column: ColumnRef("price_minor", qualifier: "p"), op: .range, operand: .parameter)))
        #expect(shape.predicates.contains(Predicate(column: ColumnRef("status", qualifier: "p"), op: .equal, operand: .constant("active"))))
        #expect(shape.orderBy.map(\.column.name) == ["price_minor", "id"])
        #expect(shape.limit == .constant(24))
        #expect(shape.selectColumns?.map(\.name) == ["id", "title"])
    }

    @Test func readsJoinKeysAndDescendingOrder() {
        let shape = StatementParser.parse("SELECT v.id FROM variants v JOIN stock s ON s.variant_id = v.id WHERE v.product_id = 7 ORDER BY v.created_at DESC")
        #expect(shape.tables.map(\.name) == ["variants", "stock"])
        #expect(shape.predicates.contains { $0.isJoin && $0.column == ColumnRef("variant_id", qualifier: "s") })
        #expect(shape.orderBy == [OrderKey(column: ColumnRef("created_at", qualifier: "v"), descending: true)])
        #expect(shape.joinCount == 1)
    }

    @Test func betweenIsOneRangePredicateAndFunctionsAreWrappers() {
        let shape = StatementParser.parse("SELECT id FROM orders WHERE created_at BETWEEN $1 AND $2 AND lower(email) = $3 AND total::numeric > 5")
        #expect(shape.predicates.contains { $0.column.name == "created_at" && $0.op == .range })
        #expect(shape.predicates.contains { $0.column.name == "email" && $0.wrapper == "lower" })
        #expect(shape.predicates.contains { $0.column.name == "total" && $0.wrapper == "::numeric" })
    }

    @Test func updateDeleteAndInsertNameTheirTable() {
        #expect(StatementParser.parse("INSERT INTO cart_lines (cart_id, variant_id) VALUES ($1, $2) ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = 1").tables.map(\.name) == ["cart_lines"])
        #expect(StatementParser.parse("UPDATE holds SET status = 'expired' WHERE status = 'active' AND expires_at < now()").tables.map(\.name) == ["holds"])
        let delete = StatementParser.parse("DELETE FROM sessions WHERE expires_at < now()")
        #expect(delete.kind == .delete)
        #expect(delete.predicates.first?.op == .range)
        #expect(delete.predicates.first?.operand == .parameter)
    }

    /// `NOT (col IN (…))` as the ORM writes it (the NOT outside the parentheses): a filter on `status`,
    /// not a lost conjunct; `<>` and `IS NOT NULL` are filters too.
    @Test func negatedComparisonsInParenthesesAreFilters() {
        let shape = StatementParser.parse(#"SELECT COUNT(*) FROM "t" WHERE (NOT ("t"."status" IN ($1, $2)) AND "t"."owner_id" IS NULL AND "t"."kind" <> $3)"#)
        #expect(shape.predicates.contains { $0.column.name == "status" && $0.op == .other }, "\(shape.predicates)")
        #expect(shape.predicates.contains { $0.column.name == "owner_id" && $0.op == .isNull })
        #expect(shape.predicates.contains { $0.column.name == "kind" && $0.op == .notEqual })
    }
}
