import Database
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Storefront
import Testing
import TestSupport

@Suite struct GuardCacheTests {
    @Test func thousandConcurrentMissesOnOneProductRunOneQuery() async throws {
        let counter = StatementCounter(ProductDetailStatement.sql)
        try await TestPostgres.withFreshDatabase(observers: [counter]) { database, _ in
            try await Self.insertProduct(42, database: database)
            let catalog = CatalogService(database: database, cacheBytes: 1 << 20)
            let details = try await withThrowingTaskGroup(of: ProductDetail.self) { group in
                for _ in 0..<1000 { group.addTask { try await catalog.product(id: 42) } }
                return try await group.reduce(into: [ProductDetail]()) { $0.append($1) }
            }
            #expect(details.count == 1000)
            #expect(Set(details.map(\.id)) == [42])
            #expect(counter.value == 1)
            _ = try await catalog.product(id: 42)
            #expect(counter.value == 1, "then a hit")
            catalog.invalidateProduct(42)
            _ = try await catalog.product(id: 42)
            #expect(counter.value == 2, "an invalidation makes the next read load again")
        }
    }

    /// Inserts one product through the harness's helper.
    static func insertProduct(_ id: Int64, database: Database) async throws {
        let api = StoreApplication.api(database: database, configuration: .init(), logger: Logger(label: "surge.tests.cache"))
        let app = Application(router: StoreApplication.router(api: api), logger: Logger(label: "surge.tests.cache"))
        try await app.test(.router) { client in
            _ = try await StoreHarness(database: database, api: api, client: client)
                .product(id: id, variants: [(price: 1000, onHand: 3), (price: 1200, onHand: 0)])
        }
    }

    @Test func missingProductIsNotFoundForEveryJoiner() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            let catalog = CatalogService(database: database, cacheBytes: 1 << 20)
            let codes = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do { _ = try await catalog.product(id: 7); return nil } catch let error as StoreError { return error.code } catch { return "other" }
                    }
                }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == "not_found" })
        }
    }

    @Test func ifNoneMatchGets304WithoutAQuery() async throws {
        let counter = StatementCounter(ProductDetailStatement.sql)
        try await TestPostgres.withFreshDatabase(observers: [counter]) { database, _ in
            try await Self.insertProduct(42, database: database)
            var logger = Logger(label: "surge.tests.etag")
            logger.logLevel = .warning
            let api = StoreApplication.api(database: database, configuration: .init(), logger: logger)
            let app = Application(router: StoreApplication.router(api: api, httpCaching: true), logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                let first = try await store.send(.get, "/v1/products/42")
                #expect(first.status == .ok)
                let tag = try #require(first.headers[.eTag])
                #expect(first.headers[.cacheControl]?.contains("stale-while-revalidate") == true)
                let again = try await store.send(.get, "/v1/products/42")
                #expect(again.headers[.eTag] == tag, "same bytes, same tag")
                let revalidated = try await store.send(.get, "/v1/products/42", headers: [.ifNoneMatch: tag])
                #expect(revalidated.status == .notModified)
                #expect(revalidated.body.isEmpty)
                #expect(counter.value == 1, "only the first read reached the database")
                let other = try await store.send(.get, "/v1/products/42", headers: [.ifNoneMatch: "\"0000000000000000\""])
                #expect(other.status == .ok)
            }
        }
    }

    @Test func updateInOneInstanceInvalidatesAnothersCache() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            try await Self.insertProduct(42, database: database)
            let logger = Logger(label: "surge.tests.notify")
            let writer = CatalogService(database: database, cacheBytes: 1 << 20)
            let reader = CatalogService(database: database, cacheBytes: 1 << 20)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for catalog in [writer, reader] {
                    group.addTask { try await CatalogInvalidationListener(database: database, catalog: catalog, logger: logger).run() }
                }
                defer { group.cancelAll() }
                for _ in 0..<500 {
                    let listening = try await database.query(
                        "SELECT count(*)::int FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                    ).first?.decode(Int.self) ?? 0
                    if listening == 2 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try await reader.product(id: 42).variants.first?.price.amountMinor == 1000)
                try await database.query("UPDATE variants SET price_minor = 1500 WHERE id = 4200")
                let changed = ContinuousClock.now
                var seen: Int64 = 0
                for _ in 0..<500 where seen != 1500 {
                    seen = try await reader.product(id: 42).variants.first?.price.amountMinor ?? 0
                    if seen != 1500 { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(seen == 1500, "the reader's cache (TTL 30 s) was invalidated by the writer's change")
                print("cross-instance invalidation seen after \(ContinuousClock.now - changed)")
            }
        }
    }
}

@Suite struct GuardListingCacheTests {
    @Test func equalListingQueriesShareOneQueryUntilAProductChanges() async throws {
        let listings = StatementCounter("FROM products")
        try await TestPostgres.withFreshDatabase(observers: [listings]) { database, _ in
            try await GuardCacheTests.insertProduct(42, database: database)
            let catalog = CatalogService(database: database, cacheBytes: 1 << 20)
            let query = try ProductQuery(parameters: ["limit": "10"])
            let before = listings.value
            let pages = try await withThrowingTaskGroup(of: ProductPage.self) { group in
                for _ in 0..<200 { group.addTask { try await catalog.products(query) } }
                return try await group.reduce(into: [ProductPage]()) { $0.append($1) }
            }
            #expect(Set(pages.map { $0.items.map(\.id) }) == [[42]])
            let loads = listings.value - before
            #expect(loads == 1, "200 concurrent misses, one listing query")
            _ = try await catalog.products(try ProductQuery(parameters: ["limit": "10"]))
            #expect(listings.value - before == loads, "an equal query is a hit")
            _ = try await catalog.products(try ProductQuery(parameters: ["limit": "11"]))
            #expect(listings.value - before > loads, "another query is another key")
            let afterOther = listings.value
            catalog.invalidateProduct(42)
            _ = try await catalog.products(query)
            #expect(listings.value > afterOther, "a product change drops cached listings")
        }
    }
}
