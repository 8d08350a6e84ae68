import Database
import Foundation
import HTTPTypes
import Hummingbird
import Storefront
import Testing

@Suite struct CatalogTests {
    @Test func seederIsDeterministicAndRealistic() async throws {
        try await StoreHarness.run { store in
            let summary = try await CatalogSeeder(database: store.database).seed(.init(products: 2000, seed: 7, quiet: true))
            #expect(summary.products == 2000)
            #expect(summary.variants >= 2000 && summary.variants <= 8000)
            let soldOut = try await store.int("SELECT count(*)::int FROM stock WHERE on_hand = 0")
            #expect(soldOut > 0 && soldOut < summary.variants / 4)
            let fingerprint = try await store.int("SELECT (sum(price_minor * id) % 1000000007)::int FROM products")
            try await StoreHarness.run { other in
                _ = try await CatalogSeeder(database: other.database).seed(.init(products: 2000, seed: 7, quiet: true))
                #expect(try await other.int("SELECT (sum(price_minor * id) % 1000000007)::int FROM products") == fingerprint)
            }
        }
    }

    @Test func productDetailHasVariantsPriceAndAvailability() async throws {
        try await StoreHarness.run { store in
            try await store.product(id: 20, title: "Wireless Kettle", variants: [(price: 1999, onHand: 0), (price: 2499, onHand: 3)])
            let reply = try await store.send(.get, "/v1/products/20")
            #expect(reply.status == .ok)
            let json = try reply.json()
            #expect(json["availability"] as? String == "in_stock")
            let variants = json["variants"] as? [[String: Any]] ?? []
            #expect(variants.count == 2)
            #expect(variants.first?["in_stock"] as? Bool == false)
            #expect((json["price"] as? [String: Any])?["amount_minor"] as? Int == 1999)
            #expect(try await store.send(.get, "/v1/products/999999").code == "not_found")
        }
    }

    @Test(arguments: ["popular", "newest", "price", "-price"])
    func keysetPaginationVisitsEveryProductOnceWhileInserting(sort: String) async throws {
        try await StoreHarness.run { store in
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 500, seed: 3, quiet: true))
            var seen: [Int] = []
            var cursor: String? = nil
            var inserted = 0
            repeat {
                let uri = "/v1/products?sort=\(sort)&limit=37" + (cursor.map { "&cursor=\($0)" } ?? "")
                let reply = try await store.send(.get, uri)
                #expect(reply.status == .ok)
                let json = try reply.json()
                seen += (json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = json["next_cursor"] as? String
                // Insert products at both ends of every sort while paging.
                inserted += 1
                let id = 100_000 + inserted
                try await store.database.query("""
                    INSERT INTO products (id, category_id, brand_id, title, description, price_minor, currency, popularity, created_at)
                    VALUES (\(id), 3, 1, 'New arrival', 'x', \(inserted % 2 == 0 ? 1 : 900_000), 'USD', \(inserted % 2 == 0 ? 0 : 5_000_000), now())
                    """)
            } while cursor != nil && seen.count < 2000
            let original = seen.filter { $0 <= 500 }
            #expect(original.count == 500)
            #expect(Set(seen).count == seen.count)
        }
    }

    @Test func searchFindsWordsPrefixesAndTypos() async throws {
        try await StoreHarness.run { store in
            try await store.product(id: 30, title: "Wireless Headphones Pro", variants: [(price: 9900, onHand: 5)])
            try await store.product(id: 31, title: "Ceramic Mug", variants: [(price: 1200, onHand: 5)])
            func ids(_ q: String) async throws -> ([Int], String?) {
                let reply = try await store.send(.get, "/v1/products?q=\(q)")
                let json = try reply.json()
                return ((json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }, json["match"] as? String)
            }
            #expect(try await ids("headphones") == ([30], "fulltext"))
            #expect(try await ids("wirel") == ([30], "fulltext"))
            let typo = try await ids("hedphones")
            #expect(typo.0.first == 30)
            #expect(typo.1 == "fuzzy")
        }
    }

    @Test func facetsCountByCategoryBrandAndPriceBand() async throws {
        try await StoreHarness.run { store in
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 300, seed: 5, quiet: true))
            let reply = try await store.send(.get, "/v1/products?facets=true&limit=5")
            let facets = try reply.json()["facets"] as? [String: Any] ?? [:]
            let bands = facets["price_bands"] as? [[String: Any]] ?? []
            #expect(bands.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 300)
            #expect(!(facets["brands"] as? [Any] ?? []).isEmpty)
            #expect(!(facets["categories"] as? [Any] ?? []).isEmpty)
        }
    }

    @Test func categoryListingIncludesTheSubtree() async throws {
        try await StoreHarness.run { store in
            _ = try await CatalogSeeder(database: store.database).seed(.init(products: 300, seed: 5, quiet: true))
            let tree = try await store.send(.get, "/v1/categories").json()["categories"] as? [[String: Any]] ?? []
            #expect(tree.count == 8)
            let root = tree[0]["id"] as? Int ?? 0
            let expected = try await store.int("""
                SELECT count(*)::int FROM products p JOIN categories c ON c.id = p.category_id
                JOIN categories m ON m.id = c.parent_id WHERE m.parent_id = \(root)
                """)
            var count = 0
            var cursor: String? = nil
            repeat {
                let json = try await store.send(.get, "/v1/products?category=\(root)&limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")).json()
                count += (json["items"] as? [Any] ?? []).count
                cursor = json["next_cursor"] as? String
            } while cursor != nil
            #expect(count == expected)
            #expect(expected > 0)
        }
    }
}
