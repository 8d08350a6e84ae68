import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
@testable import Storefront
import Testing
import TestSupport

/// Under overload, a catalog page the cache holds is served from the cache (no query) instead of
/// being shed; a page it does not hold is shed as before, and nothing loads without a permit.
@Suite struct CacheUnderOverloadTests {
    /// A limiter of 4 with no share for browsing and no queue, so that 4 checkouts fill it; `cacheFills`
    /// cache-fill slots (none: every miss is shed).
    static func saturatedController(cacheFills: Int = 0) -> AdmissionController {
        var configuration = AdmissionLimiter.Configuration()
        configuration.cacheFills = cacheFills
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
                let cachedListing = try await store.send(.get, "/v1/products?min_price=500&limit=5", headers: browser)
                #expect(cachedListing.status == .ok)
                #expect(cachedListing.body == listing.body)
                #expect(try await store.send(.get, "/v1/categories", headers: browser).status == .ok)
                // A conditional request the cache can answer: 304, still no query.
                var conditional = browser
                conditional[.ifNoneMatch] = page.headers[.eTag]
                let revalidated = try await store.send(.get, "/v1/products/1", headers: conditional)
                #expect(revalidated.status == .notModified)

                // Pages the cache does not hold are shed, and none of them reached the database.
                // (The same listing spelled another way was never asked for: the early check does not parse it.)
                for uri in ["/v1/products/2", "/v1/products?min_price=501&limit=5", "/v1/products?limit=5&min_price=500", "/v1/products/999"] {
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

    /// A cache that is cold when overload starts fills during it: a page it would keep but does not
    /// hold is read through a cache-fill slot (one here) beside the full limit, and served from the
    /// cache after that. With the slot taken, or for a bot, a miss is shed as before, without a query.
    @Test func aColdCacheFillsUnderOverloadThroughCacheFillSlots() async throws {
        let details = StatementCounter(ProductDetailStatement.sql)
        let listings = StatementCounter("FROM products p JOIN brands")
        try await TestPostgres.withFreshDatabase(observers: [details, listings]) { database, _ in
            var logger = Logger(label: "surge.tests.cache-overload")
            logger.logLevel = .critical
            let api = StoreApplication.api(database: database, configuration: .init(), logger: logger)
            let admission = Self.saturatedController(cacheFills: 1)
            let app = Application(router: StoreApplication.router(api: api, admission: admission, httpCaching: true), logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                try await store.product(id: 1, variants: [(price: 1000, onHand: 5)])
                try await store.product(id: 2, variants: [(price: 2000, onHand: 5)])
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]
                let bot: HTTPFields = [.userAgent: "Googlebot/2.1"]
                for _ in 0..<4 { _ = try await admission.acquire(.checkout) }
                #expect(admission.wouldShed(.browse))

                // A miss runs as a fill: loaded once, then answered from the cache.
                #expect(try await store.send(.get, "/v1/products/1", headers: browser).status == .ok)
                #expect(details.value == 1)
                #expect(try await store.send(.get, "/v1/products/1", headers: browser).status == .ok)
                #expect(details.value == 1)
                #expect(try await store.send(.get, "/v1/products?min_price=500&limit=5", headers: browser).status == .ok)
                #expect(try await store.send(.get, "/v1/products?min_price=500&limit=5", headers: browser).status == .ok)
                #expect(listings.value == 1)

                // Bots never fill the cache under overload.
                let botMiss = try await store.send(.get, "/v1/products/2", headers: bot)
                #expect(botMiss.status == .serviceUnavailable)
                #expect(details.value == 1)
                // The slot taken (another fill running): the miss is shed, with no query.
                #expect(admission.acquireCacheFill(.browse))
                #expect(!admission.acquireCacheFill(.browse))
                let busy = try await store.send(.get, "/v1/products/2", headers: browser)
                #expect(busy.status == .serviceUnavailable)
                #expect(busy.code == "overloaded")
                #expect(details.value == 1)
                admission.releaseCacheFill()
                #expect(try await store.send(.get, "/v1/products/2", headers: browser).status == .ok)
                #expect(details.value == 2)
                #expect(admission.cacheFillsInFlight == 0)
                // A route the cache does not keep is never a fill.
                #expect(try await store.send(.get, "/v1/products?q=zzz&limit=5&bogus=1", headers: browser).status != .ok)
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
            let shed = EarlyShed(controller: admission, endpoints: api.endpointList, cache: api.cachedAnswers(enabled: true, serverName: "surge"))
            #expect(shed.shouldShed(path: "/v1/products/7", userAgent: "Mozilla/5.0") == nil)
            #expect(shed.shouldShed(path: "/v1/products/7?x=1", userAgent: "Mozilla/5.0") == nil)
            #expect(shed.shouldShed(path: "/v1/products/8", userAgent: "Mozilla/5.0") == "/v1/products/{id}")
            #expect(shed.shouldShed(path: "/v1/products?limit=3", userAgent: "Mozilla/5.0") == "/v1/products")
            #expect(shed.shouldShed(path: "/v1/categories", userAgent: "Mozilla/5.0") == "/v1/categories")
            _ = try await api.catalog.categories()
            #expect(shed.shouldShed(path: "/v1/categories", userAgent: "Mozilla/5.0") == nil)
            let query = try ProductQuery(parameters: ["limit": "3"])
            _ = try await api.catalog.products(query)
            #expect(shed.shouldShed(path: "/v1/products?limit=3", userAgent: "Mozilla/5.0") == "/v1/products",
                    "cached, but this target was never served through the router")
            try await app.test(.router) { client in
                let served = try await client.execute(uri: "/v1/products?limit=3", method: .get)
                #expect(served.status == .ok)
            }
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
                try await catalog.productJSON(id: 42, read: .cacheOnly)
            }
            #expect(details.value == 0)
            let loaded = try await catalog.productJSON(id: 42)
            let served = try await catalog.productJSON(id: 42, read: .cacheOnly)
            #expect(served == loaded)
            #expect(details.value == 1)
        }
    }

