import Database
import Foundation
import Guard
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Storefront
import Testing
import TestSupport

@Suite struct GuardAdmissionTests {
    @Test func browseIsShedWhileCheckoutsSucceedUnderSaturation() async throws {
        let slow = StatementCounter("slow_browse_probe")
        try await TestPostgres.withFreshDatabase(observers: [slow]) { database, _ in
            var logger = Logger(label: "surge.tests.admission")
            logger.logLevel = .critical
            let api = StoreApplication.api(database: database, configuration: .init(),
                                           gateway: SimulatedGateway(.init(medianLatency: .milliseconds(2), latencySigma: 0)), logger: logger)
            var configuration = AdmissionLimiter.Configuration()
            configuration.limit.initialLimit = 4
            configuration.limit.minimumLimit = 4
            configuration.limit.maximumLimit = 4
            configuration.maximumQueue = 16
            configuration.queueTimeout[.checkout] = .seconds(20)
            configuration.queueTimeout[.cart] = .seconds(20)
            let admission = AdmissionController(configuration)
            let router = StoreApplication.router(api: api, admission: admission)
            // A browse page that holds its slot for a second (not a store endpoint: ranks as browse).
            router.get("/test/slow-browse") { _, _ -> String in
                try await database.query("SELECT pg_sleep(1) AS slow_browse_probe")
                return "ok"
            }
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in
                let store = StoreHarness(database: database, api: api, client: client)
                let variant = try await store.product(id: 1, variants: [(price: 1000, onHand: 100)])[0]
                var carts: [(String, String)] = []
                for _ in 0..<12 {
                    let cart = try await store.createCart()
                    #expect(try await store.add(cart: cart, variant: variant).status == .ok)
                    carts.append(cart)
                }
                let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (test)"]
                let (browse, checkouts) = try await withThrowingTaskGroup(of: (Bool, StoreHarness.Reply).self) { group in
                    for _ in 0..<60 {
                        group.addTask { (false, try await store.send(.get, "/test/slow-browse", headers: browser)) }
                    }
                    // Checkouts arrive once browsing fills the limit.
                    for _ in 0..<10_000 where admission.inFlight < 4 { await Task.yield() }
                    #expect(admission.inFlight >= 4)
                    for cart in carts {
                        group.addTask { (true, try await store.checkout(cart: cart, key: UUID().uuidString)) }
                    }
                    var browse: [StoreHarness.Reply] = []
                    var checkouts: [StoreHarness.Reply] = []
                    for try await (isCheckout, reply) in group {
                        if isCheckout { checkouts.append(reply) } else { browse.append(reply) }
                    }
                    return (browse, checkouts)
                }
                #expect(checkouts.count == 12)
                #expect(checkouts.allSatisfy { $0.status == .created }, "every checkout succeeds: \(checkouts.map(\.status.code))")
                let shed = browse.filter { $0.status == .serviceUnavailable }
                #expect(shed.count > 0)
                #expect(shed.allSatisfy { $0.code == "overloaded" && $0.headers[.retryAfter] != nil
                    && $0.headers[.contentType] == "application/problem+json" })
                #expect(browse.filter { $0.status == .ok }.count + shed.count == 60)
                // A shed request never reached the database.
                #expect(slow.value == browse.filter { $0.status == .ok }.count)
                #expect(try await store.int("SELECT count(*)::int FROM orders") == 12)
            }
        }
    }

    @Test func botsRankBelowBrowseAndSystemIsNeverShed() {
        #expect(Priority.isBot(userAgent: nil))
        #expect(Priority.isBot(userAgent: ""))
        #expect(Priority.isBot(userAgent: "Googlebot/2.1"))
        #expect(!Priority.isBot(userAgent: "Mozilla/5.0"))
        #expect(Priority.isBot(userAgent: "Mozilla/5.0 (compatible; BINGBOT/2.0)"))
        #expect(Priority.isBot(userAgent: "Some-Web-Crawler"))
        #expect(Priority.isBot(userAgent: "SPIDER"))
        #expect(!Priority.isBot(userAgent: "Bo"))
        #expect(!Priority.isBot(userAgent: "Mozilla/5.0 (X11; Linux x86_64; b-o-t) Firefox/120.0 ÜBOTü".replacingOccurrences(of: "BOT", with: "B0T")))
    }
}
