import Database
import Foundation
import PostgresNIO
@testable import Storefront
import Testing

/// The bulk seed (load first, index after, in one transaction) and the product page that
/// PostgreSQL builds as JSON.
@Suite struct SeedAndDetailTests {
    /// Every table the seed writes, in a canonical text form (time zone independent), hashed.
    static let contentDigest: PostgresQuery = """
        SELECT md5(string_agg(t, E'\\n' ORDER BY t)) FROM (
            SELECT 'c' || (c.*)::text AS t FROM categories c
            UNION ALL SELECT 'b' || (b.*)::text FROM brands b
            UNION ALL SELECT 'p' || (p.id, p.category_id, p.brand_id, p.title, p.description, p.price_minor, p.currency,
                                     p.popularity, extract(epoch FROM p.created_at)::bigint, p.search)::text FROM products p
            UNION ALL SELECT 'v' || (v.*)::text FROM variants v
            UNION ALL SELECT 's' || (s.*)::text FROM stock s
            UNION ALL SELECT 'm' || (m.variant_id, m.on_hand_delta, m.reserved_delta, m.reason)::text FROM stock_movements m
        ) rows
        """

    /// Index definitions, constraints and trigger states of the seeded tables.
    static let schemaShape: PostgresQuery = """
        SELECT string_agg(d, E'\\n' ORDER BY d) FROM (
            SELECT pg_get_indexdef(i.indexrelid) AS d FROM pg_index i
            WHERE i.indrelid::regclass::text IN ('categories', 'brands', 'products', 'variants', 'stock', 'stock_movements')
            UNION ALL SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) || ' ' || c.convalidated::text
            FROM pg_constraint c WHERE c.conrelid::regclass::text IN ('categories', 'brands', 'products', 'variants', 'stock', 'stock_movements')
            UNION ALL SELECT t.tgrelid::regclass::text || ' ' || t.tgname || ' ' || t.tgenabled::text FROM pg_trigger t WHERE NOT t.tgisinternal
        ) shape
        """

    static func text(_ database: Database, _ query: PostgresQuery) async throws -> String {
        try await database.query(query).first?.decode(String.self) ?? ""
    }

    @Test func seedWritesTheSameRowsAsBeforeIndexesWereDeferred() async throws {
        try await StoreHarness.run { store in
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 2000, seed: 7, quiet: true))
            // Digest of `surge seed --products 2000 --seed 7` by the row-by-row seeder (commit c42db25).
            #expect(try await Self.text(store.database, Self.contentDigest) == "75e16c2f0866e7ea8a90be71b5235ece")
        }
    }

    @Test func seedPutsBackEveryIndexKeyAndTrigger() async throws {
        try await StoreHarness.run { store in
            let before = try await Self.text(store.database, Self.schemaShape)
            #expect(before.contains("USING gin (title gin_trgm_ops)"))
            #expect(before.contains("variants_notify O"))
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 300, seed: 5, quiet: true))
            #expect(try await Self.text(store.database, Self.schemaShape) == before)
            let plan = try await store.database.withConnection { connection in
                try await connection.query("SET enable_seqscan = off")
                let lines = try await connection.query("EXPLAIN SELECT id FROM products WHERE title % 'Wireless Kettle'")
                    .map { try $0.decode(String.self) }
                try await connection.query("RESET enable_seqscan")
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("products_title_trgm_idx"), "the trigram index is back and usable: \(plan)")
        }
    }

    @Test func failedSeedLeavesTheSchemaAndTablesAsTheyWere() async throws {
        try await StoreHarness.run { store in
            let before = try await Self.text(store.database, Self.schemaShape)
            // A brand the seed will also write: its COPY fails on the primary key, after the drops.
            try await store.database.query("INSERT INTO brands (id, name) VALUES (1, 'Squatter')")
            await #expect(throws: PSQLError.self) {
                _ = try await CatalogSeeder(database: store.database).seed(.init(products: 300, seed: 5, quiet: true))
            }
            #expect(try await Self.text(store.database, Self.schemaShape) == before, "every drop was rolled back")
            #expect(try await store.int("SELECT count(*)::int FROM categories") == 0)
            #expect(try await store.int("SELECT count(*)::int FROM brands") == 1)
        }
    }

    @Test(arguments: [0, 59, 86_399, 951_782_400, 1_704_067_200, 1_709_164_800, 1_767_225_599, 4_107_542_400])
    func seedTimestampsAreWhatISO8601DateFormatterWrites(epochSeconds: Int) {
        let expected = ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: Double(epochSeconds)), timeZone: .gmt,
                                                   formatOptions: [.withInternetDateTime])
        #expect(CatalogGenerator.timestamp(epochSeconds: epochSeconds) == expected)
    }

    @Test func productDetailJSONMatchesTheCodableModel() async throws {
        try await StoreHarness.run { store in
            try await store.product(id: 20, title: "Kettle \"Pro\" / 2 ü", variants: [(price: 1999, onHand: 0), (price: 2499, onHand: 3)])
            try await store.product(id: 21, variants: [])
            for id in [20, 21] {
                let reply = try await store.send(.get, "/v1/products/\(id)")
                #expect(reply.status == .ok)
                #expect(reply.headers[.contentType] == "application/json")
                // Decoding into the model and encoding it the way every other endpoint does gives the same document.
                let detail = try ProductDetail.decode(json: ByteBuffer(string: reply.body))
                let reencoded = try StoreJSON.encoder.encode(detail)
                let served = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? NSDictionary
                let model = try JSONSerialization.jsonObject(with: reencoded) as? NSDictionary
                #expect(served != nil && served == model, "served \(reply.body)\nmodel  \(String(decoding: reencoded, as: UTF8.self))")
            }
            let kettle = try await store.api.catalog.product(id: 20)
            #expect(kettle.title == "Kettle \"Pro\" / 2 ü")
            #expect(kettle.availability == "in_stock")
            #expect(kettle.variants.map(\.inStock) == [false, true])
            #expect(try await store.api.catalog.product(id: 21).availability == "sold_out")
        }
    }
}