    final class Answers: Sendable {
        private let list = Mutex<[String]>([])
        func append(_ answer: String) { list.withLock { $0.append(answer) } }
        var all: [String] { list.withLock { $0 } }
    }

    /// A real server (sockets, the HTTP/1 pipeline Hummingbird builds): a product page answered from
    /// the cache's bytes on the event loop is the router's answer, head and body.
    @Test func aCachedPageAnsweredFromBytesIsTheRoutersAnswer() async throws {
        let details = StatementCounter(ProductDetailStatement.sql)
        try await TestPostgres.withFreshDatabase(observers: [details]) { database, _ in
            var logger = Logger(label: "surge.tests.cache-overload")
            logger.logLevel = .critical
            let api = StoreApplication.api(database: database, configuration: .init(), logger: logger)
            let admission = Self.saturatedController()
            let answers = Answers()
            let shed = EarlyShed(controller: admission, endpoints: api.endpointList,
                                 cache: api.cachedAnswers(enabled: true, serverName: "surge")) { route, status, _ in
                answers.append("\(status) \(route)")
            }
            let app = Application(
                router: StoreApplication.router(api: api, admission: admission, httpCaching: true),
                server: .http1(configuration: .init(additionalChannelHandlers: [shed.handler(raw: true)])),
                configuration: .init(serverName: "surge"), logger: logger)
            try await app.test(.live) { client in
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]
                func get(_ headers: HTTPFields) async throws -> (HTTPResponse.Status, HTTPFields, String) {
                    try await client.execute(uri: "/v1/products/5", method: .get, headers: headers) { response in
                        (response.status, response.headers, String(buffer: response.body))
                    }
                }
                _ = try await StoreHarness(database: database, api: api, client: client).product(id: 5, variants: [(price: 700, onHand: 2)])
                let routed = try await get(browser)   // below the limit: the router, which caches the page
                #expect(routed.0 == .ok)
                let tag = try #require(routed.1[.eTag])
                var conditional = browser
                conditional[.ifNoneMatch] = tag
                let routed304 = try await get(conditional)
                #expect(routed304.0 == .notModified)
                var withToken = browser
                withToken[HTTPField.Name("X-Cart-Token")!] = "some-token"
                let routedPrivate = try await get(withToken)
                #expect(answers.all.isEmpty)

                for _ in 0..<4 { _ = try await admission.acquire(.checkout) }
                for (request, expected) in [(browser, routed), (conditional, routed304), (withToken, routedPrivate)] {
                    let raw = try await get(request)
                    #expect(raw.0 == expected.0)
                    #expect(raw.2 == expected.2)
                    // The same fields in the same order; Date differs at most by the clock.
                    #expect(raw.1.map(\.name) == expected.1.map(\.name))
                    for field in expected.1 where field.name != .date {
                        #expect(raw.1[field.name] == field.value, "\(field.name)")
                    }
                }
                #expect(answers.all == ["200 /v1/products/{id}", "304 /v1/products/{id}", "200 /v1/products/{id}"],
                        "answered before the HTTP decoder")
                #expect(details.value == 1, "one query, for the first request")
                // Not in the cache: shed from bytes as before.
                let missing = try await client.execute(uri: "/v1/products/6", method: .get, headers: browser) { $0.status }
                #expect(missing == .serviceUnavailable)
                #expect(answers.all.last == "503 /v1/products/{id}")
            }
        }
    }

    @Test func listingQueriesSpelledDifferentlyShareACacheKey() throws {
        let a = try ProductQuery(parameters: ["min_price": "500", "limit": "5"])
        let b = try ProductQuery(parameters: ["limit": "5", "min_price": "500", "in_stock": "false"])
        #expect(a.cacheKey == b.cacheKey)
        let others: [[String: String]] = [["min_price": "501", "limit": "5"], ["max_price": "500", "limit": "5"], ["q": "500", "limit": "5"],
                                          ["category": "500", "limit": "5"], ["min_price": "500", "limit": "5", "facets": "true"],
                                          ["min_price": "500", "limit": "5", "sort": "price"]]
        for parameters in others {
            #expect(try ProductQuery(parameters: parameters).cacheKey != a.cacheKey, "\(parameters)")
        }
    }

    /// Records the admission limiter's in-flight count when the payment provider is called.
    final class WatchingGateway: PaymentGateway {
        let admission: AdmissionController
        private let seen = Mutex<[Int]>([])
        init(admission: AdmissionController) { self.admission = admission }
        var inFlightDuringPayment: [Int] { seen.withLock { $0 } }
        func authorize(amount: Money, token: String, reference: UUID) async throws -> PaymentAuthorization {
            seen.withLock { $0.append(admission.inFlight) }
            return PaymentAuthorization(reference: "auth-\(reference)")
        }
    }

    @Test func aCheckoutWaitingOnThePaymentProviderHoldsNoAdmissionSlot() async throws {
        try await TestPostgres.withFreshDatabase { database, _ in
            var logger = Logger(label: "surge.tests.cache-overload")
            logger.logLevel = .critical
            let admission = AdmissionController()
            let gateway = WatchingGateway(admission: admission)
            let api = StoreApplication.api(database: database, configuration: .init(), gateway: gateway, logger: logger)
            let app = Application(router: StoreApplication.router(api: api, admission: admission), logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                let variant = try await store.product(id: 3, variants: [(price: 500, onHand: 5)])[0]
                let cart = try await store.createCart()
                #expect(try await store.add(cart: cart, variant: variant).status == .ok)
                let order = try await store.checkout(cart: cart, key: UUID().uuidString)
                #expect(order.status == .created)
                #expect(gateway.inFlightDuringPayment == [0], "the checkout's slot was given back during the payment")
                #expect(admission.inFlight == 0)
            }
        }
    }
}
