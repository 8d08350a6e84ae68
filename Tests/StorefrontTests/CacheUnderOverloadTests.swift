import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Storefront
import Testing
import TestSupport

/// Under overload, a catalog page the cache holds is served from the cache (no query) instead of
/// being shed; a page it does not hold is shed as before, and nothing loads without a permit.
@Suite struct CacheUnderOverloadTests {
    /// A limiter of 4 with no share for browsing and no queue, so that 4 checkouts fill it.
    static func saturatedController() -> AdmissionController {
        var configuration = AdmissionLimiter.Configuration()
        configuration.limit.initialLimit = 4
        configuration.limit.minimumLimit = 4
        configuration.limit.maximumLimit = 4
        configuration.guaranteedShare = [.checkout: 1, .cart: 0, .browse: 0, .bot: 0]
        configuration.queueTimeout = [.checkout: .zero, .cart: .zero, .browse: .zero, .bot: .zero]
        return AdmissionController(configuration)
    }

    @Test func cachedPagesAreServedInsteadOfShedAndUncachedOnesAreShedWithoutAQuery() async throws {
        let details = StatementCounter(ProductDetailStatement.sql)
        let listings = StatementCounter("FROM products p JOIN brands")
        try await TestPostgres.withFreshDatabase(observers: [details, listings]) { database, _ in
            var logger = Logger(label: "surge.tests.cache-overload")
            logger.logLevel = .critical
            let api = StoreApplication.api(database: database, configuration: .init(), logger: logger)
            let admission = Self.saturatedController()
            let app = Application(router: StoreApplication.router(api: api, admission: admission, httpCaching: true), logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                try await store.product(id: 1, variants: [(price: 1000, onHand: 5)])
                try await store.product(id: 2, variants: [(price: 2000, onHand: 5)])
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]

                // Below the limit: admitted, loaded and cached.
                let page = try await store.send(.get, "/v1/products/1", headers: browser)
                #expect(page.status == .ok)
                let listing = try await store.send(.get, "/v1/products?min_price=500&limit=5", headers: browser)
                #expect(listing.status == .ok)
                #expect(try await store.send(.get, "/v1/categories", headers: browser).status == .ok)
                let queries = (details.value, listings.value)
                #expect(queries == (1, 1))

                // The limit fills with checkouts: browsing would now be shed.
                for _ in 0..<4 { _ = try await admission.acquire(.checkout) }
                #expect(admission.wouldShed(.browse))

                let cachedPage = try await store.send(.get, "/v1/products/1", headers: browser)
                #expect(cachedPage.status == .ok)
                #expect(cachedPage.body == page.body)
                #expect(cachedPage.headers[.eTag] == page.headers[.eTag])
                // The same listing, its parameters spelled in another order: the same cache key.
                let cachedListing = try await store.send(.get, "/v1/products?limit=5&min_price=500", headers: browser)
                #expect(cachedListing.status == .ok)
                #expect(cachedListing.body == listing.body)
                #expect(try await store.send(.get, "/v1/categories", headers: browser).status == .ok)
                // A conditional request the cache can answer: 304, still no query.
                var conditional = browser
                conditional[.ifNoneMatch] = page.headers[.eTag]
                let revalidated = try await store.send(.get, "/v1/products/1", headers: conditional)
                #expect(revalidated.status == .notModified)

                // Pages the cache does not hold are shed, and none of them reached the database.
                for uri in ["/v1/products/2", "/v1/products?min_price=501&limit=5", "/v1/products/999"] {
                    let shed = try await store.send(.get, uri, headers: browser)
                    #expect(shed.status == .serviceUnavailable, "\(uri)")
                    #expect(shed.code == "overloaded", "\(uri)")
                }
                // After an invalidation the page is gone from the cache: shed, not loaded without a permit.
                api.catalog.invalidateProduct(1)
                #expect(try await store.send(.get, "/v1/products/1", headers: browser).status == .serviceUnavailable)
                #expect(details.value == queries.0)
                #expect(listings.value == queries.1)
            }
        }
    }

    @Test func earlyShedPassesOnWhatTheCacheCanAnswer() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            var logger = Logger(label: "surge.tests.cache-overload")
            logger.logLevel = .critical
            let api = StoreApplication.api(database: database, configuration: .init(), logger: logger)
            let app = Application(router: StoreApplication.router(api: api), logger: logger)
            try await app.test(.router) { client in
                _ = try await StoreHarness(database: database, api: api, client: client).product(id: 7, variants: [(price: 100, onHand: 1)])
            }
            _ = try await api.catalog.productJSON(id: 7)
            let admission = Self.saturatedController()
            for _ in 0..<4 { _ = try await admission.acquire(.checkout) }
            let shed = EarlyShed(controller: admission, endpoints: api.endpointList, answerable: api.answerableFromCache)
            #expect(shed.shouldShed(path: "/v1/products/7", userAgent: "Mozilla/5.0") == nil)
            #expect(shed.shouldShed(path: "/v1/products/7?x=1", userAgent: "Mozilla/5.0") == nil)
            #expect(shed.shouldShed(path: "/v1/products/8", userAgent: "Mozilla/5.0") == "/v1/products/{id}")
            #expect(shed.shouldShed(path: "/v1/products?limit=3", userAgent: "Mozilla/5.0") == "/v1/products")
            #expect(shed.shouldShed(path: "/v1/categories", userAgent: "Mozilla/5.0") == "/v1/categories")
            _ = try await api.catalog.categories()
            #expect(shed.shouldShed(path: "/v1/categories", userAgent: "Mozilla/5.0") == nil)
            _ = try await api.catalog.products(try ProductQuery(parameters: ["limit": "3"]))
            #expect(shed.shouldShed(path: "/v1/products?limit=3", userAgent: "Mozilla/5.0") == nil)
            #expect(shed.shouldShed(path: "/v1/products?limit=3&bogus=1", userAgent: "Mozilla/5.0") == "/v1/products")
        }
    }

    @Test func cacheOnlyReadsNeverLoad() async throws {
        let details = StatementCounter(ProductDetailStatement.sql)
        try await TestPostgres.withFreshDatabase(observers: [details]) { database, _ in
            try await GuardCacheTests.insertProduct(42, database: database)
            let catalog = CatalogService(database: database, cacheBytes: 1 << 20)
            await #expect(throws: StoreError.self) {
                try await CatalogService.$cacheOnly.withValue(true) { try await catalog.productJSON(id: 42) }
            }
            #expect(details.value == 0)
            let loaded = try await catalog.productJSON(id: 42)
            let served = try await CatalogService.$cacheOnly.withValue(true) { try await catalog.productJSON(id: 42) }
            #expect(served == loaded)
            #expect(details.value == 1)
        }
    }
}
